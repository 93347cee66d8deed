package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A stream send is often partial when the socket buffer is small: sendAll and the output stream
 * must still deliver every byte, in order, whatever the split.
 */
class PartialWriteTest {
    private static final int SIZE = 16 << 20;

    private static byte[] pattern() {
        byte[] b = new byte[SIZE];
        new SplittableRandom(42).nextBytes(b);
        return b;
    }

    private static void smallBuffers(Sock s) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, 4096);
            assertEquals(0, Syscalls.setsockopt(capture, s.fd(), LibC.SOL_SOCKET(), LibC.SO_SNDBUF(), v, 4));
            assertEquals(0, Syscalls.setsockopt(capture, s.fd(), LibC.SOL_SOCKET(), LibC.SO_RCVBUF(), v, 4));
        }
    }

    private static byte[] readAll(Sock s) throws Exception {
        byte[] got = new byte[SIZE];
        new DataInputStream(s.inputStream()).readFully(got);
        assertEquals(-1, s.recv(new byte[1]), "nothing after the last byte");
        return got;
    }

    @Test
    void sixteenMebibytesArriveByteExactThroughSendAll() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            byte[] data = pattern();
            try (var pair = Sock.pair(SockType.STREAM)) {
                smallBuffers(pair.first());
                smallBuffers(pair.second());
                var reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        return readAll(pair.second());
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                pair.first().sendAll(data, 0, data.length);
                pair.first().shutdown(Shutdown.WRITE);
                assertArrayEquals(data, reader.join());
            }
        });
    }

    @Test
    void directBufferAndOutputStreamAlsoDeliverEveryByte() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            byte[] data = pattern();
            try (var pair = Sock.pair(SockType.STREAM)) {
                smallBuffers(pair.first());
                var reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        return readAll(pair.second());
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                int half = SIZE / 2;
                ByteBuffer direct = ByteBuffer.allocateDirect(half).put(data, 0, half).flip();
                pair.first().sendAll(direct);
                assertEquals(half, direct.position());
                pair.first().outputStream().write(Arrays.copyOfRange(data, half, SIZE));
                pair.first().shutdown(Shutdown.WRITE);
                assertArrayEquals(data, reader.join());
            }
        });
    }
}
