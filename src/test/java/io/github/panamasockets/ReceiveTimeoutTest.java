package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.timeval;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A blocking call that gives up because its SO_RCVTIMEO or SO_SNDTIMEO ran out throws a
 * {@link SocketTimeoutException}, as java.net code expects, that still carries its errno.
 */
class ReceiveTimeoutTest {

    private static void timeout(Sock s, int option, long micros) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(timeval.layout());
            timeval.tv_sec(tv, micros / 1_000_000);
            timeval.tv_usec(tv, micros % 1_000_000);
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            assertEquals(0, Syscalls.setsockopt(capture, s.fd(), LibC.SOL_SOCKET(), option, tv, (int) tv.byteSize()));
        }
    }

    @Test
    void aReceiveTimeoutIsASocketTimeoutException() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            timeout(pair.first(), LibC.SO_RCVTIMEO(), 50_000);
            var e = assertThrows(SyscallTimeoutException.class, () -> pair.first().recv(new byte[4]));
            assertInstanceOf(SocketTimeoutException.class, e);
            assertEquals("recv", e.call());
            assertEquals("EAGAIN", e.errnoName());
            // The socket is still usable afterwards.
            pair.second().send(new byte[] {5});
            assertEquals(1, pair.first().recv(new byte[4]));
        }
    }

    @Test
    void anAcceptTimeoutIsASocketTimeoutException() throws Exception {
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(io.github.panamasockets.address.SockaddrUnix.unnamed()).listen()) {
            timeout(server, LibC.SO_RCVTIMEO(), 50_000);
            var e = assertThrows(SyscallTimeoutException.class, server::accept);
            assertEquals("accept", e.call());
        }
    }

    @Test
    void aSendTimeoutIsASocketTimeoutException() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            timeout(pair.first(), LibC.SO_SNDTIMEO(), 50_000);
            var e = assertThrows(SyscallTimeoutException.class, () -> {
                byte[] chunk = new byte[65536];
                while (true) {
                    pair.first().send(chunk);
                }
            });
            // A send from an array goes straight from the heap while there is room; when there is
            // none it blocks in the kernel, through a native buffer, and the kernel's timeout holds.
            assertEquals("send", e.call());
            assertEquals("EAGAIN", e.errnoName());
        }
    }
}
