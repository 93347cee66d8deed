package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No descriptor leaks: after 10,000 cycles of every way a socket is made and ended (open and
 * close in each family, socketpair, accept, failed bind, failed connect, failed open, a close that
 * wakes a waiting call) the process holds exactly the sockets and eventfds it held before, and
 * sockets dropped without close are all closed by the Cleaner once they are collected.
 */
class LeakTest {
    private static final int CYCLES = 10_000;
    /**
     * How many more descriptors of other kinds (files, pipes, directories) may be open after the
     * cycles than before. The cycles open none of these, but the JVM itself may open one while
     * they run, such as a jar loaded lazily for a class first used mid-test; the warm-up cycle
     * removes most such cases, and sockets and eventfds, which only this library opens here, are
     * counted exactly.
     */
    private static final int JVM_TOLERANCE = 2;
    private static final long PID = ProcessHandle.current().pid();

    /** What /proc/self/fd holds, by kind. */
    record Census(int sockets, int eventfds, int others) {
        int total() {
            return sockets + eventfds + others;
        }
    }

    static Census census() {
        int sockets = 0;
        int eventfds = 0;
        int others = 0;
        String[] names = new File("/proc/self/fd").list();
        assertTrue(names != null, "/proc/self/fd is readable");
        for (String n : names) {
            String link;
            try {
                link = Files.readSymbolicLink(Path.of("/proc/self/fd", n)).toString();
            } catch (IOException gone) {
                continue;   // the directory listing's own descriptor, closed by now
            }
            if (link.startsWith("socket:")) {
                sockets++;
            } else if (link.equals("anon_inode:[eventfd]")) {
                eventfds++;
            } else {
                others++;
            }
        }
        return new Census(sockets, eventfds, others);
    }

    /**
     * The census once sockets dropped earlier in this JVM (by other tests) have been collected
     * and cleaned: GC and a short pause until two censuses in a row agree.
     */
    static Census settled() throws InterruptedException {
        Census last = null;
        Census now = census();
        for (int i = 0; i < 40 && !now.equals(last); i++) {
            System.gc();
            Thread.sleep(25);
            last = now;
            now = census();
        }
        return now;
    }

    private static void assertNoLeak(String what, Census before, Census after) {
        assertEquals(before.sockets(), after.sockets(), what + ": sockets before and after");
        assertEquals(before.eventfds(), after.eventfds(), what + ": eventfds before and after");
        assertTrue(after.others() <= before.others() + JVM_TOLERANCE,
                what + ": other descriptors grew from " + before.others() + " to " + after.others());
    }

    private interface Cycle {
        void run() throws Exception;
    }

    // Held by the class, so that neither GC nor another test closes them while the cycles run.
    private static final List<Sock> HELD = new ArrayList<>();
    private static Sockaddr busyUdp;
    private static Sockaddr busyTcp6;
    private static SockaddrUnix busyAbstract;
    private static Sockaddr refusedTcp;
    private static Sockaddr refusedTcp6;
    private static Sock unixListener;
    private static Sock tcpListener;
    private static Sock seqpacketListener;

    @BeforeAll
    static void openHeld() throws IOException {
        Sock udp = hold(Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)));
        busyUdp = udp.localAddress();
        busyTcp6 = hold(Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0)).listen()).localAddress();
        busyAbstract = SockaddrUnix.abstractName("leak-busy-" + PID + "-" + System.nanoTime());
        hold(Sock.open(Family.UNIX, SockType.DGRAM).bind(busyAbstract));
        refusedTcp = hold(Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0))).localAddress();
        refusedTcp6 = hold(Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0))).localAddress();
        unixListener = hold(Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.unnamed()).listen());
        seqpacketListener = hold(Sock.open(Family.UNIX, SockType.SEQPACKET).bind(SockaddrUnix.unnamed()).listen());
        tcpListener = hold(Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen());
    }

    private static Sock hold(Sock s) {
        HELD.add(s);
        return s;
    }

    @AfterAll
    static void closeHeld() {
        HELD.forEach(Sock::close);
    }

    private static Arguments cycle(String name, Cycle c) {
        return Arguments.of(Named.of(name, c));
    }

    static Stream<Arguments> cycles() {
        String nobody = "leak-nobody-" + PID;
        Path missing = Path.of("/tmp/leak-test-missing-" + PID + ".sock");
        return Stream.of(
                cycle("AF_UNIX SOCK_STREAM open and close", () -> Sock.open(Family.UNIX, SockType.STREAM).close()),
                cycle("AF_UNIX SOCK_DGRAM open, bind and close", () -> {
                    try (Sock s = Sock.open(Family.UNIX, SockType.DGRAM)) {
                        s.bind(SockaddrUnix.unnamed());
                    }
                }),
                cycle("AF_UNIX SOCK_SEQPACKET open and close", () -> Sock.open(Family.UNIX, SockType.SEQPACKET).close()),
                cycle("AF_INET SOCK_STREAM open and close", () -> Sock.open(Family.INET, SockType.STREAM).close()),
                cycle("AF_INET SOCK_DGRAM open, bind and close", () -> {
                    try (Sock s = Sock.open(Family.INET, SockType.DGRAM)) {
                        s.bind(SockaddrInet4.loopback(0));
                    }
                }),
                cycle("AF_INET6 SOCK_STREAM open and close", () -> Sock.open(Family.INET6, SockType.STREAM).close()),
                cycle("AF_INET6 SOCK_DGRAM open and close", () -> Sock.open(Family.INET6, SockType.DGRAM).close()),
                cycle("AF_NETLINK route open, bind and close", () -> {
                    try (Sock s = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE)) {
                        s.bind(SockaddrNetlink.kernel());
                    }
                }),
                cycle("AF_NETLINK sock_diag open and close",
                        () -> Sock.open(Family.NETLINK, SockType.DGRAM, Protocol.NETLINK_SOCK_DIAG).close()),
                cycle("socketpair of each type", new Cycle() {
                    int i;

                    @Override
                    public void run() throws IOException {
                        SockType t = switch (i++ % 3) {
                            case 0 -> SockType.STREAM;
                            case 1 -> SockType.DGRAM;
                            default -> SockType.SEQPACKET;
                        };
                        try (SockPair p = Sock.pair(t)) {
                            p.first().send(new byte[] {1});
                            p.second().recv(new byte[1]);
                        }
                    }
                }),
                cycle("failed bind of UDP (EADDRINUSE)", () -> {
                    try (Sock s = Sock.open(Family.INET, SockType.DGRAM)) {
                        assertThrows(SyscallBindException.class, () -> s.bind(busyUdp));
                    }
                }),
                cycle("failed bind of TCP/IPv6 (EADDRINUSE)", () -> {
                    try (Sock s = Sock.open(Family.INET6, SockType.STREAM)) {
                        assertThrows(SyscallBindException.class, () -> s.bind(busyTcp6));
                    }
                }),
                cycle("failed bind of an abstract name (EADDRINUSE)", () -> {
                    try (Sock s = Sock.open(Family.UNIX, SockType.DGRAM)) {
                        assertThrows(SyscallBindException.class, () -> s.bind(busyAbstract));
                    }
                }),
                cycle("failed TCP connect (ECONNREFUSED)", () -> {
                    try (Sock s = Sock.open(Family.INET, SockType.STREAM)) {
                        assertThrows(SyscallConnectException.class, () -> s.connect(refusedTcp));
                    }
                }),
                cycle("failed TCP/IPv6 connect (ECONNREFUSED)", () -> {
                    try (Sock s = Sock.open(Family.INET6, SockType.STREAM)) {
                        assertThrows(SyscallConnectException.class, () -> s.connect(refusedTcp6));
                    }
                }),
                cycle("failed Unix connect to an abstract name (ECONNREFUSED)", () -> {
                    try (Sock s = Sock.open(Family.UNIX, SockType.SEQPACKET)) {
                        assertThrows(SyscallConnectException.class, () -> s.connect(SockaddrUnix.abstractName(nobody)));
                    }
                }),
                cycle("failed Unix connect to a missing path (ENOENT)", () -> {
                    try (Sock s = Sock.open(Family.UNIX, SockType.STREAM)) {
                        assertThrows(SyscallException.class, () -> s.connect(SockaddrUnix.of(missing)));
                    }
                }),
                cycle("failed open (EAFNOSUPPORT)", () ->
                        assertThrows(SyscallException.class, () -> Sock.open(Family.of(250), SockType.STREAM))),
                cycle("failed adopt of a pipe (ENOTSOCK), which stays the caller's", () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
                        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
                        assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()));
                        int r = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
                        int w = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
                        assertThrows(SyscallException.class, () -> Sock.adopt(r));
                        assertEquals(0, Syscalls.close(capture, r), "the pipe is still open after the failed adopt");
                        assertEquals(0, Syscalls.close(capture, w));
                    }
                }),
                cycle("Unix stream connect, accept and close", () -> {
                    try (Sock c = Sock.open(Family.UNIX, SockType.STREAM).connect(unixListener.localAddress());
                         Accepted a = unixListener.accept()) {
                        c.send(new byte[] {1});
                        a.socket().recv(new byte[1]);
                    }
                }),
                cycle("Unix seqpacket connect, accept and close", () -> {
                    try (Sock c = Sock.open(Family.UNIX, SockType.SEQPACKET).connect(seqpacketListener.localAddress());
                         Accepted a = seqpacketListener.accept()) {
                        a.socket().send(new byte[] {1});
                        c.recv(new byte[1]);
                    }
                }),
                cycle("TCP connect, accept and close", () -> {
                    // Linger 0: the client resets, so 10,000 connections leave no TIME_WAIT behind.
                    try (Sock c = Sock.open(Family.INET, SockType.STREAM).set(SockOpt.SO_LINGER, Linger.seconds(0))
                            .connect(tcpListener.localAddress());
                         Accepted a = tcpListener.accept()) {
                        c.send(new byte[] {1});
                        a.socket().recv(new byte[1]);
                    }
                }),
                cycle("descriptor passed with SCM_RIGHTS, received and closed", () -> {
                    try (SockPair p = Sock.pair(SockType.DGRAM)) {
                        p.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(p.first().fd()))), 0, new byte[] {1});
                        MsgResult r = p.second().recvmsg(ControlSpec.fds(1), 0, ByteBuffer.allocate(4));
                        for (Cmsg c : r.control()) {
                            ((Cmsg.Fds) c).fds().forEach(OwnedFd::close);
                        }
                        assertEquals(1, r.control().size());
                    }
                }));
    }

    @ParameterizedTest(name = "10,000 cycles: {0}")
    @MethodSource("cycles")
    void tenThousandCyclesLeaveNoDescriptorBehind(Cycle cycle, org.junit.jupiter.api.TestInfo info) throws Exception {
        for (int i = 0; i < 50; i++) {
            cycle.run();            // warm-up: classes loaded, code compiled
        }
        Census before = settled();
        for (int i = 0; i < CYCLES; i++) {
            cycle.run();
        }
        // No GC here: a socket that close() failed to close must not be rescued by the Cleaner.
        assertNoLeak(info.getDisplayName(), before, census());
    }

    @Test
    void closingWhileACallWaitsInPollAlsoClosesTheWakeUpEventfd() throws Exception {
        // Netlink receives wait in poll(2) with an eventfd that close signals; that eventfd must
        // be closed with the socket. 500 cycles, each with a thread that waits and is woken.
        Census before = settled();
        for (int i = 0; i < 500; i++) {
            Sock s = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
            Throwable[] thrown = new Throwable[1];
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    s.recv(new byte[64]);
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            awaitInPoll(t);
            s.close();
            t.join(10_000);
            assertInstanceOf(SockClosedException.class, thrown[0]);
        }
        assertNoLeak("netlink receive woken by close", before, census());
    }

    private static void awaitInPoll(Thread t) throws InterruptedException {
        for (int i = 0; i < 2000; i++) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getMethodName().equals("poll") && e.getClassName().endsWith("Syscalls")) {
                    return;
                }
            }
            Thread.sleep(1);
        }
        fail("the receive never reached poll: " + t.getState());
    }

    @Test
    void socketsDroppedWithoutCloseAreClosedByTheCleanerAfterGc() throws Exception {
        Census before = settled();
        for (int batch = 0; batch < 10; batch++) {
            int opened = 100 * 11;     // sockets per batch, counted below
            List<Object> dropped = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                dropped.add(Sock.open(Family.UNIX, SockType.STREAM));
                dropped.add(Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.unnamed()));
                dropped.add(Sock.open(Family.UNIX, SockType.SEQPACKET));
                dropped.add(Sock.open(Family.INET, SockType.STREAM));
                dropped.add(Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)));
                dropped.add(Sock.open(Family.INET6, SockType.DGRAM));
                dropped.add(Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE));
                dropped.add(Sock.pair(SockType.STREAM));
                Sock c = Sock.open(Family.UNIX, SockType.STREAM).connect(unixListener.localAddress());
                dropped.add(c);
                dropped.add(unixListener.accept());
            }
            assertTrue(census().sockets() >= before.sockets() + opened,
                    () -> "the dropped sockets were really open: " + census() + " vs " + before + " + " + opened);
            dropped.clear();    // never closed: unreachable from here on
        }
        Census after = census();
        for (int i = 0; i < 200 && after.sockets() > before.sockets(); i++) {
            System.gc();
            Thread.sleep(25);
            after = census();
        }
        assertNoLeak("10,000 sockets dropped without close, after GC", before, after);
    }
}
