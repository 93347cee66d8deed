package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Poller;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Closing a socket from another thread is safe and prompt for platform threads: every kind of
 * blocking call (accept, recv, recvFrom, send into full buffers, connect into a full backlog, a
 * netlink receive) wakes with {@link SockClosedException} when the socket is closed, and with end
 * of stream when it is shut down; a descriptor number is never used by a stale call after the
 * kernel hands it to another file; and racing closes, double closes and closes in the middle of
 * traffic neither crash nor close anybody else's descriptor. Each blocked call is checked to be
 * really asleep in the kernel before the close, by its thread's state in /proc.
 */
@SuppressWarnings("restricted")   // gettid, by a downcall of our own
class AsyncCloseTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);
    private static final long PID = ProcessHandle.current().pid();
    private static final MethodHandle GETTID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("gettid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));

    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ------------------------------------------------------------------------------ blocking

    /** A call that blocks on {@code socket} until something ends it. */
    private interface Call {
        void run(Sock s) throws IOException;
    }

    /** A socket, a call that blocks on it, and what else the setup opened (closed afterwards). */
    private record Blocking(Sock socket, Call call, List<AutoCloseable> others) {
    }

    private interface Setup {
        Blocking make() throws IOException;
    }

    /** A platform thread running one call, remembering its kernel thread id, end time and outcome. */
    private static final class Runner {
        final Thread thread;
        volatile int tid;
        final AtomicLong endedAt = new AtomicLong();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicBoolean returned = new AtomicBoolean();

        Runner(String name, Sock s, Call call) {
            thread = Thread.ofPlatform().name(name).daemon().unstarted(() -> {
                tid = gettid();
                try {
                    call.run(s);
                    returned.set(true);
                } catch (Throwable e) {
                    thrown.set(e);
                } finally {
                    endedAt.set(System.nanoTime());
                }
            });
            thread.start();
        }
    }

    /**
     * Waits until the runner's thread sleeps in the kernel inside one of the library's calls: its
     * Java stack is in the native-call layer (or the pause between connect attempts) and
     * /proc/self/task/TID/stat says S (sleeping), three times in a row, 10 ms apart. Returns the
     * kernel's wait channel, for the log.
     */
    private static String awaitBlocked(Runner r) throws Exception {
        int seen = 0;
        for (int i = 0; i < 500; i++) {
            if (!r.thread.isAlive()) {
                fail("the call ended before it blocked: returned " + r.returned.get() + ", threw " + r.thrown.get());
            }
            if (asleepInLibraryCall(r.thread, r.tid)) {
                if (++seen == 3) {
                    Thread.sleep(30);   // let it settle in the wait queue
                    return wchan(r.tid);
                }
            } else {
                seen = 0;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the call never blocked: " + r.thread.getState() + " " + kernelState(r.tid));
    }

    /** {@link #awaitBlocked} for many runners at once: all of them asleep, three times in a row. */
    private static void awaitAllBlocked(List<Runner> runners) throws Exception {
        int seen = 0;
        for (int i = 0; i < 500; i++) {
            boolean all = true;
            for (Runner r : runners) {
                all &= asleepInLibraryCall(r.thread, r.tid);
            }
            seen = all ? seen + 1 : 0;
            if (seen == 3) {
                Thread.sleep(30);
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not every call blocked");
    }

    /** Whether platform thread {@code t}, kernel thread {@code tid}, sleeps in the kernel in one of the library's calls. */
    static boolean asleepInLibraryCall(Thread t, int tid) {
        return tid != 0 && inLibraryCall(t) && "S".equals(kernelState(tid));
    }

    /**
     * Whether {@code t}'s stack is in one of the library's waits: the native-call layer, the pause
     * between connect attempts, or (a virtual thread) parked in the Poller.
     */
    static boolean inLibraryCall(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(Syscalls.class.getName())
                    || e.getClassName().equals(Poller.class.getName()) && e.getMethodName().equals("await")
                    || e.getClassName().equals(Sock.class.getName()) && e.getMethodName().equals("sleepOrClose")) {
                return true;
            }
        }
        return false;
    }

    static String kernelState(int tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "gone";
        }
    }

    static String wchan(int tid) {
        try {
            return Files.readString(Path.of("/proc/self/task/" + tid + "/wchan")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static Arguments blocking(String name, Setup setup) {
        return Arguments.of(Named.of(name, setup));
    }

    static SockaddrUnix.Abstract uniqueName(String what) {
        return SockaddrUnix.abstractName("async-close-" + what + "-" + PID + "-" + System.nanoTime());
    }

    /** A connected TCP pair over loopback: the client and the accepted end. */
    static Sock[] tcpPair(Family family) throws IOException {
        Sockaddr any = family.equals(Family.INET) ? SockaddrInet4.loopback(0) : SockaddrInet6.loopback(0);
        try (Sock server = Sock.open(family, SockType.STREAM).bind(any).listen()) {
            Sock client = Sock.open(family, SockType.STREAM).connect(server.localAddress());
            return new Sock[] {client, server.accept().socket()};
        }
    }

    static Stream<Arguments> blockingCalls() {
        return Stream.of(
                blocking("accept on a listening Unix stream socket", () -> new Blocking(
                        Sock.open(Family.UNIX, SockType.STREAM).bind(uniqueName("accept")).listen(),
                        Sock::accept, List.of())),
                blocking("accept on a listening Unix seqpacket socket", () -> new Blocking(
                        Sock.open(Family.UNIX, SockType.SEQPACKET).bind(SockaddrUnix.unnamed()).listen(),
                        Sock::accept, List.of())),
                blocking("accept on a listening TCP socket", () -> new Blocking(
                        Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(),
                        Sock::accept, List.of())),
                blocking("accept on a listening TCP/IPv6 socket", () -> new Blocking(
                        Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0)).listen(),
                        Sock::accept, List.of())),
                blocking("recv on a Unix stream", () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Blocking(p.first(), s -> s.recv(new byte[16]), List.of(p.second()));
                }),
                blocking("recv on a Unix seqpacket", () -> {
                    SockPair p = Sock.pair(SockType.SEQPACKET);
                    return new Blocking(p.first(), s -> s.recv(ByteBuffer.allocateDirect(16)), List.of(p.second()));
                }),
                blocking("recv on a TCP connection", () -> {
                    Sock[] p = tcpPair(Family.INET);
                    return new Blocking(p[0], s -> s.recv(new byte[16]), List.of(p[1]));
                }),
                blocking("read from a TCP/IPv6 connection's inputStream", () -> {
                    Sock[] p = tcpPair(Family.INET6);
                    return new Blocking(p[0], s -> s.inputStream().read(), List.of(p[1]));
                }),
                blocking("recvmsg on a Unix stream", () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Blocking(p.first(), s -> s.recvmsg(ControlSpec.fds(2), 0, new byte[16]), List.of(p.second()));
                }),
                blocking("recvFrom on a UDP socket", () -> new Blocking(
                        Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)),
                        s -> s.recvFrom(new byte[16], 0, 16), List.of())),
                blocking("recvFrom on a UDP/IPv6 socket", () -> new Blocking(
                        Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0)),
                        s -> s.recvFrom(ByteBuffer.allocate(16)), List.of())),
                blocking("recvFrom on a Unix datagram socket", () -> new Blocking(
                        Sock.open(Family.UNIX, SockType.DGRAM).bind(uniqueName("dgram")),
                        s -> s.recvFrom(new byte[16], 0, 16), List.of())),
                blocking("send on a Unix stream whose buffers are full", () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Blocking(p.first(), s -> {
                        byte[] chunk = new byte[32 * 1024];
                        while (true) {
                            s.send(chunk);
                        }
                    }, List.of(p.second()));
                }),
                blocking("sendAll on a TCP connection whose buffers are full", () -> {
                    Sock[] p = tcpPair(Family.INET);
                    byte[] more = new byte[32 << 20];   // more than loopback TCP buffers hold
                    return new Blocking(p[0], s -> s.sendAll(more, 0, more.length), List.of(p[1]));
                }),
                blocking("send on a Unix datagram socket whose peer's queue is full", () -> {
                    SockPair p = Sock.pair(SockType.DGRAM);
                    return new Blocking(p.first(), s -> {
                        while (true) {
                            s.send(new byte[512]);
                        }
                    }, List.of(p.second()));
                }),
                blocking("connect to a TCP listener whose backlog is full", () -> {
                    Sock server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(0);
                    List<AutoCloseable> others = new ArrayList<>(fillTcpBacklog(server));
                    others.add(server);
                    Sockaddr to = server.localAddress();
                    return new Blocking(Sock.open(Family.INET, SockType.STREAM), s -> s.connect(to), others);
                }),
                blocking("connect to a Unix listener whose backlog is full", () -> {
                    SockaddrUnix name = uniqueName("backlog");
                    Sock server = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen(0);
                    List<AutoCloseable> others = new ArrayList<>(fillUnixBacklog(name));
                    others.add(server);
                    return new Blocking(Sock.open(Family.UNIX, SockType.STREAM), s -> s.connect(name), others);
                }),
                blocking("recv on a netlink socket", () -> new Blocking(
                        Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel()),
                        s -> s.recv(new byte[8192]), List.of())),
                blocking("recvFrom on a netlink socket", () -> new Blocking(
                        Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE),
                        s -> s.recvFrom(Arena.ofAuto().allocate(8192)), List.of())),
                blocking("recvmsg on a netlink socket", () -> new Blocking(
                        Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_SOCK_DIAG),
                        s -> s.recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocateDirect(8192)), List.of())));
    }

    /**
     * Connects without waiting until a connect stays pending: with listen(0) the kernel takes one
     * connection into the accept queue and then drops SYNs, so the next connects hang in SYN_SENT.
     */
    static List<Sock> fillTcpBacklog(Sock server) throws IOException {
        List<Sock> fillers = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment addr = arena.allocate(Sockaddr.MAX_LENGTH);
            int len = server.localAddress().encode(addr);
            MemorySegment pfd = arena.allocate(8);
            for (int i = 0; i < 16; i++) {
                Sock s = Sock.open(Family.INET, SockType.STREAM);
                fillers.add(s);
                int flags = Syscalls.fcntl(capture, s.fd(), LibC.F_GETFL(), 0);
                Syscalls.fcntl(capture, s.fd(), LibC.F_SETFL(), flags | LibC.O_NONBLOCK());
                Syscalls.connect(capture, s.fd(), addr, len);
                pfd.set(ValueLayout.JAVA_INT, 0, s.fd());
                pfd.set(ValueLayout.JAVA_SHORT, 4, (short) LibC.POLLOUT());
                pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                if (Syscalls.poll(capture, pfd, 1, 300) == 0) {
                    return fillers;     // this one is stuck in SYN_SENT: the backlog is full
                }
            }
        }
        throw new AssertionError("16 connects into a listen(0) backlog all completed");
    }

    /** Connects without waiting until the kernel says EAGAIN: the Unix listener's backlog is full. */
    static List<Sock> fillUnixBacklog(Sockaddr name) throws IOException {
        List<Sock> fillers = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment addr = arena.allocate(Sockaddr.MAX_LENGTH);
            int len = name.encode(addr);
            for (int i = 0; i < 16; i++) {
                Sock s = Sock.open(Family.UNIX, SockType.STREAM);
                fillers.add(s);
                int flags = Syscalls.fcntl(capture, s.fd(), LibC.F_GETFL(), 0);
                Syscalls.fcntl(capture, s.fd(), LibC.F_SETFL(), flags | LibC.O_NONBLOCK());
                if (Syscalls.connect(capture, s.fd(), addr, len) < 0 && Syscalls.errno(capture) == LibC.EAGAIN()) {
                    return fillers;
                }
            }
        }
        throw new AssertionError("16 connects into a listen(0) Unix backlog all succeeded");
    }

    @ParameterizedTest(name = "close wakes {0}")
    @MethodSource("blockingCalls")
    void closeWakesTheBlockedCallWithSockClosedException(Setup setup, org.junit.jupiter.api.TestInfo info) throws Exception {
        Blocking b = setup.make();
        try {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Runner r = new Runner("blocked-call", b.socket(), b.call());
                String wchan = awaitBlocked(r);
                long closedAt = System.nanoTime();
                b.socket().close();
                r.thread.join();
                System.out.printf("wake latency: %-60s %8.3f ms (wchan %s)%n", info.getDisplayName(),
                        (r.endedAt.get() - closedAt) / 1e6, wchan);
                assertFalse(r.returned.get(), "the call returned normally after close");
                SockClosedException e = assertInstanceOf(SockClosedException.class, r.thrown.get());
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
                assertFalse(b.socket().isOpen());
                // And the next call is refused at once.
                assertThrows(SockClosedException.class, () -> b.call().run(b.socket()));
            });
        } finally {
            b.socket().close();
            for (AutoCloseable c : b.others()) {
                c.close();
            }
        }
    }

    // ------------------------------------------------------------------------------ shutdown

    private interface PairMaker {
        Sock[] make() throws IOException;
    }

    static Stream<Arguments> shutdowns() {
        PairMaker unixStream = () -> {
            SockPair p = Sock.pair(SockType.STREAM);
            return new Sock[] {p.first(), p.second()};
        };
        PairMaker seqpacket = () -> {
            SockPair p = Sock.pair(SockType.SEQPACKET);
            return new Sock[] {p.first(), p.second()};
        };
        PairMaker tcp = () -> tcpPair(Family.INET);
        PairMaker tcp6 = () -> tcpPair(Family.INET6);
        return Stream.of(
                Arguments.of(Named.of("a Unix stream", unixStream), Shutdown.BOTH),
                Arguments.of(Named.of("a Unix stream", unixStream), Shutdown.READ),
                Arguments.of(Named.of("a Unix seqpacket", seqpacket), Shutdown.BOTH),
                Arguments.of(Named.of("a TCP connection", tcp), Shutdown.BOTH),
                Arguments.of(Named.of("a TCP connection", tcp), Shutdown.READ),
                Arguments.of(Named.of("a TCP/IPv6 connection", tcp6), Shutdown.BOTH));
    }

    @ParameterizedTest(name = "shutdown({1}) wakes a recv blocked on {0} with end of stream")
    @MethodSource("shutdowns")
    void shutdownWakesABlockedReceiveWithEndOfStream(PairMaker maker, Shutdown how) throws Exception {
        Sock[] p = maker.make();
        try {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                AtomicReference<Integer> got = new AtomicReference<>();
                Runner r = new Runner("blocked-recv", p[0], s -> got.set(s.recv(new byte[16])));
                awaitBlocked(r);
                long at = System.nanoTime();
                p[0].shutdown(how);
                r.thread.join();
                System.out.printf("wake latency: shutdown(%s) of %s %8.3f ms%n", how, p[0], (r.endedAt.get() - at) / 1e6);
                assertNull(r.thrown.get());
                assertEquals(-1, got.get());
                assertTrue(p[0].isOpen(), "shutdown leaves the socket open");
                assertEquals(-1, p[0].recv(new byte[16]), "and end of stream stays");
            });
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    // ------------------------------------------------------------------------------ descriptor reuse

    static Stream<Arguments> staleCalls() {
        return Stream.of(
                Arguments.of(Named.of("recv on a Unix stream", (Setup) () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Blocking(p.first(), s -> s.recv(new byte[1]), List.of(p.second()));
                })),
                Arguments.of(Named.of("recvFrom on UDP", (Setup) () -> new Blocking(
                        Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)),
                        s -> s.recvFrom(new byte[1], 0, 1), List.of()))),
                Arguments.of(Named.of("recv on netlink (a poll wait)", (Setup) () -> new Blocking(
                        Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE),
                        s -> s.recv(new byte[1]), List.of()))));
    }

    /**
     * A thread blocked in a call on socket A; A is closed and at once 1,000 pipes are opened, so
     * that once A's number is really free one of them takes it. Each pipe holds a distinct byte. A
     * stale reader of the old number would consume a pipe's byte: every pipe must still hold
     * exactly its own.
     */
    @ParameterizedTest(name = "a stale {0} reads nothing from a pipe that reuses its number")
    @MethodSource("staleCalls")
    void aClosedSocketsNumberReusedByAPipeIsNotReadByTheStaleCall(Setup setup) throws Exception {
        Blocking b = setup.make();
        List<int[]> pipes = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {     // the hang guard runs the body in another thread
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            MemorySegment two = arena.allocate(2);
            try {
                assertTimeoutPreemptively(HANG_GUARD, () -> {
                    int oldFd = b.socket().fd();
                    Runner r = new Runner("stale-call", b.socket(), b.call());
                    awaitBlocked(r);
                    b.socket().close();
                    int reusedBy = -1;
                    for (int i = 0; i < 1000; i++) {
                        assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()), "pipe2");
                        int[] p = {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
                        pipes.add(p);
                        two.set(ValueLayout.JAVA_BYTE, 0, (byte) i);
                        assertEquals(1, Syscalls.write(capture, p[1], two, 1), "write to pipe " + i);
                        if (reusedBy < 0 && (p[0] == oldFd || p[1] == oldFd)) {
                            reusedBy = i;
                        }
                    }
                    r.thread.join();
                    assertInstanceOf(SockClosedException.class, r.thrown.get());
                    // Every pipe still holds exactly its own byte: read asks for 2 and gets 1.
                    int flags = LibC.O_NONBLOCK();
                    for (int i = 0; i < pipes.size(); i++) {
                        int[] p = pipes.get(i);
                        Syscalls.fcntl(capture, p[0], LibC.F_SETFL(), flags);
                        assertEquals(1, Syscalls.read(capture, p[0], two, 2), "pipe " + i + " lost or gained bytes");
                        assertEquals((byte) i, two.get(ValueLayout.JAVA_BYTE, 0), "pipe " + i);
                    }
                    System.out.println("fd reuse: the closed socket's fd " + oldFd
                            + (reusedBy >= 0 ? " was reused by pipe " + reusedBy : " was not reused (its call had not left yet)"));
                });
            } finally {
                for (int[] p : pipes) {
                    Syscalls.close(capture, p[0]);
                    Syscalls.close(capture, p[1]);
                }
                b.socket().close();
                for (AutoCloseable c : b.others()) {
                    c.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ racing closes

    @Test
    void closingTwiceIsSafeAndTheSecondCloseDoesNothing() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            Sock s = pair.first();
            int fd = s.fd();
            Path proc = Path.of("/proc/self/fd/" + fd);
            String link = Files.readSymbolicLink(proc).toString();
            s.close();
            // A new file may take the number; closing the socket again must not close it.
            try (Sock taker = Sock.open(Family.UNIX, SockType.DGRAM)) {
                String takerLink = Files.readSymbolicLink(Path.of("/proc/self/fd/" + taker.fd())).toString();
                s.close();
                s.close();
                assertEquals(takerLink, Files.readSymbolicLink(Path.of("/proc/self/fd/" + taker.fd())).toString(),
                        "a second close closed the file that took the number");
                assertFalse(Files.exists(proc) && Files.readSymbolicLink(proc).toString().equals(link),
                        "the socket's own descriptor is closed");
                taker.bind(SockaddrUnix.unnamed());   // still works
            }
            assertFalse(s.isOpen());
            assertThrows(SockClosedException.class, () -> s.send(new byte[1]));
            assertTrue(s.toString().contains("closed"), s.toString());
        }
    }

    /**
     * Sentinel pipes opened while sockets are being closed take the freed numbers; a close(2)
     * done twice on one number would close one of them, and a stale call that reached one would
     * read its byte or write more. Every sentinel must still be the pipe it was when made, holding
     * exactly the one byte it was given.
     */
    static final class Sentinels implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
        private final MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        private final MemorySegment bytes = arena.allocate(2);
        private final List<int[]> pipes = new ArrayList<>();
        private final List<String> links = new ArrayList<>();

        void open(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC() | LibC.O_NONBLOCK()));
                int[] p = {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
                pipes.add(p);
                bytes.set(ValueLayout.JAVA_BYTE, 0, (byte) pipes.size());
                assertEquals(1, Syscalls.write(capture, p[1], bytes, 1), "write to sentinel pipe");
                links.add(Files.readSymbolicLink(Path.of("/proc/self/fd/" + p[0])) + " "
                        + Files.readSymbolicLink(Path.of("/proc/self/fd/" + p[1])));
            }
        }

        /** {@return whether one of the sentinels took descriptor number {@code fd}} */
        boolean took(int fd) {
            return pipes.stream().anyMatch(p -> p[0] == fd || p[1] == fd);
        }

        void assertIntact() throws IOException {
            for (int i = 0; i < pipes.size(); i++) {
                int[] p = pipes.get(i);
                assertTrue(Syscalls.fcntl(capture, p[0], LibC.F_GETFD(), 0) >= 0
                        && Syscalls.fcntl(capture, p[1], LibC.F_GETFD(), 0) >= 0, "sentinel pipe " + i + " was closed");
                assertEquals(links.get(i), Files.readSymbolicLink(Path.of("/proc/self/fd/" + p[0])) + " "
                        + Files.readSymbolicLink(Path.of("/proc/self/fd/" + p[1])), "sentinel pipe " + i + " was replaced");
                // Exactly its own byte: asked for 2, it gives 1; then it is put back.
                assertEquals(1, Syscalls.read(capture, p[0], bytes, 2), "sentinel pipe " + i + " lost or gained bytes");
                assertEquals((byte) (i + 1), bytes.get(ValueLayout.JAVA_BYTE, 0), "sentinel pipe " + i + "'s byte");
                assertEquals(1, Syscalls.write(capture, p[1], bytes, 1));
            }
        }

        @Override
        public void close() {
            for (int[] p : pipes) {
                Syscalls.close(capture, p[0]);
                Syscalls.close(capture, p[1]);
            }
            arena.close();
        }
    }

    @Test
    void twoThreadsClosingTheSameThousandSocketsAtOnceCloseEachOnce() throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Sock> socks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                socks.add(switch (i % 4) {
                    case 0 -> Sock.open(Family.UNIX, SockType.DGRAM);
                    case 1 -> Sock.open(Family.INET, SockType.STREAM);
                    case 2 -> Sock.open(Family.INET6, SockType.DGRAM);
                    default -> Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
                });
            }
            try (Sentinels sentinels = new Sentinels()) {
                CyclicBarrier start = new CyclicBarrier(3);
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                Runnable closer = () -> {
                    try {
                        start.await();
                        for (Sock s : socks) {
                            s.close();
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                };
                Thread a = Thread.ofPlatform().start(closer);
                Thread b = Thread.ofPlatform().start(closer);
                start.await();
                sentinels.open(500);     // take the numbers as they are freed
                a.join();
                b.join();
                assertTrue(errors.isEmpty(), () -> "a close threw: " + errors);
                sentinels.open(500);
                for (Sock s : socks) {
                    assertFalse(s.isOpen());
                    assertThrows(SockClosedException.class, s::localAddress);
                }
                sentinels.assertIntact();
            }
        });
    }

    @Test
    void twoThreadsClosingSocketsWithBlockedCallsWakeEveryCallOnce() throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<SockPair> pairs = new ArrayList<>();
            List<Runner> runners = new ArrayList<>();
            try (Sentinels sentinels = new Sentinels()) {
                for (int i = 0; i < 50; i++) {
                    SockPair p = Sock.pair(i % 2 == 0 ? SockType.STREAM : SockType.SEQPACKET);
                    pairs.add(p);
                    runners.add(new Runner("reader-" + i, p.first(), s -> s.recv(new byte[8])));
                }
                awaitAllBlocked(runners);
                CyclicBarrier start = new CyclicBarrier(3);
                Runnable closer = () -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    for (SockPair p : pairs) {
                        p.first().close();
                    }
                };
                Thread a = Thread.ofPlatform().start(closer);
                Thread b = Thread.ofPlatform().start(closer);
                start.await();
                sentinels.open(200);
                a.join();
                b.join();
                for (Runner r : runners) {
                    r.thread.join();
                    assertInstanceOf(SockClosedException.class, r.thrown.get(), r.thread.getName());
                }
                sentinels.assertIntact();
            } finally {
                pairs.forEach(SockPair::close);
            }
        });
    }

    private interface TrafficSetup {
        Sock[] make() throws IOException;
    }

    static Stream<Arguments> traffic() {
        return Stream.of(
                Arguments.of(Named.of("a Unix stream", (TrafficSetup) () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Sock[] {p.first(), p.second()};
                })),
                Arguments.of(Named.of("a Unix seqpacket", (TrafficSetup) () -> {
                    SockPair p = Sock.pair(SockType.SEQPACKET);
                    return new Sock[] {p.first(), p.second()};
                })),
                Arguments.of(Named.of("a Unix datagram pair", (TrafficSetup) () -> {
                    SockPair p = Sock.pair(SockType.DGRAM);
                    return new Sock[] {p.first(), p.second()};
                })),
                Arguments.of(Named.of("a TCP connection", (TrafficSetup) () -> tcpPair(Family.INET))));
    }

    /**
     * One thread sends on A and another receives on A, while the peer B echoes everything back;
     * after a short, varying run A is closed. Both of A's threads end with SockClosedException,
     * the echo ends without hanging, and no other descriptor is touched.
     */
    @ParameterizedTest(name = "close during send and recv traffic on {0}")
    @MethodSource("traffic")
    void closeDuringConcurrentTrafficEndsEveryCallCleanly(TrafficSetup setup) throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (Sentinels sentinels = new Sentinels()) {
                for (int round = 0; round < 10; round++) {
                    Sock[] p = setup.make();
                    Sock a = p[0];
                    Sock b = p[1];
                    try {
                        AtomicLong sent = new AtomicLong();
                        AtomicLong received = new AtomicLong();
                        Runner sender = new Runner("sender", a, s -> {
                            byte[] chunk = new byte[1024];
                            while (true) {
                                sent.addAndGet(s.send(chunk));
                            }
                        });
                        Runner receiver = new Runner("receiver", a, s -> {
                            byte[] buf = new byte[4096];
                            while (true) {
                                int n = s.recv(buf);
                                if (n < 0) {
                                    throw new AssertionError("end of stream before close");
                                }
                                received.addAndGet(n);
                            }
                        });
                        Runner echo = new Runner("echo", b, s -> {
                            byte[] buf = new byte[4096];
                            int n;
                            while ((n = s.recv(buf)) >= 0) {
                                s.sendAll(buf, 0, n);
                            }
                        });
                        long until = System.nanoTime() + (5 + 7L * round) * 1_000_000L;
                        while (System.nanoTime() < until || received.get() == 0) {
                            Thread.sleep(1);
                        }
                        a.close();
                        sender.thread.join();
                        receiver.thread.join();
                        assertInstanceOf(SockClosedException.class, sender.thrown.get(), "the sender");
                        assertInstanceOf(SockClosedException.class, receiver.thrown.get(), "the receiver");
                        // The echo sees end of stream, a reset or a refused send; a datagram
                        // echo may wait on: closing B ends it too.
                        b.close();
                        echo.thread.join();
                        Throwable e = echo.thrown.get();
                        assertTrue(e == null || e instanceof java.net.SocketException, () -> "the echo ended with " + e);
                        assertTrue(sent.get() > 0 && received.get() > 0);
                    } finally {
                        a.close();
                        b.close();
                    }
                    sentinels.open(20);
                }
                sentinels.assertIntact();
            }
        });
    }

    /**
     * Calls that enter and leave quickly, so that close often finds one in flight and leaves the
     * close(2) to it, while another thread keeps opening socket pairs, which take the freed numbers
     * at once, and checks that each still carries a byte both ways. A close(2), shutdown(2) or call
     * that reached a number after the kernel had given it to one of those pairs breaks the pair.
     */
    @Test
    void closesRacingInFlightCallsNeverTouchASocketThatReusedTheNumber() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Sock> current = new AtomicReference<>();
            AtomicLong calls = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> broken = new ConcurrentLinkedQueue<>();
            AtomicLong checked = new AtomicLong();
            Thread busy = Thread.ofPlatform().name("busy").start(() -> {
                while (!stop.get()) {
                    Sock s = current.get();
                    try {
                        if (s != null) {
                            s.localAddress();
                            s.shutdown(Shutdown.WRITE);
                        }
                    } catch (SockClosedException expected) {
                        // closed under us
                    } catch (Throwable t) {
                        broken.add(t);
                    }
                    calls.incrementAndGet();
                }
            });
            Thread opener = Thread.ofPlatform().name("opener").start(() -> {
                byte[] one = new byte[1];
                while (!stop.get()) {
                    try (SockPair fresh = Sock.pair(SockType.STREAM)) {
                        fresh.first().send(new byte[] {42});
                        fresh.second().send(new byte[] {43});
                        if (fresh.second().recv(one) != 1 || one[0] != 42 || fresh.first().recv(one) != 1 || one[0] != 43) {
                            broken.add(new AssertionError("a fresh pair lost a byte"));
                        }
                        checked.incrementAndGet();
                    } catch (Throwable t) {
                        broken.add(t);
                    }
                }
            });
            try {
                for (int round = 0; round < 3000 && broken.isEmpty(); round++) {
                    SockPair p = Sock.pair(SockType.STREAM);
                    current.set(p.first());
                    long c = calls.get();
                    while (calls.get() < c + 2) {
                        Thread.onSpinWait();
                    }
                    p.first().close();
                    p.second().close();
                }
            } finally {
                stop.set(true);
                busy.join();
                opener.join();
            }
            System.out.println("racing closes: " + checked.get() + " fresh pairs checked, " + calls.get() + " racing calls");
            assertTrue(broken.isEmpty(), () -> "a socket that reused a number was touched: " + broken);
            assertTrue(checked.get() > 0);
        });
    }

    /**
     * The interleaving the racing test above can only hope for, forced: close() has marked the
     * descriptor closed while a call is in flight, but has not yet begun its wake-up; the call
     * leaves, and as the last one out closes the descriptor; a new socket takes the number; only
     * then does the wake-up run. It must not shut down the new socket. The test holds FdRef's
     * monitor (which wake-up and close(2) both take) to stop the closing thread in that gap.
     */
    @Test
    void aWakeUpThatComesAfterTheLastCallClosedTheDescriptorDoesNotShutDownItsNewOwner() throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
                MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
                for (int attempt = 0; attempt < 10; attempt++) {
                    assertEquals(0, Syscalls.socketpair(capture, LibC.AF_UNIX(), LibC.SOCK_STREAM() | LibC.SOCK_CLOEXEC(), 0, fds));
                    int x = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
                    int y = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
                    var ref = new io.github.panamasockets.internal.sys.FdRef(x, true);
                    SockPair fresh;
                    Thread closer;
                    assertTrue(ref.acquire(), "a call is in flight");
                    synchronized (ref) {
                        closer = Thread.ofPlatform().start(ref::close);
                        for (int i = 0; i < 1000 && closer.getState() != Thread.State.BLOCKED; i++) {
                            Thread.sleep(1);
                        }
                        assertEquals(Thread.State.BLOCKED, closer.getState(), "close() waits to start its wake-up");
                        assertTrue(ref.isClosed());
                        ref.release();             // the last call out closes x now
                        fresh = Sock.pair(SockType.STREAM);
                    }
                    closer.join();
                    Syscalls.close(capture, y);
                    try {
                        if (fresh.first().fd() != x && fresh.second().fd() != x) {
                            continue;   // another thread took the number first; try again
                        }
                        byte[] one = new byte[1];
                        try {
                            fresh.first().send(new byte[] {1});
                            fresh.second().send(new byte[] {2});
                            assertEquals(1, fresh.second().recv(one));
                            assertEquals(1, fresh.first().recv(one));
                        } catch (java.net.SocketException e) {
                            fail("the socket that took fd " + x + " was shut down by the old socket's late wake-up: " + e);
                        }
                        return;
                    } finally {
                        fresh.close();
                    }
                }
                fail("no new socket took the closed number in 10 attempts");
            }
        });
    }
}
