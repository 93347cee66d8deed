package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sock#adopt(int)} turns a descriptor made elsewhere into a socket: a duplicate of one of
 * our sockets comes back with the right family, type and protocol (read from the kernel, not
 * guessed), carries traffic, is close-on-exec and blocking, and closing it closes exactly that
 * descriptor and not the original. What is not an open socket is refused with the kernel's errno
 * (ENOTSOCK, EBADF) and stays the caller's; a negative number is an IllegalArgumentException.
 */
class AdoptTest {
    private Arena arena;
    private MemorySegment capture;

    @BeforeEach
    void scratch() {
        arena = Arena.ofConfined();
        capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
    }

    @AfterEach
    void freeScratch() {
        arena.close();
    }

    /** A close-on-exec duplicate of {@code fd}, as a supervisor or another library would hand over. */
    private int dupCloexec(int fd) {
        int d = Syscalls.fcntl(capture, fd, LibC.F_DUPFD_CLOEXEC(), 0);
        assertTrue(d >= 0, "F_DUPFD_CLOEXEC failed: errno " + Syscalls.errno(capture));
        return d;
    }

    private static String link(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    /** Whether {@code fd} still names the same open file as {@code original} (a reused number does not). */
    private static boolean sameFile(int fd, int original) {
        try {
            return link(fd).equals(link(original));
        } catch (IOException closed) {
            return false;
        }
    }

    /** Checks that closing the adopted socket closed the duplicate and left the original alone. */
    private void assertCloseClosesOnlyTheDuplicate(Sock adopted, int dup, Sock original) throws IOException {
        assertTrue(sameFile(dup, original.fd()), "before close the duplicate is the same socket");
        adopted.close();
        assertFalse(adopted.isOpen());
        assertFalse(sameFile(dup, original.fd()), "closing the adopted socket closed descriptor " + dup);
        assertTrue(original.isOpen());
        assertTrue(link(original.fd()).startsWith("socket:"), "the original is still open");
        original.localAddress();   // and still works
    }

    @Test
    void aUnixSeqpacketDuplicateIsAdoptedAsSeqpacketAndCarriesMessages() throws IOException {
        try (SockPair pair = Sock.pair(SockType.SEQPACKET)) {
            int dup = dupCloexec(pair.first().fd());
            Sock a = Sock.adopt(dup);
            try {
                assertEquals(dup, a.fd());
                assertEquals(Family.UNIX, a.family());
                assertEquals(SockType.SEQPACKET, a.type());
                assertEquals(Protocol.DEFAULT, a.protocol());
                // Echo: out through the adopted descriptor, back from the peer, in through it.
                a.send("ping".getBytes());
                byte[] buf = new byte[16];
                int n = pair.second().recv(buf);
                assertEquals("ping", new String(buf, 0, n));
                pair.second().send(buf, 0, n);
                assertEquals(4, a.recv(buf));
                assertEquals("ping", new String(buf, 0, 4));
                assertCloseClosesOnlyTheDuplicate(a, dup, pair.first());
            } finally {
                a.close();
            }
        }
    }

    @Test
    void anInetStreamDuplicateIsAdoptedAsTcpAndEchoes() throws IOException {
        try (Sock server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             Sock client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
             Accepted conn = server.accept()) {
            int dup = dupCloexec(client.fd());
            Sock a = Sock.adopt(dup);
            try {
                assertEquals(Family.INET, a.family());
                assertEquals(SockType.STREAM, a.type());
                assertEquals(Protocol.TCP, a.protocol());
                assertEquals("IPPROTO_TCP", a.protocol().cName());
                assertEquals(client.localAddress(), a.localAddress());
                assertEquals(server.localAddress(), a.peerAddress());
                a.set(SockOpt.TCP_NODELAY, true);    // a TCP option is accepted: it knows it is TCP
                byte[] data = new byte[100_000];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i * 31);
                }
                a.outputStream().write(data);
                byte[] got = conn.socket().inputStream().readNBytes(data.length);
                conn.socket().sendAll(got, 0, got.length);
                assertArrayEquals(data, a.inputStream().readNBytes(data.length));
                assertCloseClosesOnlyTheDuplicate(a, dup, client);
                // The connection is still up through the original descriptor.
                client.send(new byte[] {5});
                assertEquals(1, conn.socket().recv(new byte[1]));
            } finally {
                a.close();
            }
        }
    }

    @Test
    void anInet6DatagramDuplicateIsAdoptedAsUdpAndEchoes() throws IOException {
        try (Sock udp = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0));
             Sock peer = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0))) {
            int dup = dupCloexec(udp.fd());
            Sock a = Sock.adopt(dup);
            try {
                assertEquals(Family.INET6, a.family());
                assertEquals(SockType.DGRAM, a.type());
                assertEquals(Protocol.UDP, a.protocol());
                assertEquals("IPPROTO_UDP", a.protocol().toString());
                assertEquals(udp.localAddress(), a.localAddress());
                a.sendTo("hello".getBytes(), 0, 5, peer.localAddress());
                byte[] buf = new byte[64];
                Received r = peer.recvFrom(buf, 0, buf.length);
                assertEquals(udp.localAddress(), r.from(), "sent from the adopted socket's address");
                peer.sendTo(buf, 0, r.length(), r.from());
                Received back = a.recvFrom(buf, 0, buf.length);
                assertEquals("hello", new String(buf, 0, back.length()));
                assertEquals(peer.localAddress(), back.from());
                assertCloseClosesOnlyTheDuplicate(a, dup, udp);
            } finally {
                a.close();
            }
        }
    }

    @Test
    void aNetlinkRouteDuplicateIsAdoptedAsNetlinkRouteAndTheKernelAnswersThroughIt() throws IOException {
        try (Sock nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel())) {
            int dup = dupCloexec(nl.fd());
            Sock a = Sock.adopt(dup);
            try {
                assertEquals(Family.NETLINK, a.family());
                assertEquals(SockType.RAW, a.type());
                assertEquals(Protocol.NETLINK_ROUTE, a.protocol());
                assertEquals("NETLINK_ROUTE", a.protocol().toString());
                // A NLMSG_NOOP with NLM_F_ACK: the kernel echoes it back as an NLMSG_ERROR of 0
                // that quotes our sequence number.
                int seq = 0x5eed;
                ByteBuffer req = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
                req.putInt(16).putShort((short) LibC.NLMSG_NOOP())
                        .putShort((short) (LibC.NLM_F_REQUEST() | LibC.NLM_F_ACK())).putInt(seq).putInt(0).flip();
                a.sendTo(req.array(), 0, 16, SockaddrNetlink.kernel());
                byte[] buf = new byte[8192];
                Received r = a.recvFrom(buf, 0, buf.length);
                ByteBuffer ack = ByteBuffer.wrap(buf, 0, r.length()).order(ByteOrder.nativeOrder());
                assertTrue(r.length() >= 36, "an ack of " + r.length() + " bytes");
                assertEquals(LibC.NLMSG_ERROR(), ack.getShort(4), "message type");
                assertEquals(seq, ack.getInt(8), "sequence number");
                assertEquals(0, ack.getInt(16), "error 0: an ack");
                assertEquals(SockaddrNetlink.kernel(), r.from());
                assertCloseClosesOnlyTheDuplicate(a, dup, nl);
            } finally {
                a.close();
            }
        }
    }

    @Test
    void aListeningUnixSocketIsAdoptedAndAccepts() throws IOException {
        SockaddrUnix name = SockaddrUnix.abstractName("adopt-listener-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try (Sock server = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen()) {
            int dup = dupCloexec(server.fd());
            try (Sock a = Sock.adopt(dup); Sock c = Sock.open(Family.UNIX, SockType.STREAM).connect(name);
                 Accepted conn = a.accept()) {
                assertEquals(SockType.STREAM, a.type());
                assertTrue(a.get(SockOpt.SO_ACCEPTCONN));
                c.send(new byte[] {9});
                byte[] b = new byte[1];
                assertEquals(1, conn.socket().recv(b));
                assertEquals(9, b[0]);
            }
        }
    }

    @Test
    void adoptionMakesTheDescriptorCloseOnExecAndBlocking() throws IOException {
        try (Sock udp = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0))) {
            int dup = Syscalls.fcntl(capture, udp.fd(), LibC.F_DUPFD(), 0);   // without close-on-exec
            assertTrue(dup >= 0);
            assertEquals(0, Syscalls.fcntl(capture, dup, LibC.F_SETFL(), LibC.O_NONBLOCK()));
            assertEquals(0, Syscalls.fcntl(capture, dup, LibC.F_GETFD(), 0) & LibC.FD_CLOEXEC());
            try (Sock a = Sock.adopt(dup)) {
                assertEquals(LibC.FD_CLOEXEC(), Syscalls.fcntl(capture, dup, LibC.F_GETFD(), 0) & LibC.FD_CLOEXEC());
                assertEquals(0, Syscalls.fcntl(capture, dup, LibC.F_GETFL(), 0) & LibC.O_NONBLOCK());
                assertEquals(Protocol.UDP, a.protocol());
            }
        }
    }

    @Test
    void adoptingAPipeFailsWithEnotsockAndLeavesThePipeOpen() throws IOException {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()));
        int r = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        int w = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        try {
            for (int fd : new int[] {r, w}) {
                SyscallException e = assertThrows(SyscallException.class, () -> Sock.adopt(fd));
                assertEquals("ENOTSOCK", e.errnoName());
                assertEquals(LibC.ENOTSOCK(), e.errno());
                assertTrue(e.getMessage().contains("fd " + fd), e.getMessage());
                assertTrue(e.call().startsWith("getsockopt(fd " + fd), e.call());
            }
            // The failed adoption took nothing: the pipe still works.
            MemorySegment one = arena.allocate(1);
            one.set(ValueLayout.JAVA_BYTE, 0, (byte) 77);
            assertEquals(1, Syscalls.write(capture, w, one, 1));
            one.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
            assertEquals(1, Syscalls.read(capture, r, one, 1));
            assertEquals(77, one.get(ValueLayout.JAVA_BYTE, 0));
        } finally {
            Syscalls.close(capture, r);
            Syscalls.close(capture, w);
        }
    }

    @Test
    void adoptingAClosedDescriptorFailsWithEbadf() throws IOException {
        // A number near the descriptor limit, far above what anything else in this process is
        // using (the kernel hands out the lowest free number), opened and closed again.
        int near = openFileLimit() - 5;
        try (Sock s = Sock.open(Family.UNIX, SockType.DGRAM)) {
            int high = Syscalls.fcntl(capture, s.fd(), LibC.F_DUPFD_CLOEXEC(), near);
            assertTrue(high >= near, "F_DUPFD_CLOEXEC to " + near + ": errno " + Syscalls.errno(capture));
            assertEquals(0, Syscalls.close(capture, high));
            SyscallException e = assertThrows(SyscallException.class, () -> Sock.adopt(high));
            assertEquals("EBADF", e.errnoName());
            assertTrue(e.getMessage().contains("fd " + high), e.getMessage());
            assertTrue(s.isOpen());
        }
    }

    /** The soft RLIMIT_NOFILE, from /proc/self/limits. */
    private static int openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Integer.parseInt(line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no open-file limit in /proc/self/limits");
    }

    @Test
    void adoptingANeverOpenedDescriptorFailsWithEbadf() throws IOException {
        for (int fd : new int[] {openFileLimit() - 2, openFileLimit(), 1 << 24, Integer.MAX_VALUE}) {
            SyscallException e = assertThrows(SyscallException.class, () -> Sock.adopt(fd));
            assertEquals("EBADF", e.errnoName(), "fd " + fd);
            assertTrue(e.getMessage().contains("fd " + fd), e.getMessage());
        }
    }

    @Test
    void adoptingANegativeNumberIsAnIllegalArgument() {
        for (int fd : new int[] {-1, -2, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sock.adopt(fd));
            assertTrue(e.getMessage().contains("fd " + fd), e.getMessage());
        }
    }

    @Test
    void anAdoptedSocketIsClosedByTheCleanerWhenDropped() throws Exception {
        try (Sock s = Sock.open(Family.INET, SockType.STREAM)) {
            int dup = dupCloexec(s.fd());
            Sock.adopt(dup);   // dropped at once
            for (int i = 0; i < 200 && sameFile(dup, s.fd()); i++) {
                System.gc();
                Thread.sleep(25);
            }
            assertFalse(sameFile(dup, s.fd()), "the dropped adopted socket's descriptor was closed");
            assertNotEquals(dup, s.fd());
        }
    }

    @Test
    void anAddressOfTheAdoptedFamilyIsRequired() throws IOException {
        try (SockPair pair = Sock.pair(SockType.DGRAM)) {
            int dup = dupCloexec(pair.first().fd());
            try (Sock a = Sock.adopt(dup)) {
                Sockaddr v4 = SockaddrInet4.loopback(1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> a.sendTo(new byte[1], 0, 1, v4));
                assertTrue(e.getMessage().contains("AF_INET") && e.getMessage().contains("AF_UNIX"), e.getMessage());
            }
        }
    }
}
