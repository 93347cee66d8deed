package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sends from and receives into heap memory (arrays, heap buffers, heap segments) go straight
 * between the heap and the kernel, in calls that cannot block, and wait for room or data outside
 * them. These tests check every byte across the ways such a call can go: at once, after a wait
 * for room, after a wait for data, in bulk and in small pieces, while the garbage collector runs,
 * and when the socket closes under a waiting call.
 */
class HeapTransferTest {

    private static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void aStreamSendFromAnArrayMovesAtMostOneMebibyteAndEveryByteArrives() {
        assumeTrue(root(), "SO_SNDBUFFORCE and SO_RCVBUFFORCE need CAP_NET_ADMIN; run as root to check the per-call bound");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (var pair = Sock.pair(SockType.STREAM)) {
                // Room for all 3 MiB at once, so that only the library's bound splits the send.
                pair.first().setInt(LibC.SOL_SOCKET(), LibC.SO_SNDBUFFORCE(), 16 << 20);
                pair.second().setInt(LibC.SOL_SOCKET(), LibC.SO_RCVBUFFORCE(), 16 << 20);
                byte[] data = pattern(3 << 20, 1);
                int n = pair.first().send(data);
                assertEquals(1 << 20, n, "one call on a stream moves at most 1 MiB of heap memory");
                byte[] got = new byte[n];
                new DataInputStream(pair.second().inputStream()).readFully(got);
                assertArrayEquals(Arrays.copyOf(data, n), got);
            }
        });
    }

    @Test
    void mixedSizesThroughArraysArriveInOrderWithWaitsOnBothSides() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            byte[] data = pattern(24 << 20, 2);
            try (var pair = Sock.pair(SockType.STREAM)) {
                var reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        // Receives of every size, with pauses, so that the receive goes both straight
                        // into the array and by way of a wait, in bulk and in small pieces.
                        SplittableRandom r = new SplittableRandom(3);
                        byte[] got = new byte[data.length];
                        byte[] buf = new byte[512 << 10];
                        int at = 0;
                        while (at < got.length) {
                            int want = r.nextInt(4) == 0 ? 1 + r.nextInt(64) : 1 + r.nextInt(buf.length);
                            int n = pair.second().recv(buf, 0, Math.min(want, got.length - at));
                            assertTrue(n > 0, "a receive returned " + n + " at byte " + at);
                            System.arraycopy(buf, 0, got, at, n);
                            at += n;
                            if (r.nextInt(64) == 0) {
                                Thread.sleep(5);
                            }
                        }
                        assertEquals(-1, pair.second().recv(buf));
                        return got;
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                SplittableRandom r = new SplittableRandom(4);
                int at = 0;
                while (at < data.length) {
                    int n = Math.min(data.length - at, r.nextInt(3) == 0 ? 1 + r.nextInt(100) : 1 + r.nextInt(2 << 20));
                    pair.first().sendAll(data, at, n);
                    at += n;
                    if (r.nextInt(64) == 0) {
                        Thread.sleep(5);
                    }
                }
                pair.first().shutdown(Shutdown.WRITE);
                assertArrayEquals(data, reader.get(50, TimeUnit.SECONDS));
            }
        });
    }

    @Test
    void heapTransfersStayExactWhileTheCollectorRuns() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger collections = new AtomicInteger();
            Thread gc = Thread.ofPlatform().daemon().start(() -> {
                while (!done.get()) {
                    // A full collection each time (so that live arrays move between the calls),
                    // seen to have run by a weakly held object it clears.
                    WeakReference<Object> canary = new WeakReference<>(new Object());
                    System.gc();
                    if (canary.get() == null) {
                        collections.incrementAndGet();
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try (var pair = Sock.pair(SockType.STREAM)) {
                int total = 48 << 20;
                var reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        CRC32 crc = new CRC32();
                        long got = 0;
                        while (true) {
                            byte[] buf = new byte[1 + (int) (got % (256 << 10))];  // a new array each time
                            int n = pair.second().recv(buf);
                            if (n < 0) {
                                return new long[] {got, crc.getValue()};
                            }
                            crc.update(buf, 0, n);
                            got += n;
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                CRC32 crc = new CRC32();
                SplittableRandom r = new SplittableRandom(5);
                for (int sent = 0; sent < total; ) {
                    byte[] chunk = new byte[1 + r.nextInt(1 << 20)];
                    r.nextBytes(chunk);
                    pair.first().sendAll(chunk, 0, chunk.length);
                    crc.update(chunk);
                    sent += chunk.length;
                }
                long sentCrc = crc.getValue();
                pair.first().shutdown(Shutdown.WRITE);
                long[] got = reader.get(50, TimeUnit.SECONDS);
                assertTrue(got[0] >= total, "received " + got[0]);
                assertEquals(sentCrc, got[1], "the CRC of the bytes received");
                assertTrue(collections.get() >= 5, "only " + collections + " collections ran during the transfer");
            } finally {
                done.set(true);
                gc.join();
            }
        });
    }

    @Test
    void aMessageTooLongForTheArrayIsReportedWhereverTheReceiveIsMade() throws Exception {
        // A platform thread in blocking mode, a virtual thread, non-blocking mode and a timeout:
        // the receive goes straight into the array or by way of a native buffer, and says the same.
        for (String how : new String[] {"blocking", "virtual", "non-blocking", "timeout"}) {
            try (var pair = Sock.pair(SockType.SEQPACKET)) {
                Sock rx = pair.second();
                if (how.equals("non-blocking")) {
                    rx.setNonBlocking(true);
                    assertEquals(Sock.WOULD_BLOCK, rx.recv(new byte[8]), how);
                } else if (how.equals("timeout")) {
                    rx.setReceiveTimeout(Duration.ofSeconds(5));
                }
                byte[] message = pattern(100, 6);
                pair.first().send(message);
                byte[] small = new byte[10];
                SyscallException e;
                if (how.equals("virtual")) {
                    var f = new CompletableFuture<SyscallException>();
                    Thread.ofVirtual().start(() -> f.complete(assertThrows(SyscallException.class, () -> rx.recv(small))));
                    e = f.get(10, TimeUnit.SECONDS);
                } else {
                    e = assertThrows(SyscallException.class, () -> rx.recv(small));
                }
                assertEquals("EMSGSIZE", e.errnoName(), how);
                assertTrue(e.getMessage().contains("100-byte message into a 10-byte buffer"), how + ": " + e.getMessage());
                assertArrayEquals(Arrays.copyOf(message, 10), small, how + ": the first bytes are kept");
            }
        }
    }

    @Test
    void heapSegmentsOfAnyArrayTypeSendAndReceiveInPlace() throws Exception {
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            int[] ints = new int[1000];
            Arrays.setAll(ints, i -> i * 7919);
            assertEquals(4000, pair.first().send(MemorySegment.ofArray(ints)));
            long[] longs = new long[500];
            assertEquals(4000, pair.second().recv(MemorySegment.ofArray(longs)));
            MemorySegment got = MemorySegment.ofArray(longs);
            for (int i = 0; i < ints.length; i++) {
                assertEquals(ints[i], got.get(ValueLayout.JAVA_INT_UNALIGNED, 4L * i));
            }
            // A slice in the middle of an array, both ways.
            byte[] big = pattern(4096, 7);
            assertEquals(1000, pair.first().send(MemorySegment.ofArray(big).asSlice(1000, 1000)));
            byte[] into = new byte[3000];
            assertEquals(1000, pair.second().recv(MemorySegment.ofArray(into).asSlice(500, 1500)));
            assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), Arrays.copyOfRange(into, 500, 1500));
            assertEquals(0, into[499]);
            assertEquals(0, into[1500]);
        }
    }

    /**
     * A read-only heap buffer has no array to reach, yet its bytes are sent in place as an array's
     * are: from its position, of a buffer that is itself a slice, as a stream and as messages.
     */
    @Test
    void readOnlyHeapBuffersSendFromTheirPosition() throws Exception {
        byte[] backing = pattern(3 << 20, 11);
        ByteBuffer src = ByteBuffer.wrap(backing, 7, backing.length - 7).slice().asReadOnlyBuffer();
        assertTrue(src.isReadOnly() && !src.hasArray() && !src.isDirect());
        try (var pair = Sock.pair(SockType.STREAM); var exec = Executors.newSingleThreadExecutor()) {
            src.position(5);
            int want = src.remaining();
            Future<byte[]> got = exec.submit(() -> {
                byte[] all = new byte[want];
                for (int n = 0; n < want; ) {
                    n += pair.second().recv(all, n, want - n);
                }
                return all;
            });
            pair.first().sendAll(src);
            assertEquals(src.limit(), src.position(), "the position moved past every byte sent");
            assertArrayEquals(Arrays.copyOfRange(backing, 12, backing.length), got.get(30, TimeUnit.SECONDS));
        }
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            src.limit(1012).position(12);
            assertEquals(1000, pair.first().send(src));
            assertEquals(1012, src.position());
            byte[] into = new byte[2000];
            assertEquals(1000, pair.second().recv(into));
            assertArrayEquals(Arrays.copyOfRange(backing, 19, 1019), Arrays.copyOf(into, 1000));
        }
        try (var udp = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0))) {
            src.limit(600).position(100);
            assertEquals(500, udp.sendTo(src, udp.localAddress()));
            byte[] into = new byte[2000];
            assertEquals(500, udp.recvFrom(into, 0, into.length).length());
            assertArrayEquals(Arrays.copyOfRange(backing, 107, 607), Arrays.copyOf(into, 500));
        }
    }

    @Test
    void aSendWaitingForRoomEndsWithTheSocketOrThePeer() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (boolean peerCloses : new boolean[] {false, true}) {
                var pair = Sock.pair(SockType.STREAM);
                try (var executor = Executors.newSingleThreadExecutor()) {
                    var sender = executor.submit(() -> {
                        byte[] chunk = new byte[64 << 10];
                        while (true) {
                            pair.first().send(chunk);
                        }
                    });
                    // Until the send buffer is full and the sender waits for room.
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while ((pair.first().poll(PollEvents.OUT, Duration.ZERO) & PollEvents.OUT) != 0) {
                        assertTrue(System.nanoTime() < until, "the send buffer never filled");
                        Thread.sleep(1);
                    }
                    Thread.sleep(100);
                    if (peerCloses) {
                        pair.second().close();
                    } else {
                        pair.first().close();
                    }
                    var e = assertThrows(ExecutionException.class, () -> sender.get(10, TimeUnit.SECONDS));
                    if (peerCloses) {
                        // EPIPE, or ECONNRESET when the peer closed with our bytes unread in its queue.
                        assertTrue(e.getCause() instanceof SyscallException s
                                && (s.errnoName().equals("EPIPE") || s.errnoName().equals("ECONNRESET")),
                                e.getCause().toString());
                    } else {
                        assertTrue(e.getCause() instanceof SockClosedException, e.getCause().toString());
                    }
                } finally {
                    pair.close();
                }
            }
        });
    }
}
