package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 18 SCM_RIGHTS cases of CPython's SCMRightsTest, written anew for this API: descriptors sent
 * whole, in separate messages, empty, cut mid-int, and received into control buffers from ample
 * down to a single byte. After every case the process has exactly the descriptors it had before.
 */
class ScmRightsTest {
    private static final byte[] MSG = "Message!".getBytes();
    private static final int HDR = 16;            // CMSG_LEN(0): sizeof(struct cmsghdr)
    private static final int INT = 4;

    private SockPair pair;
    private int before;
    private final List<Integer> sentFds = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        pair = Sock.pair(SockType.DGRAM);
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

    private static int space(int n) {
        return HDR + align(n);
    }

    private static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.close(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd);
        }
    }

    /** {@code n} new descriptors (read ends of pipes whose write ends are closed), kept for cleanup. */
    private List<OwnedFd> newFds(int n) {
        List<OwnedFd> fds = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment p = arena.allocate(ValueLayout.JAVA_INT, 2);
            for (int i = 0; i < n; i++) {
                assertEquals(0, Syscalls.pipe2(capture, p, LibC.O_CLOEXEC()));
                close(p.getAtIndex(ValueLayout.JAVA_INT, 1));
                int fd = p.getAtIndex(ValueLayout.JAVA_INT, 0);
                sentFds.add(fd);
                fds.add(OwnedFd.borrow(fd));
            }
        }
        return fds;
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

    private MsgResult receive(int controlBytes) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MSG.length);
        MsgResult r = pair.second().recvmsg(new ControlSpec(0, false, false, controlBytes), 0, in);
        assertEquals(MSG.length, r.length());
        assertEquals(new String(MSG), new String(in.array()));
        assertEquals(SockaddrUnix.unnamed(), r.from());
        return r;
    }

    /** Checks the received descriptors are open pipes, closes them, and returns how many came. */
    private static int checkAndClose(MsgResult r) throws IOException {
        int n = 0;
        for (Cmsg c : r.control()) {
            if (c instanceof Cmsg.Fds f) {
                for (OwnedFd fd : f.fds()) {
                    assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd.fd())).toString().startsWith("pipe:"));
                    fd.close();
                    n++;
                }
            } else {
                throw new AssertionError("unexpected control message " + c);
            }
        }
        return n;
    }

    private static void assertFds(MsgResult r, int expected, boolean maybeCut) throws IOException {
        if (!maybeCut) {
            assertFalse(r.controlTruncated(), MsgFlags.toString(r.flags()));
        }
        assertEquals(expected, checkAndClose(r));
    }

    /** Nothing usable arrives, and MSG_CTRUNC says the control data was cut. */
    private static void assertTruncatedHeader(MsgResult r, boolean ctruncOptional) throws IOException {
        assertEquals(0, checkAndClose(r));
        if (!ctruncOptional) {
            assertTrue(r.controlTruncated(), MsgFlags.toString(r.flags()));
        }
    }

    private static void assertTruncatedArray(MsgResult r, int maxFds) throws IOException {
        assertTrue(r.controlTruncated(), MsgFlags.toString(r.flags()));
        assertTrue(checkAndClose(r) <= maxFds);
    }

    @Test
    void fdPassSimple() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        assertFds(receive(10240), 1, false);
    }

    @Test
    void multipleFdPass() throws IOException {
        send(List.of(Cmsg.fds(newFds(4).toArray(OwnedFd[]::new))));
        assertFds(receive(10240), 4, false);
    }

    @Test
    void fdPassCmsgSpace() throws IOException {
        send(List.of(Cmsg.fds(newFds(4).toArray(OwnedFd[]::new))));
        assertFds(receive(space(4 * INT)), 4, false);
    }

    @Test
    void fdPassCmsgLen() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        assertFds(receive(HDR + 4 * INT), 1, true);
    }

    @Test
    void fdPassSeparate() throws IOException {
        List<OwnedFd> fds = newFds(2);
        send(List.of(Cmsg.fds(fds.get(0)), Cmsg.fds(fds.get(1))));
        MsgResult r = receive(10240);
        assertTrue(r.control().size() <= 2);
        assertFds(r, 2, false);
    }

    @Test
    void fdPassSeparateMinSpace() throws IOException {
        List<OwnedFd> fds = newFds(2);
        send(List.of(Cmsg.fds(fds.get(0)), Cmsg.fds(fds.get(1))));
        assertFds(receive(space(INT) + HDR + 2 * INT), 2, true);
    }

    @Test
    void fdPassEmpty() throws IOException {
        sendIfPossible(List.of(new Cmsg.Raw(LibC.SOL_SOCKET(), LibC.SCM_RIGHTS(), new byte[0])));
        assertFds(receive(10240), 0, true);
    }

    @Test
    void fdPassPartialInt() throws IOException {
        byte[] cut = java.util.Arrays.copyOf(ints(-1), INT - 1);
        sendIfPossible(List.of(new Cmsg.Raw(LibC.SOL_SOCKET(), LibC.SCM_RIGHTS(), cut)));
        MsgResult r = receive(10240);
        assertTrue(r.control().size() <= 1);
        assertEquals(0, checkAndClose(r), "a partial int is no descriptor");
    }

    @Test
    void fdPassPartialIntInMiddle() throws IOException {
        List<OwnedFd> fds = newFds(2);
        byte[] cut = java.util.Arrays.copyOf(ints(fds.get(0).fd(), -1), 2 * INT - 1);
        sendIfPossible(List.of(new Cmsg.Raw(LibC.SOL_SOCKET(), LibC.SCM_RIGHTS(), cut), Cmsg.fds(fds.get(1))));
        MsgResult r = receive(10240);
        assertTrue(r.control().size() <= 2);
        assertTrue(checkAndClose(r) <= 2);
    }

    @Test
    void cmsgTruncNoBufSize() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        MsgResult r = pair.second().recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocate(MSG.length));
        assertTruncatedHeader(r, true);
    }

    @Test
    void cmsgTrunc0() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        assertTruncatedHeader(receive(0), true);
    }

    @Test
    void cmsgTrunc1() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        assertTruncatedHeader(receive(1), false);
    }

    @Test
    void cmsgTrunc2Int() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        assertTruncatedHeader(receive(2 * INT), false);
    }

    @Test
    void cmsgTruncLen0Minus1() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        assertTruncatedHeader(receive(HDR - 1), false);
    }

    @Test
    void cmsgTruncLen0() throws IOException {
        send(List.of(Cmsg.fds(newFds(1).toArray(OwnedFd[]::new))));
        assertTruncatedArray(receive(HDR), 0);
    }

    @Test
    void cmsgTruncLen0Plus1() throws IOException {
        send(List.of(Cmsg.fds(newFds(2).toArray(OwnedFd[]::new))));
        assertTruncatedArray(receive(HDR + 1), 0);
    }

    @Test
    void cmsgTruncLen1() throws IOException {
        send(List.of(Cmsg.fds(newFds(2).toArray(OwnedFd[]::new))));
        assertTruncatedArray(receive(HDR + INT), 1);
    }

    @Test
    void cmsgTruncLen2Minus1() throws IOException {
        send(List.of(Cmsg.fds(newFds(2).toArray(OwnedFd[]::new))));
        assertTruncatedArray(receive(HDR + 2 * INT - 1), 1);
    }
}
