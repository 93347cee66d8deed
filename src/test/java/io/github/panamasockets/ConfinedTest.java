package io.github.panamasockets;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A confined socket is used by its owner alone, as a confined arena is: every call from another
 * thread, close included, throws WrongThreadException and changes nothing, while the owner goes
 * on as before; Poll still watches it from anywhere.
 */
class ConfinedTest {

    /** {@return what {@code call} threw when run in a new platform thread, or null} */
    private static Throwable fromAnotherThread(ThrowingRunnable call) throws Exception {
        var f = new CompletableFuture<Throwable>();
        Thread.ofPlatform().start(() -> {
            try {
                call.run();
                f.complete(null);
            } catch (Throwable t) {
                f.complete(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theOwnerUsesItAsBeforeAndOtherThreadsAreRefused() throws Exception {
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            Sock a = pair.first();
            assertSame(a, a.confine());
            assertSame(a, a.confine(), "confining again from the owner changes nothing");
            assertEquals(Thread.currentThread(), a.owner().orElseThrow());
            MemorySegment seg = Arena.ofAuto().allocate(5);
            byte[] array = "hello".getBytes();
            List<ThrowingRunnable> calls = List.of(
                    () -> a.send(array),
                    () -> a.send(seg),
                    () -> a.send(ByteBuffer.allocateDirect(3)),
                    () -> a.recv(new byte[8]),
                    () -> a.get(SockOpt.SO_TYPE),
                    () -> a.getInt(1, 3),
                    () -> a.set(SockOpt.SO_SNDBUF, 65536),
                    () -> a.setNonBlocking(true),
                    () -> a.shutdown(Shutdown.WRITE),
                    () -> a.localAddress(),
                    () -> a.sendmsg(null, List.of(), 0, seg),
                    () -> a.confine(),
                    a::close);
            for (ThrowingRunnable call : calls) {
                Throwable t = fromAnotherThread(call);
                assertInstanceOf(WrongThreadException.class, t, String.valueOf(t));
                assertTrue(t.getMessage().contains("confined to " + Thread.currentThread()), t.getMessage());
            }
            // Nothing changed: still open, blocking, able to send, and its peer gets every byte.
            assertTrue(a.isOpen());
            assertFalse(a.isNonBlocking());
            assertEquals(5, a.send(array));
            byte[] got = new byte[8];
            assertEquals(5, pair.second().recv(got));
            assertArrayEquals(array, java.util.Arrays.copyOf(got, 5));
            // The owner's calls fail as on any socket: a message too long, then after close.
            pair.second().send(new byte[20]);
            assertThrows(SyscallException.class, () -> a.recv(new byte[4]));
            a.close();
            assertThrows(SockClosedException.class, () -> a.send(array));
            assertFalse(a.isOpen());
            assertEquals(null, fromAnotherThread(a::close), "closing a closed socket is a no-op from anywhere");
        }
    }

    @Test
    void aVirtualThreadOwnerParksAndWakesAsUsual() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (var pair = Sock.pair(SockType.STREAM)) {
                var f = new CompletableFuture<Integer>();
                Thread owner = Thread.ofVirtual().start(() -> {
                    try {
                        Sock b = pair.second().confine();
                        byte[] buf = new byte[4];
                        int total = 0;
                        for (int i = 0; i < 100; i++) {
                            total += b.recv(buf, 0, 1);    // parks until the byte comes
                        }
                        b.close();
                        f.complete(total);
                    } catch (Exception e) {
                        f.completeExceptionally(e);
                    }
                });
                for (int i = 0; i < 100; i++) {
                    pair.first().send(new byte[] {(byte) i});
                    Thread.sleep(1);
                }
                assertEquals(100, f.get(20, TimeUnit.SECONDS));
                owner.join();
                assertFalse(pair.second().isOpen());
            }
        });
    }

    @Test
    void confiningWhileAnotherThreadIsInACallIsRefused() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (var pair = Sock.pair(SockType.STREAM)) {
                Sock b = pair.second();
                var receiving = CompletableFuture.supplyAsync(() -> {
                    try {
                        return b.recv(new byte[1]);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(200);               // the receive is in recv(2)
                var e = assertThrows(IllegalStateException.class, b::confine);
                assertTrue(e.getMessage().contains("in flight"), e.getMessage());
                assertTrue(b.owner().isEmpty());
                pair.first().send(new byte[] {9});
                assertEquals(1, receiving.get(10, TimeUnit.SECONDS));
                b.confine();                     // nothing in flight now
                assertEquals(Thread.currentThread(), b.owner().orElseThrow());
            }
        });
    }

    @Test
    void pollFromAnotherThreadStillWatchesAConfinedSocket() throws Exception {
        try (var pair = Sock.pair(SockType.DGRAM)) {
            Sock b = pair.second().confine();
            var watcher = CompletableFuture.supplyAsync(() -> {
                try {
                    return Poll.poll(Duration.ofSeconds(10), Poll.of(b, PollEvents.IN));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            pair.first().send(new byte[] {1});
            List<Poll.Ready> ready = watcher.get(10, TimeUnit.SECONDS);
            assertEquals(1, ready.size());
            assertEquals(1, b.recv(new byte[1]));
        }
    }

    @Test
    void aConfinedSocketThatIsDroppedIsClosedByTheCleaner() throws Exception {
        int fd;
        {
            Sock s = Sock.open(Family.UNIX, SockType.DGRAM).confine();
            fd = s.fd();
        }
        java.nio.file.Path proc = java.nio.file.Path.of("/proc/self/fd/" + fd);
        String was = java.nio.file.Files.readSymbolicLink(proc).toString();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (java.nio.file.Files.exists(proc) && java.nio.file.Files.readSymbolicLink(proc).toString().equals(was)) {
            assertTrue(System.nanoTime() < until, "fd " + fd + " (" + was + ") is still open");
            System.gc();
            Thread.sleep(20);
        }
    }
}
