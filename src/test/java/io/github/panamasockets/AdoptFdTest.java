package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An existing descriptor, such as one inherited from systemd, becomes a typed socket: family, type
 * and protocol are read from the kernel, and the socket then owns the descriptor.
 */
class AdoptFdTest {

    /** A second descriptor for the same socket, as another process or systemd would hand over. */
    static int dup(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            int copy = Syscalls.fcntl(capture, fd, LibC.F_DUPFD(), 0);
            assertTrue(copy >= 0, "dup failed: " + Syscalls.errno(capture));
            return copy;
        }
    }

    @Test
    void adoptedSocketsKnowWhatTheyAreAndWork() throws IOException {
        try (var pair = Sock.pair(SockType.SEQPACKET);
             var adopted = Sock.adopt(dup(pair.first().fd()))) {
            assertEquals(Family.UNIX, adopted.family());
            assertEquals(SockType.SEQPACKET, adopted.type());
            adopted.send(new byte[] {7});
            byte[] b = new byte[4];
            assertEquals(1, pair.second().recv(b));
            assertEquals(7, b[0]);
        }
        try (var tcp = Sock.open(Family.INET, SockType.STREAM); var a = Sock.adopt(dup(tcp.fd()))) {
            assertEquals(Family.INET, a.family());
            assertEquals(SockType.STREAM, a.type());
            assertEquals(Protocol.TCP, a.protocol());
            assertEquals("IPPROTO_TCP", a.protocol().toString());
        }
        try (var udp = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0));
             var a = Sock.adopt(dup(udp.fd()))) {
            assertEquals(Protocol.UDP, a.protocol());
            assertEquals(udp.localAddress(), a.localAddress());
        }
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel());
             var a = Sock.adopt(dup(nl.fd()))) {
            assertEquals(Family.NETLINK, a.family());
            assertEquals("NETLINK_ROUTE", a.protocol().toString());
        }
    }

    @Test
    void adoptionSetsCloseOnExecAndBlockingMode() throws IOException {
        try (var udp = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
             Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            int fd = dup(udp.fd());     // F_DUPFD: no close-on-exec
            Syscalls.fcntl(capture, fd, LibC.F_SETFL(), LibC.O_NONBLOCK());
            try (var a = Sock.adopt(fd)) {
                assertTrue((Syscalls.fcntl(capture, fd, LibC.F_GETFD(), 0) & LibC.FD_CLOEXEC()) != 0);
                assertEquals(0, Syscalls.fcntl(capture, fd, LibC.F_GETFL(), 0) & LibC.O_NONBLOCK());
                assertEquals(fd, a.fd());
            }
            assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)) && isSocket(fd, udp.fd()),
                    "closing the adopted socket closed its descriptor");
        }
    }

    private static boolean isSocket(int fd, int original) throws IOException {
        // The number may have been reused; it is ours only if it still names the same socket.
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
                .equals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + original)));
    }

    @Test
    void aPipeIsNotASocket() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()));
            int r = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            try {
                var e = assertThrows(SyscallException.class, () -> Sock.adopt(r));
                assertEquals("ENOTSOCK", e.errnoName());
                assertTrue(e.getMessage().contains("fd " + r), e.getMessage());
            } finally {
                Syscalls.close(capture, r);
                Syscalls.close(capture, fds.getAtIndex(ValueLayout.JAVA_INT, 1));
            }
        }
    }
}
