package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The 18 SCM_RIGHTS cases of CPython's SCMRightsTest, written anew for this API, over Unix
 * datagram, stream and seqpacket pairs: descriptors sent whole, in separate messages, empty, cut
 * mid-int, and received into control buffers from ample down to a single byte. Each descriptor
 * that arrives must be the very pipe that was sent, in order; after every case the process has
 * exactly the descriptors it had before. Then the same across a process boundary, with python3.
 *
 * <p>Where CPython must allow for other systems, the Linux cases here are strict: MSG_CTRUNC is
 * set whenever a descriptor did not fit, including with no control buffer at all.
 */
@ParameterizedClass(name = "SOCK_{0}")
@ValueSource(strings = {"DGRAM", "STREAM", "SEQPACKET"})
class ScmRightsTest {
    private static final byte[] MSG = "Message!".getBytes();
    private static final int HDR = 16;            // CMSG_LEN(0): sizeof(struct cmsghdr) on 64-bit Linux
    private static final int INT = 4;
    private static final int BAD_FD = -21845;

    @Parameter
    String typeName;

    private SockPair pair;
    private int before;
    private final List<Integer> sentFds = new ArrayList<>();
    /** What /proc/self/fd says each sent descriptor is, such as "pipe:[123]", in order sent. */
    private final List<String> sentFiles = new ArrayList<>();

    private SockType type() {
        return switch (typeName) {
            case "STREAM" -> SockType.STREAM;
            case "DGRAM" -> SockType.DGRAM;
            default -> SockType.SEQPACKET;
        };
    }

    @BeforeEach
    void open() throws IOException {
        pair = Sock.pair(type());
        before = FdLeakTest.openFds();
    }

    @AfterEach
    void checkNothingLeaked() {
        for (int fd : sentFds) {
            close(fd);
        }
        assertEquals(before, FdLeakTest.openFds(), "descriptors open after the case");
        pair.close();
    }

    private static int align(int n) {
        return (n + 7) & ~7;
    }

    /** CMSG_SPACE, written out here independently of the library's. */
    private static int space(int n) {
        return HDR + align(n);
    }

    private static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.close(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd);
        }
    }

    private static String file(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    /** {@code n} new descriptors (read ends of pipes whose write ends are closed), closed after the case. */
    private List<OwnedFd> newFds(int n) throws IOException {
        List<OwnedFd> fds = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment p = arena.allocate(ValueLayout.JAVA_INT, 2);
            for (int i = 0; i < n; i++) {
                assertEquals(0, Syscalls.pipe2(capture, p, LibC.O_CLOEXEC()));
                close(p.getAtIndex(ValueLayout.JAVA_INT, 1));
                int fd = p.getAtIndex(ValueLayout.JAVA_INT, 0);
                sentFds.add(fd);
                sentFiles.add(file(fd));
                fds.add(OwnedFd.borrow(fd));
            }
        }
        return fds;
    }

    private List<Cmsg> createFds(int n) throws IOException {
        return List.of(Cmsg.fds(newFds(n).toArray(OwnedFd[]::new)));
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * INT).order(ByteOrder.nativeOrder());
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private void send(List<Cmsg> control) throws IOException {
        assertEquals(MSG.length, pair.first().sendmsg(null, control, 0, ByteBuffer.wrap(MSG)));
    }

    /** Sends with the control data if the kernel takes it, else without, as a peer would. */
    private void sendIfPossible(List<Cmsg> control) throws IOException {
        try {
            send(control);
        } catch (SyscallException e) {
            assertTrue(e.errno() > 0);
            send(List.of());
        }
    }

    /** Receives MSG with exactly {@code controlBytes} of control buffer. */
    private MsgResult receive(int controlBytes) throws IOException {
        return check(pair.second().recvmsg(new ControlSpec(0, false, false, controlBytes), 0, ByteBuffer.allocate(MSG.length)));
    }

    private static MsgResult check(MsgResult r) {
        assertEquals(MSG.length, r.length());
        assertFalse(r.truncated(), r.toString());
        assertEquals(SockaddrUnix.unnamed(), r.from());
        return r;
    }

    /**
     * Checks that every received descriptor is, in order, one of those sent (the same pipe, by
     * inode), that the messages hold nothing else, then closes them; returns how many came.
     */
    private int checkAndClose(MsgResult r, int maxMessages) throws IOException {
        assertTrue(r.control().size() <= maxMessages, r.toString());
        for (Cmsg c : r.control()) {
            assertTrue(c instanceof Cmsg.Fds, "unexpected control message " + c);
        }
        List<OwnedFd> got = r.fds();
        try {
            for (int i = 0; i < got.size(); i++) {
                assertTrue(i < sentFiles.size(), "more descriptors than were sent: " + r);
                assertEquals(sentFiles.get(i), file(got.get(i).fd()), "descriptor " + i + " is the pipe sent as " + i);
            }
        } finally {
            got.forEach(OwnedFd::close);
        }
        return got.size();
    }

    private void assertFds(MsgResult r, int expected, int maxMessages, boolean cutAllowed) throws IOException {
        if (!cutAllowed) {
            assertFalse(r.controlTruncated(), r.toString());
        }
        assertEquals(expected, checkAndClose(r, maxMessages));
    }

    /** Nothing arrives, and MSG_CTRUNC says something did not fit. */
    private void assertTruncatedHeader(MsgResult r) throws IOException {
        assertEquals(0, checkAndClose(r, 0));
        assertTrue(r.controlTruncated(), r.toString());
    }

    /** MSG_CTRUNC, and at most {@code maxFds} of the descriptors: the ones that fit. */
    private void assertTruncatedArray(MsgResult r, int maxFds) throws IOException {
        assertTrue(r.controlTruncated(), r.toString());
        assertEquals(maxFds, checkAndClose(r, 1), "every descriptor that fitted is returned");
    }

    @Test
    void fdPassSimple() throws IOException {
        send(createFds(1));
        assertFds(receive(10240), 1, 1, false);
    }

    @Test
    void multipleFdPass() throws IOException {
        send(createFds(4));
        assertFds(receive(10240), 4, 1, false);
    }

    @Test
    void fdPassCmsgSpace() throws IOException {
        send(createFds(4));
        assertFds(receive(space(4 * INT)), 4, 1, false);
    }

    @Test
    void fdPassCmsgLen() throws IOException {
        send(createFds(1));
        assertFds(receive(HDR + 4 * INT), 1, 1, true);
    }

    @Test
    void fdPassSeparate() throws IOException {
        List<OwnedFd> fds = newFds(2);
        send(List.of(Cmsg.fds(fds.get(0)), Cmsg.fds(fds.get(1))));
        assertFds(receive(10240), 2, 2, false);
    }

    @Test
    void fdPassSeparateMinSpace() throws IOException {
        List<OwnedFd> fds = newFds(2);
        send(List.of(Cmsg.fds(fds.get(0)), Cmsg.fds(fds.get(1))));
        assertFds(receive(space(INT) + HDR + 2 * INT), 2, 2, true);
    }

    @Test
    void fdPassEmpty() throws IOException {
        sendIfPossible(List.of(new Cmsg.Raw(LibC.SOL_SOCKET(), LibC.SCM_RIGHTS(), new byte[0])));
        assertFds(receive(10240), 0, 0, true);
    }

    @Test
    void fdPassPartialInt() throws IOException {
        byte[] cut = Arrays.copyOf(ints(BAD_FD), INT - 1);
        sendIfPossible(List.of(new Cmsg.Raw(LibC.SOL_SOCKET(), LibC.SCM_RIGHTS(), cut)));
        assertEquals(0, checkAndClose(receive(10240), 1), "a partial int is no descriptor");
    }

    @Test
    void fdPassPartialIntInMiddle() throws IOException {
        List<OwnedFd> fds = newFds(2);
        byte[] cut = Arrays.copyOf(ints(fds.get(0).fd(), BAD_FD), 2 * INT - 1);
        sendIfPossible(List.of(new Cmsg.Raw(LibC.SOL_SOCKET(), LibC.SCM_RIGHTS(), cut), Cmsg.fds(fds.get(1))));
        assertTrue(checkAndClose(receive(10240), 2) <= 2);
    }

    @Test
    void cmsgTruncNoBufSize() throws IOException {
        send(createFds(1));
        assertTruncatedHeader(check(pair.second().recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocate(MSG.length))));
    }

    @Test
    void cmsgTrunc0() throws IOException {
        send(createFds(1));
        assertTruncatedHeader(receive(0));
    }

    @Test
    void cmsgTrunc1() throws IOException {
        send(createFds(1));
        assertTruncatedHeader(receive(1));
    }

    @Test
    void cmsgTrunc2Int() throws IOException {
        send(createFds(1));
        assertTruncatedHeader(receive(2 * INT));
    }

    @Test
    void cmsgTruncLen0Minus1() throws IOException {
        send(createFds(1));
        assertTruncatedHeader(receive(HDR - 1));
    }

    @Test
    void cmsgTruncLen0() throws IOException {
        send(createFds(1));
        assertTruncatedArray(receive(HDR), 0);
    }

    @Test
    void cmsgTruncLen0Plus1() throws IOException {
        send(createFds(2));
        assertTruncatedArray(receive(HDR + 1), 0);
    }

    @Test
    void cmsgTruncLen1() throws IOException {
        send(createFds(2));
        assertTruncatedArray(receive(HDR + INT), 1);
    }

    @Test
    void cmsgTruncLen2Minus1() throws IOException {
        send(createFds(2));
        assertTruncatedArray(receive(HDR + 2 * INT - 1), 1);
    }

    private static final String PYTHON_PEER = """
            import os, socket, sys
            name, kind = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_UNIX, getattr(socket, 'SOCK_' + kind))
            if kind == 'DGRAM':
                s.bind('\\0' + name + '-py')
            s.connect('\\0' + name)
            # 1. to Java: one end of a socketpair and a pipe's read end
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            r, w = os.pipe()
            socket.send_fds(s, [b'two'], [b.fileno(), r])
            b.close()
            os.close(r)
            os.write(w, b'through the pipe')
            os.close(w)
            a.send(b'through the socket')
            print(a.recv(100).decode(), flush=True)
            # 2. from Java: a socket, to answer through
            msg, fds, flags, addr = socket.recv_fds(s, 16, 4)
            with socket.socket(fileno=fds[0]) as t:
                t.send(b'python was here')
            print(msg.decode(), len(fds), flush=True)
            """;

    /**
     * Descriptors across a process boundary, both ways, over this case's socket type: python3's
     * {@code socket.send_fds} passes a socket and a pipe, used here; {@code socket.recv_fds} takes
     * a socket from here and answers through it. Skipped visibly where python3 is not installed.
     */
    @Test
    void socketsAndPipesToAndFromAPython3Peer() throws Exception {
        Path py = PythonFdTest.python();
        assumeTrue(py != null, "python3 is not installed: the python3 descriptor exchange is skipped");
        String name = "scm-rights-" + typeName + "-" + ProcessHandle.current().pid();
        boolean dgram = type().equals(SockType.DGRAM);
        try (var server = Sock.open(Family.UNIX, type()).bind(SockaddrUnix.abstractName(name));
             var carried = Sock.pair(SockType.DGRAM)) {
            if (!dgram) {
                server.listen();
            }
            int fdsBefore = FdLeakTest.openFds();
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Process p = new ProcessBuilder(py.toString(), "-c", PYTHON_PEER, name, typeName).redirectErrorStream(true).start();
                try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                     Accepted conn = dgram ? null : server.accept();
                     Arena arena = Arena.ofConfined()) {
                    Sock s = dgram ? server : conn.socket();
                    byte[] note = new byte[3];
                    MsgResult got = s.recvmsg(ControlSpec.fds(2), MsgFlags.WAITALL, note);
                    assertEquals("two", new String(note));
                    assertFalse(got.controlTruncated(), got.toString());
                    if (dgram) {
                        assertEquals(SockaddrUnix.abstractName(name + "-py"), got.from());
                        s.connect(got.from());
                    }
                    List<OwnedFd> fds = got.fds();
                    assertEquals(2, fds.size());
                    // the socket: talk to python through it
                    try (Sock theirs = fds.get(0).toSock()) {
                        assertEquals(SockType.SEQPACKET, theirs.type());
                        byte[] buf = new byte[64];
                        int n = theirs.recv(buf);
                        assertEquals("through the socket", new String(buf, 0, n));
                        theirs.send("java answers".getBytes());
                    }
                    assertEquals("java answers", out.readLine());
                    // the pipe: read what python wrote into it
                    try (OwnedFd pipe = fds.get(1)) {
                        MemorySegment buf = arena.allocate(64);
                        long n = Syscalls.read(arena.allocate(Syscalls.CAPTURE_LAYOUT), pipe.fd(), buf, 64);
                        assertEquals("through the pipe", new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)));
                    }
                    // the other way: a socket of ours, through which python answers
                    s.sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(carried.first().fd()))), 0, "sock".getBytes());
                    byte[] answer = new byte[64];
                    int n = carried.second().recv(answer);
                    assertEquals("python was here", new String(answer, 0, n));
                    assertEquals("sock 1", out.readLine());
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                    assertEquals(0, p.exitValue());
                } finally {
                    p.getOutputStream().close();
                    p.getErrorStream().close();
                }
            });
            assertEquals(fdsBefore, FdLeakTest.openFds(), "every descriptor received was closed or handed on");
        }
    }
}
