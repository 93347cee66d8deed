package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sendmsg and recvmsg: descriptors passed and never lost, even when the control buffer is too
 * small; credentials and packet information; scatter and gather with truncation and peeking.
 */
class MessageTest {

    /** A pipe: [read end, write end], both close-on-exec. */
    static int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()));
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.close(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd);
        }
    }

    static void write(int fd, byte b) {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(1, Syscalls.write(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd, arena.allocateFrom(ValueLayout.JAVA_BYTE, b), 1));
        }
    }

    static int read(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(1);
            assertEquals(1, Syscalls.read(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd, one, 1));
            return one.get(ValueLayout.JAVA_BYTE, 0);
        }
    }

    private static List<OwnedFd> fdsOf(MsgResult r) {
        List<OwnedFd> all = new ArrayList<>();
        for (Cmsg c : r.control()) {
            if (c instanceof Cmsg.Fds f) {
                all.addAll(f.fds());
            }
        }
        return all;
    }

    @Test
    void aPipePassedOverASocketStillWorks() throws Exception {
        int[] p = pipe();
        try (var pair = Sock.pair(SockType.STREAM)) {
            int before = FdLeakTest.openFds();
            long sent = pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(p[1]))), 0,
                    ByteBuffer.wrap("take this".getBytes()));
            assertEquals(9, sent);
            ByteBuffer in = ByteBuffer.allocate(32);
            MsgResult r = pair.second().recvmsg(ControlSpec.fds(1), 0, in);
            assertEquals(9, r.length());
            assertEquals(9, in.position());
            List<OwnedFd> got = fdsOf(r);
            assertEquals(1, got.size());
            assertFalse(r.controlTruncated());
            try (OwnedFd w = got.get(0)) {
                assertTrue(w.fd() != p[1], "a new descriptor for the same pipe");
                assertTrue((Syscalls.fcntl(Arena.ofAuto().allocate(Syscalls.CAPTURE_LAYOUT), w.fd(), LibC.F_GETFD(), 0)
                        & LibC.FD_CLOEXEC()) != 0, "received descriptors are close-on-exec");
                write(w.fd(), (byte) 42);
                assertEquals(42, read(p[0]), "writing through the received descriptor reaches the pipe");
            }
            assertEquals(before, FdLeakTest.openFds());
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    /**
     * The truncation cases: 3 descriptors sent, room made for fewer (or none). The kernel passes
     * only what fits and says MSG_CTRUNC; every descriptor it passed is returned, and once they are
     * closed the open-descriptor count is what it was.
     */
    @ParameterizedTest(name = "3 fds sent, room for {0}, extra {1} bytes")
    @CsvSource({"0,0", "0,4", "1,0", "2,0", "3,0", "4,0", "0,16", "1,3"})
    void descriptorsAreNeverLostWhenControlIsCut(int room, int extra) throws Exception {
        int[] p = pipe();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            int before = FdLeakTest.openFds();
            pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(p[0]), OwnedFd.borrow(p[1]), OwnedFd.borrow(p[1]))),
                    0, ByteBuffer.wrap(new byte[] {1}));
            MsgResult r = pair.second().recvmsg(new ControlSpec(room, false, false, extra), 0, ByteBuffer.allocate(4));
            assertEquals(1, r.length());
            List<OwnedFd> got = fdsOf(r);
            // The control buffer recvmsg made: CMSG_SPACE(4 * room) for the fds plus the extra bytes.
            // The kernel fits as many 4-byte fds as there is room for after the 16-byte header.
            long bytes = (room > 0 ? 16 + ((4L * room + 7) & ~7) : 0) + extra;
            int fit = (int) Math.min(3, Math.max(0, (bytes - 16) / 4));
            assertEquals(fit < 3, r.controlTruncated(), MsgFlags.toString(r.flags()));
            assertEquals(fit, got.size(), "descriptors returned");
            for (OwnedFd fd : got) {
                assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd.fd())).toString().startsWith("pipe:"));
                fd.close();
            }
            assertEquals(before, FdLeakTest.openFds(), "every descriptor the kernel passed was returned and closed");
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    @Test
    void aSocketPassedAlongBecomesASock() throws Exception {
        try (var pair = Sock.pair(SockType.SEQPACKET); var carried = Sock.pair(SockType.DGRAM)) {
            pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(carried.first().fd()))), 0, ByteBuffer.allocate(1));
            MsgResult r = pair.second().recvmsg(ControlSpec.fds(2), 0, ByteBuffer.allocate(1));
            try (Sock s = fdsOf(r).get(0).toSock()) {
                assertEquals(Family.UNIX, s.family());
                assertEquals(SockType.DGRAM, s.type());
                s.send(new byte[] {7});
                byte[] b = new byte[1];
                assertEquals(1, carried.second().recv(b));
                assertEquals(7, b[0]);
            }
        }
    }

    @Test
    void rawControlMessagesAreSentAsTheyAre() throws Exception {
        int[] p = pipe();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            byte[] fd = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(p[1]).array();
            pair.first().sendmsg(null, List.of(new Cmsg.Raw(LibC.SOL_SOCKET(), LibC.SCM_RIGHTS(), fd)), 0, ByteBuffer.allocate(1));
            MsgResult r = pair.second().recvmsg(ControlSpec.fds(1), 0, ByteBuffer.allocate(1));
            List<OwnedFd> got = fdsOf(r);
            assertEquals(1, got.size(), "a raw SCM_RIGHTS comes back typed");
            got.get(0).close();
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    @Test
    void scatterGatherTruncationAndPeek() throws Exception {
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            long n = pair.first().sendmsg(null, List.of(), 0, ByteBuffer.wrap("abc".getBytes()),
                    ByteBuffer.allocateDirect(3).put("def".getBytes()).flip(), ByteBuffer.wrap("ghij".getBytes()));
            assertEquals(10, n);
            ByteBuffer a = ByteBuffer.allocate(4);
            ByteBuffer b = ByteBuffer.allocateDirect(4);
            MsgResult peek = pair.second().recvmsg(ControlSpec.NONE, MsgFlags.PEEK | MsgFlags.TRUNC, a, b);
            assertEquals(10, peek.length(), "MSG_TRUNC asks for the real length");
            assertTrue(peek.truncated(), MsgFlags.toString(peek.flags()));
            assertEquals("abcd", new String(a.array(), 0, 4));
            assertEquals(4, b.position());
            ByteBuffer whole = ByteBuffer.allocate(16);
            MsgResult r = pair.second().recvmsg(ControlSpec.NONE, 0, whole);
            assertEquals(10, r.length(), "the peeked message was still there");
            assertFalse(r.truncated());
            assertEquals("abcdefghij", new String(whole.array(), 0, 10));
            pair.first().close();
            assertEquals(-1, pair.second().recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocate(1)).length());
        }
    }

    @Test
    void byteArraysAndSegmentsScatterAndGatherToo() throws Exception {
        try (var pair = Sock.pair(SockType.DGRAM); Arena arena = Arena.ofConfined()) {
            assertEquals(7, pair.first().sendmsg(null, List.of(), 0, "abc".getBytes(), "defg".getBytes()));
            byte[] x = new byte[2];
            byte[] y = new byte[10];
            assertEquals(7, pair.second().recvmsg(ControlSpec.NONE, 0, x, y).length());
            assertEquals("ab", new String(x));
            assertEquals("cdefg", new String(y, 0, 5));
            assertEquals(8, pair.first().sendmsg(null, List.of(), 0, arena.allocateFrom("seg"),
                    MemorySegment.ofArray("ment".getBytes())));
            MemorySegment into = arena.allocate(16);
            byte[] heap = new byte[3];
            MsgResult r = pair.second().recvmsg(ControlSpec.NONE, 0, MemorySegment.ofArray(heap), into);
            assertEquals(8, r.length());
            assertEquals("seg", new String(heap));
            assertEquals("ment", into.getString(1));
        }
    }

    @Test
    void aDatagramLongerThanTheBuffersIsFlaggedTruncated() throws Exception {
        try (var a = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
             var b = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0))) {
            a.sendTo(new byte[100], 0, 100, b.localAddress());
            MsgResult r = b.recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocate(10), ByteBuffer.allocate(10));
            assertEquals(20, r.length());
            assertTrue(r.truncated());
            assertEquals(a.localAddress(), r.from());
        }
    }

    /** Asserts {@code call} throws {@code type} with a message containing every one of {@code words}. */
    private static <T extends Throwable> void refused(Class<T> type, org.junit.jupiter.api.function.Executable call,
            String... words) {
        T e = assertThrows(type, call);
        for (String w : words) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(w), "\"" + w + "\" in: " + e.getMessage());
        }
    }

    @Test
    void badControlMessagesAreRefusedBeforeTheCallWithClearMessages() throws Exception {
        int[] p = pipe();
        try (var pair = Sock.pair(SockType.DGRAM);
             var udp = Sock.open(Family.INET, SockType.DGRAM);
             var udp6 = Sock.open(Family.INET6, SockType.DGRAM);
             Arena arena = Arena.ofConfined()) {
            Sock s = pair.first();
            ByteBuffer one = ByteBuffer.allocate(1);
            var v4 = SockaddrInet4.loopback(9);
            refused(IllegalArgumentException.class, () -> new Cmsg.Fds(List.of()), "1 to 253", "not 0");
            var tooMany = new ArrayList<OwnedFd>();
            for (int i = 0; i < 254; i++) {
                tooMany.add(OwnedFd.borrow(p[0]));
            }
            refused(IllegalArgumentException.class, () -> new Cmsg.Fds(tooMany), "254", "253");
            refused(IllegalArgumentException.class, () -> OwnedFd.borrow(-1), "-1");
            refused(IllegalArgumentException.class, () -> new Cmsg.PktInfo(SockaddrInet4.loopback(0), -2), "-2");
            refused(IllegalArgumentException.class, () -> new Cmsg.PktInfo(io.github.panamasockets.address.SockaddrUnix.unnamed(), 0),
                    "AF_UNIX");
            // Checked against the socket, before any system call:
            refused(IllegalArgumentException.class, () -> s.sendmsg(null, List.of(new Cmsg.Raw(1, 1, new byte[70_000])), 0, one),
                    "control message 0", "70000", "65536");
            List<Cmsg> withNull = new ArrayList<>(List.of(Cmsg.fds(OwnedFd.borrow(p[0]))));
            withNull.add(null);
            refused(NullPointerException.class, () -> s.sendmsg(null, withNull, 0, one), "control message 1 is null");
            refused(IllegalArgumentException.class,
                    () -> s.sendmsg(null, List.of(Cmsg.fds(tooMany.subList(0, 200).toArray(OwnedFd[]::new)),
                            Cmsg.fds(tooMany.subList(0, 54).toArray(OwnedFd[]::new))), 0, one),
                    "254 descriptors", "253", "SCM_MAX_FD");
            refused(IllegalArgumentException.class, () -> udp.sendmsg(v4, List.of(Cmsg.fds(OwnedFd.borrow(p[0]))), 0, one),
                    "SCM_RIGHTS", "AF_INET", "AF_UNIX");
            refused(IllegalArgumentException.class, () -> udp.sendmsg(v4, List.of(new Cmsg.Credentials(1, 0, 0)), 0, one),
                    "SCM_CREDENTIALS", "AF_INET", "AF_UNIX");
            refused(IllegalArgumentException.class,
                    () -> udp.sendmsg(v4, List.of(new Cmsg.PktInfo(SockaddrInet6.loopback(0), 0)), 0, one),
                    "IPV6_PKTINFO", "AF_INET");
            refused(IllegalArgumentException.class,
                    () -> s.sendmsg(null, List.of(new Cmsg.PktInfo(SockaddrInet4.loopback(0), 0)), 0, one),
                    "IP_PKTINFO", "AF_UNIX");
            int[] q = pipe();
            close(q[1]);
            OwnedFd closed = OwnedFd.received(q[0]);
            closed.close();
            refused(IllegalStateException.class, () -> s.sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(p[0]), closed)), 0, one),
                    "SCM_RIGHTS", "descriptor 1", "closed");
            refused(IllegalArgumentException.class, () -> s.sendmsg(null, List.of(), 0, new byte[1025][]), "1025", "1024");
            refused(NullPointerException.class, () -> s.sendmsg(null, List.of(), 0, new byte[1], null), "buffer 1");
            refused(IllegalArgumentException.class, () -> new ControlSpec(254, false, false, 0), "254");
            refused(IllegalArgumentException.class, () -> new ControlSpec(0, false, false, -1), "-1");
            refused(IllegalArgumentException.class,
                    () -> pair.second().recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocate(1), ByteBuffer.allocate(1).asReadOnlyBuffer()),
                    "read-only", "buffer 1");
            refused(IllegalArgumentException.class,
                    () -> pair.second().recvmsg(ControlSpec.NONE, 0, arena.allocate(4).asReadOnly()), "read-only", "buffer 0");
            // An IPv4 PktInfo on a dual-stack IPv6 socket is the kernel's to judge: not refused here.
            udp6.sendmsg(SockaddrInet6.loopback(9), List.of(new Cmsg.PktInfo(SockaddrInet4.loopback(0), 0)), 0, one.clear());
            // None of those reached the peer.
            assertTrue(pair.second().recvmsg(ControlSpec.fds(4), MsgFlags.DONTWAIT, new byte[1]).wouldBlock());
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    /** C5: the caller's control list is read once, so one that changes under the call changes nothing. */
    @Test
    void theCallersControlListIsReadOnce() throws Exception {
        int[] p = pipe();
        int[] reads = {0};
        List<Cmsg> shifty = new java.util.AbstractList<>() {
            @Override
            public Cmsg get(int i) {
                // good the first time it is read, bad every time after
                return reads[0]++ == 0 ? Cmsg.fds(OwnedFd.borrow(p[1])) : new Cmsg.Raw(1, 1, new byte[100_000]);
            }

            @Override
            public int size() {
                return 1;
            }
        };
        try (var pair = Sock.pair(SockType.DGRAM)) {
            assertEquals(1, pair.first().sendmsg(null, shifty, 0, new byte[] {1}));
            assertEquals(1, reads[0], "read once");
            MsgResult r = pair.second().recvmsg(ControlSpec.fds(1), 0, new byte[1]);
            assertEquals(1, r.fds().size());
            r.fds().forEach(OwnedFd::close);
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    /**
     * Datagrams and seqpackets of 100 bytes into three 10-byte buffers, of each kind: the first 30
     * bytes land in order, MSG_TRUNC reports the cut (and, asked for, the real length), and a peek
     * leaves the message for the next receive.
     */
    @ParameterizedTest(name = "SOCK_{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"DGRAM", "SEQPACKET"})
    void aMessageLargerThanTheBuffersIsCutVisibly(String typeName) throws Exception {
        SockType type = typeName.equals("DGRAM") ? SockType.DGRAM : SockType.SEQPACKET;
        byte[] msg = new byte[100];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) i;
        }
        try (var pair = Sock.pair(type); Arena arena = Arena.ofConfined()) {
            // gathered from four kinds of buffer
            assertEquals(100, pair.first().sendmsg(null, List.of(), 0, MemorySegment.ofArray(java.util.Arrays.copyOfRange(msg, 0, 25)),
                    arena.allocateFrom(ValueLayout.JAVA_BYTE, java.util.Arrays.copyOfRange(msg, 25, 50)),
                    MemorySegment.ofBuffer(ByteBuffer.wrap(msg, 50, 25).slice()),
                    MemorySegment.ofBuffer(ByteBuffer.allocateDirect(25).put(msg, 75, 25).flip())));
            assertEquals(100, pair.first().sendmsg(null, List.of(), 0, msg));
            ByteBuffer heap = ByteBuffer.allocate(10);
            ByteBuffer direct = ByteBuffer.allocateDirect(10);
            MemorySegment seg = arena.allocate(10);
            MsgResult peek = pair.second().recvmsg(ControlSpec.NONE, MsgFlags.PEEK | MsgFlags.TRUNC, heap, direct);
            assertEquals(100, peek.length(), "MSG_TRUNC in: the real length");
            assertTrue(peek.truncated(), peek.toString());
            assertTrue(peek.toString().contains("MSG_TRUNC"), peek.toString());
            assertEquals(10, heap.position());
            assertEquals(10, direct.position());
            heap.clear();
            direct.clear();
            MsgResult r = pair.second().recvmsg(ControlSpec.NONE, 0, heap, direct);
            assertEquals(20, r.length(), "without MSG_TRUNC in: what was kept");
            assertTrue(r.truncated());
            assertEquals(ByteBuffer.wrap(msg, 0, 10), heap.flip());
            assertEquals(ByteBuffer.wrap(msg, 10, 10), direct.flip());
            // the second message: byte[] and a segment
            byte[] first = new byte[10];
            r = pair.second().recvmsg(ControlSpec.NONE, 0, MemorySegment.ofArray(first), seg, MemorySegment.ofArray(new int[] {0, 0}));
            assertEquals(28, r.length());
            assertTrue(r.truncated());
            assertArrayEquals(java.util.Arrays.copyOfRange(msg, 0, 10), first);
            assertArrayEquals(java.util.Arrays.copyOfRange(msg, 10, 20), seg.toArray(ValueLayout.JAVA_BYTE));
            // a message that fits is not flagged
            pair.first().sendmsg(null, List.of(), 0, new byte[] {1, 2, 3});
            r = pair.second().recvmsg(ControlSpec.NONE, 0, new byte[2], new byte[2]);
            assertEquals(3, r.length());
            assertEquals(0, r.flags(), MsgFlags.toString(r.flags()));
        }
    }

    /**
     * C3: 10^5 non-blocking recvmsg calls that fail with EAGAIN, each with room for descriptors,
     * return no descriptors and leave the descriptor count as it was; the one message that then
     * arrives brings exactly its one descriptor.
     */
    @Test
    void failedReceivesNeverParseControlData() throws Exception {
        int[] p = pipe();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            int before = FdLeakTest.openFds();
            byte[] buf = new byte[1];
            for (int i = 0; i < 100_000; i++) {
                MsgResult nothing = pair.second().recvmsg(ControlSpec.fds(4), MsgFlags.DONTWAIT, buf);
                if (!nothing.wouldBlock() || !nothing.control().isEmpty()) {
                    throw new AssertionError("call " + i + " received something: " + nothing);
                }
            }
            assertEquals(before, FdLeakTest.openFds());
            pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(p[1]))), 0, new byte[] {1});
            MsgResult r = pair.second().recvmsg(ControlSpec.fds(4), MsgFlags.DONTWAIT, buf);
            assertEquals(1, r.fds().size());
            assertEquals(before + 1, FdLeakTest.openFds());
            r.fds().get(0).close();
            assertEquals(before, FdLeakTest.openFds());
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    @Test
    void receivedDescriptorsAreOwned() throws Exception {
        int[] p = pipe();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            OwnedFd borrowed = OwnedFd.borrow(p[0]);
            assertFalse(borrowed.isOwned());
            borrowed.close();       // does nothing: the pipe is still open
            assertTrue(Files.exists(Path.of("/proc/self/fd/" + p[0])));
            refused(IllegalStateException.class, borrowed::toSock, "borrowed");
            pair.first().sendmsg(null, List.of(Cmsg.fds(borrowed)), 0, new byte[] {1});
            OwnedFd got = pair.second().recvmsg(ControlSpec.fds(1), 0, new byte[1]).fds().get(0);
            assertTrue(got.isOwned());
            var e = assertThrows(SyscallException.class, got::toSock, "a pipe is no socket");
            assertEquals("ENOTSOCK", e.errnoName());
            assertTrue(got.isOwned(), "a failed toSock leaves it owned");
            int n = got.fd();
            got.close();
            got.close();
            assertFalse(got.isOwned());
            assertFalse(Files.exists(Path.of("/proc/self/fd/" + n)) && Files.readSymbolicLink(Path.of("/proc/self/fd/" + n))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + p[0]))), "closed");
            refused(IllegalStateException.class, got::fd, "closed");
            refused(IllegalStateException.class, () -> pair.first().sendmsg(null, List.of(Cmsg.fds(got)), 0, new byte[] {1}),
                    "closed");
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    @Test
    void aReceivedDescriptorDroppedUnclosedIsClosedAfterGc() throws Exception {
        int[] p = pipe();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            int before = FdLeakTest.settledFds();
            pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(p[0]), OwnedFd.borrow(p[1]))), 0, new byte[] {1});
            assertEquals(2, pair.second().recvmsg(ControlSpec.fds(2), 0, new byte[1]).fds().size());
            assertEquals(before + 2, FdLeakTest.openFds());
            for (int i = 0; i < 200 && FdLeakTest.openFds() != before; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(before, FdLeakTest.openFds(), "the cleaner closed both");
        } finally {
            close(p[0]);
            close(p[1]);
        }
    }

    @Test
    void aDescriptorHandedToASockBelongsToIt() throws Exception {
        try (var pair = Sock.pair(SockType.DGRAM); var carried = Sock.pair(SockType.STREAM)) {
            pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(carried.first().fd()))), 0, new byte[] {1});
            OwnedFd got = pair.second().recvmsg(ControlSpec.fds(1), 0, new byte[1]).fds().get(0);
            int n = got.fd();
            try (Sock s = got.toSock()) {
                assertEquals(n, s.fd());
                assertFalse(got.isOwned());
                got.close();                         // does nothing now
                refused(IllegalStateException.class, got::toSock, "handed to a Sock");
                refused(IllegalStateException.class, got::fd, "handed to a Sock");
                s.send("still open".getBytes());
                byte[] b = new byte[16];
                assertEquals(10, carried.second().recv(b));
            }
        }
    }

    @Test
    void flagsPrintTheirNames() {
        assertEquals("0", MsgFlags.toString(0));
        assertEquals("MSG_PEEK|MSG_TRUNC", MsgFlags.toString(MsgFlags.PEEK | MsgFlags.TRUNC));
        assertEquals("MSG_CTRUNC|MSG_CMSG_CLOEXEC", MsgFlags.toString(MsgFlags.CTRUNC | MsgFlags.CMSG_CLOEXEC));
        assertEquals("MSG_DONTWAIT|MSG_WAITALL|0x10000000", MsgFlags.toString(MsgFlags.DONTWAIT | MsgFlags.WAITALL | 0x10000000));
    }
}
