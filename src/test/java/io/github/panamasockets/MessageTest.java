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
    private static int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()));
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    private static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.close(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd);
        }
    }

    private static void write(int fd, byte b) {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(1, Syscalls.write(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd, arena.allocateFrom(ValueLayout.JAVA_BYTE, b), 1));
        }
    }

    private static int read(int fd) {
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
    void credentialsAreTheSendersOwn() throws Exception {
        int pid = (int) ProcessHandle.current().pid();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            pair.second().set(SockOpt.SO_PASSCRED, true);
            PeerCred me = pair.first().peerCredentials();
            pair.first().sendmsg(null, List.of(new Cmsg.Credentials(pid, me.uid(), me.gid())), 0, ByteBuffer.allocate(1));
            MsgResult r = pair.second().recvmsg(new ControlSpec(0, true, false, 0), 0, ByteBuffer.allocate(1));
            assertEquals(List.of(new Cmsg.Credentials(pid, me.uid(), me.gid())), r.control());
            // Without a message of its own, the kernel still reports who sent.
            pair.first().send(new byte[] {1});
            MsgResult r2 = pair.second().recvmsg(new ControlSpec(0, true, false, 0), 0, ByteBuffer.allocate(1));
            assertEquals(List.of(new Cmsg.Credentials(pid, me.uid(), me.gid())), r2.control());
            // Claiming another process is refused by the kernel, unless we are root (CAP_SYS_ADMIN).
            Cmsg lie = new Cmsg.Credentials(1, me.uid(), me.gid());
            if (!RawAndNetlinkTest.isRoot()) {
                var e = assertThrows(SyscallException.class,
                        () -> pair.first().sendmsg(null, List.of(lie), 0, ByteBuffer.allocate(1)));
                assertEquals("EPERM", e.errnoName());
            }
        }
    }

    @Test
    void packetInfoNamesTheDestination() throws Exception {
        try (var rx = Sock.open(Family.INET, SockType.DGRAM).set(SockOpt.IP_PKTINFO, true).bind(SockaddrInet4.any(0));
             var tx = Sock.open(Family.INET, SockType.DGRAM)) {
            int port = ((SockaddrInet4) rx.localAddress()).port();
            tx.sendTo(new byte[] {1}, 0, 1, SockaddrInet4.of("127.0.0.3", port));
            MsgResult r = rx.recvmsg(new ControlSpec(0, false, true, 0), 0, ByteBuffer.allocate(4));
            var info = assertInstanceOf(Cmsg.PktInfo.class, r.control().get(0));
            assertEquals(SockaddrInet4.of("127.0.0.3", 0), info.address());
            assertEquals(1, info.interfaceIndex(), "lo");
            assertEquals(SockaddrInet4.of("127.0.0.1", ((SockaddrInet4) tx.localAddress()).port()), r.from());
        }
        try (var rx = Sock.open(Family.INET6, SockType.DGRAM).set(SockOpt.IPV6_RECVPKTINFO, true).bind(SockaddrInet6.loopback(0));
             var tx = Sock.open(Family.INET6, SockType.DGRAM)) {
            tx.sendTo(new byte[] {1}, 0, 1, rx.localAddress());
            MsgResult r = rx.recvmsg(new ControlSpec(0, false, true, 0), 0, ByteBuffer.allocate(4));
            var info = assertInstanceOf(Cmsg.PktInfo.class, r.control().get(0));
            assertEquals(SockaddrInet6.loopback(0), info.address());
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

    @Test
    void badControlMessagesAreRefusedBeforeTheCall() throws Exception {
        try (var pair = Sock.pair(SockType.DGRAM)) {
            assertThrows(IllegalArgumentException.class, () -> new Cmsg.Fds(List.of()));
            var tooMany = new ArrayList<OwnedFd>();
            for (int i = 0; i < 254; i++) {
                tooMany.add(OwnedFd.borrow(0));
            }
            var e = assertThrows(IllegalArgumentException.class, () -> new Cmsg.Fds(tooMany));
            assertTrue(e.getMessage().contains("254") && e.getMessage().contains("253"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> OwnedFd.borrow(-1));
            var raw = new Cmsg.Raw(1, 1, new byte[70_000]);
            var e2 = assertThrows(IllegalArgumentException.class,
                    () -> pair.first().sendmsg(null, List.of(raw), 0, ByteBuffer.allocate(1)));
            assertTrue(e2.getMessage().contains("70000"), e2.getMessage());
            List<Cmsg> withNull = new ArrayList<>();
            withNull.add(null);
            assertThrows(NullPointerException.class, () -> pair.first().sendmsg(null, withNull, 0, ByteBuffer.allocate(1)));
            OwnedFd closed = OwnedFd.received(pipe()[0]);
            closed.close();
            assertThrows(IllegalStateException.class,
                    () -> pair.first().sendmsg(null, List.of(Cmsg.fds(closed)), 0, ByteBuffer.allocate(1)));
            assertThrows(IllegalArgumentException.class, () -> new ControlSpec(254, false, false, 0));
            assertThrows(IllegalArgumentException.class, () -> pair.second().recvmsg(ControlSpec.NONE, 0,
                    ByteBuffer.allocate(1).asReadOnlyBuffer()));
        }
    }

    @Test
    void failedReceivesNeverParseControlData() throws Exception {
        // C3: 10^5 non-blocking recvmsg calls that fail with EAGAIN return no descriptors and leave
        // the descriptor count as it was, even with a control buffer ready for some.
        try (var pair = Sock.pair(SockType.DGRAM)) {
            int before = FdLeakTest.openFds();
            for (int i = 0; i < 100_000; i++) {
                var e = assertThrows(SyscallException.class,
                        () -> pair.second().recvmsg(ControlSpec.fds(4), MsgFlags.DONTWAIT, ByteBuffer.allocate(1)));
                if (i == 0) {
                    assertEquals("EAGAIN", e.errnoName());
                }
            }
            assertEquals(before, FdLeakTest.openFds());
        }
    }
}
