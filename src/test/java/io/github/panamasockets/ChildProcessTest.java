package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A child process inherits none of the library's descriptors: sockets of every family, listening,
 * connected and accepted ones, socketpairs, adopted and SCM_RIGHTS-received sockets, and the
 * wake-up eventfd are all close-on-exec. The JDK's ProcessBuilder closes every descriptor above 2
 * in the child whatever its flags, so a child started that way cannot show a missing
 * close-on-exec; the decisive child is started with system(3), which keeps every descriptor that
 * is not close-on-exec, as a C library or a native tool in the same process would. A pipe opened
 * without O_CLOEXEC is the control: that child must see it.
 */
@SuppressWarnings("restricted")   // system(3), by a downcall of our own
class ChildProcessTest {
    @TempDir
    static Path dir;

    private static final List<Sock> SOCKS = new ArrayList<>();
    /** Our descriptor numbers and what each is, as this process sees them. */
    private static final Map<Integer, String> OURS = new TreeMap<>();
    private static Thread waiter;

    private static Sock add(Sock s) {
        SOCKS.add(s);
        return s;
    }

    @BeforeAll
    static void openOneOfEverything() throws Exception {
        long pid = ProcessHandle.current().pid();
        add(Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.unnamed()));
        add(Sock.open(Family.UNIX, SockType.SEQPACKET));
        add(Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)));
        add(Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0)));
        add(Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel()));
        add(Sock.open(Family.NETLINK, SockType.DGRAM, Protocol.NETLINK_SOCK_DIAG));
        for (SockType t : List.of(SockType.STREAM, SockType.DGRAM, SockType.SEQPACKET)) {
            SockPair p = Sock.pair(t);
            add(p.first());
            add(p.second());
        }
        // Listening, connected and accepted: TCP, TCP/IPv6, Unix stream (pathname) and seqpacket.
        Sock tcp = add(Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen());
        add(Sock.open(Family.INET, SockType.STREAM).connect(tcp.localAddress()));
        add(tcp.accept().socket());
        Sock tcp6 = add(Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0)).listen());
        add(Sock.open(Family.INET6, SockType.STREAM).connect(tcp6.localAddress()));
        add(tcp6.accept().socket());
        Sock unix = add(Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.of(dir.resolve("s.sock"))).listen());
        add(Sock.open(Family.UNIX, SockType.STREAM).connect(unix.localAddress()));
        add(unix.accept().socket());
        Sock seq = add(Sock.open(Family.UNIX, SockType.SEQPACKET)
                .bind(SockaddrUnix.abstractName("child-" + pid + "-" + System.nanoTime())).listen());
        add(Sock.open(Family.UNIX, SockType.SEQPACKET).connect(seq.localAddress()));
        add(seq.accept().socket());
        // Adopted from a duplicate made without close-on-exec: adopt must set it.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            int dup = Syscalls.fcntl(capture, tcp.fd(), LibC.F_DUPFD(), 0);
            assertTrue(dup >= 0);
            add(Sock.adopt(dup));
        }
        // Received through SCM_RIGHTS (MSG_CMSG_CLOEXEC) and made a socket.
        try (SockPair carrier = Sock.pair(SockType.DGRAM); Sock passed = Sock.open(Family.INET, SockType.DGRAM)) {
            carrier.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(passed.fd()))), 0, new byte[] {1});
            MsgResult r = carrier.second().recvmsg(ControlSpec.fds(1), 0, ByteBuffer.allocate(4));
            add(((Cmsg.Fds) r.control().getFirst()).fds().getFirst().toSock());
        }
        // A netlink receive waiting in poll(2) has made the socket's wake-up eventfd.
        var eventfdsBefore = descriptors(Path.of("/proc/self/fd")).entrySet().stream()
                .filter(e -> e.getValue().equals("anon_inode:[eventfd]")).map(Map.Entry::getKey).toList();
        Sock nl = add(Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE));
        waiter = Thread.ofPlatform().start(() -> {
            try {
                nl.recv(new byte[64]);
            } catch (IOException closedAtTheEnd) {
                // expected
            }
        });
        Map<Integer, String> all = Map.of();
        for (int i = 0; i < 500 && OURS.isEmpty(); i++) {
            Thread.sleep(10);
            all = descriptors(Path.of("/proc/self/fd"));
            all.forEach((fd, what) -> {
                if (what.equals("anon_inode:[eventfd]") && !eventfdsBefore.contains(fd)) {
                    OURS.put(fd, what);
                }
            });
        }
        assertEquals(1, OURS.size(), "the waiting receive made one wake-up eventfd");
        for (Sock s : SOCKS) {
            OURS.put(s.fd(), all.get(s.fd()));
        }
        assertTrue(OURS.size() >= SOCKS.size() + 1);
        OURS.values().forEach(v -> assertTrue(v.startsWith("socket:") || v.equals("anon_inode:[eventfd]"), v));
    }

    @AfterAll
    static void closeAll() throws InterruptedException {
        SOCKS.forEach(Sock::close);
        if (waiter != null) {
            waiter.join(10_000);
        }
    }

    /** The descriptors in a /proc/PID/fd directory and what each links to. */
    private static Map<Integer, String> descriptors(Path fdDir) throws IOException {
        Map<Integer, String> m = new TreeMap<>();
        try (var entries = Files.list(fdDir)) {
            for (Path p : entries.toList()) {
                try {
                    m.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        return m;
    }

    private static final Pattern LS_LINE = Pattern.compile("\\s(\\d+) -> (.*)$");

    /** Parses {@code ls -l /proc/self/fd}: descriptor number to link target. */
    private static Map<Integer, String> parseLs(String out) {
        Map<Integer, String> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher matcher = LS_LINE.matcher(line);
            if (matcher.find()) {
                m.put(Integer.parseInt(matcher.group(1)), matcher.group(2));
            }
        }
        assertTrue(m.containsKey(0) && m.containsKey(1) && m.containsKey(2), "the listing has 0, 1 and 2:\n" + out);
        return m;
    }

    /**
     * Fails if the child holds any of our descriptors. An inherited descriptor keeps its number,
     * so each of our numbers is looked up in the child and compared by what it links to (a
     * socket's inode); a socket of ours under another number would show by its inode too. Other
     * sockets may be there: the JDK's own sockets are not close-on-exec (ProcessBuilder closes
     * them in the child instead), and earlier tests in this JVM may hold some.
     */
    private static void assertInheritedNone(Map<Integer, String> child, String how, String raw) {
        for (var e : OURS.entrySet()) {
            if (e.getValue().equals(child.get(e.getKey()))) {
                fail("the child (" + how + ") inherited our fd " + e.getKey() + " -> " + e.getValue()
                        + "\nours: " + OURS + "\nchild:\n" + raw);
            }
        }
        for (var e : child.entrySet()) {
            if (e.getValue().startsWith("socket:") && OURS.containsValue(e.getValue())) {
                fail("the child (" + how + ") holds our " + e.getValue() + " as fd " + e.getKey() + "\nchild:\n" + raw);
            }
        }
    }

    private static final MethodHandle SYSTEM = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("system").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** Runs {@code ls -l /proc/self/fd} through system(3), which keeps inheritable descriptors. */
    private static String listThroughSystem(String name) throws Throwable {
        Path out = dir.resolve(name);
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) SYSTEM.invokeExact(arena.allocateFrom("exec ls -l /proc/self/fd > '" + out + "' 2>&1"));
            assertEquals(0, status, "system(3) status; output: " + (Files.exists(out) ? Files.readString(out) : "none"));
        }
        return Files.readString(out);
    }

    @Test
    void aChildStartedWithSystemInheritsNoSocketAndTheControlPipeShowsItWould() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, Syscalls.pipe2(capture, fds, 0), "a pipe without O_CLOEXEC");
            int r = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            int w = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            String raw;
            try {
                raw = listThroughSystem("system.txt");
            } finally {
                Syscalls.close(capture, r);
                Syscalls.close(capture, w);
            }
            Map<Integer, String> child = parseLs(raw);
            assertTrue(child.containsKey(r) && child.get(r).startsWith("pipe:") && child.containsKey(w),
                    "the control pipe " + r + "/" + w + " (no O_CLOEXEC) reached the child:\n" + raw);
            assertInheritedNone(child, "system(3)", raw);
        }
    }

    @Test
    void aChildStartedWithProcessBuilderHoldsOnlyItsStandardDescriptors() throws Exception {
        Process p = new ProcessBuilder("ls", "-l", "/proc/self/fd").redirectErrorStream(true).start();
        String raw = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), raw);
        Map<Integer, String> child = parseLs(raw);
        assertInheritedNone(child, "ProcessBuilder", raw);
        // Only 0, 1, 2 and the listing's own directory.
        child.forEach((fd, what) -> assertTrue(fd <= 2 || what.matches("/proc/\\d+/fd"),
                "unexpected descriptor " + fd + " -> " + what + " in\n" + raw));
    }

    @Test
    void everyDescriptorOfOursIsCloseOnExec() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            for (int fd : OURS.keySet()) {
                int flags = Syscalls.fcntl(capture, fd, LibC.F_GETFD(), 0);
                assertTrue(flags >= 0, "fd " + fd + " is open");
                assertEquals(LibC.FD_CLOEXEC(), flags & LibC.FD_CLOEXEC(), "fd " + fd + " -> " + OURS.get(fd) + " is close-on-exec");
            }
        }
    }
}
