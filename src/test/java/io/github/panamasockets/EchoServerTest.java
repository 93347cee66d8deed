package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A virtual-thread-per-connection echo server, over AF_UNIX (a pathname in a temporary directory)
 * and TCP 127.0.0.1, serves 10,000 connections in waves: a client on virtual threads opens a wave
 * of connections at once, each sends a few KB of random bytes of its own, shuts down its sending
 * side, reads until end of stream and compares byte for byte; then the next wave. Every byte must
 * come back, no call may fail, and afterwards every descriptor is released.
 *
 * <p>A wave holds two descriptors per connection (the client's and the server's), so its size is
 * the smaller of 1,000 and what RLIMIT_NOFILE leaves (read from /proc/self/limits), and the
 * listener's backlog (listen(4096); the kernel caps it at net.core.somaxconn) takes a whole wave of
 * connects at once. Connections per second and times are printed; only a hang guard is asserted.
 */
class EchoServerTest {
    private static final int CONNECTIONS = 10_000;
    private static final int MAX_WAVE = 1_000;
    private static final int BYTES = Integer.getInteger("echo.bytes", 8192);
    private static final int BACKLOG = 4096;
    private static final Duration HANG_GUARD = Duration.ofSeconds(120);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"AF_UNIX", "TCP"})
    void tenThousandConnectionsInWavesEchoEveryByte(String family, @TempDir Path dir) throws Exception {
        WakeupMatrixTest.startPoller();
        int before = FdLeakTest.settledFds();
        long limit = openFileLimit();
        int wave = (int) Math.min(MAX_WAVE, (limit - before - 256) / 2);
        assertTrue(wave >= 100, "RLIMIT_NOFILE " + limit + " leaves room for waves of only " + wave);
        int waves = (CONNECTIONS + wave - 1) / wave;
        System.out.printf("echo server %s: RLIMIT_NOFILE %d, %d descriptors open: %d waves of %d connections, %d bytes each%n",
                family, limit, before, waves, wave, BYTES);
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Sock listener;
            if (family.equals("AF_UNIX")) {
                listener = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.of(dir.resolve("echo.sock")));
            } else {
                listener = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0));
            }
            Server server = new Server(listener.listen(BACKLOG));
            try {
                Sockaddr address = listener.localAddress();
                long start = System.nanoTime();
                AtomicLong echoed = new AtomicLong();
                for (int w = 0, done = 0; w < waves; w++) {
                    int n = Math.min(wave, CONNECTIONS - done);
                    runWave(address, w, n, echoed);
                    done += n;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals((long) CONNECTIONS * BYTES, echoed.get(), "bytes echoed");
                System.out.printf("echo server %s: %d connections, %d bytes each way, in %.2f s: %.0f connections/s, %.1f MB/s each way%n",
                        family, CONNECTIONS, echoed.get(), seconds, CONNECTIONS / seconds, echoed.get() / seconds / 1e6);
                assertEquals(CONNECTIONS, server.accepted.get(), "connections accepted");
            } finally {
                server.stop();
            }
            assertTrue(server.errors.isEmpty(), () -> "the server failed: " + server.errors);
            // The server closes each connection when it sees end of stream; then every number is free.
            long settle = System.nanoTime();
            int now = FdLeakTest.settledFds(before);
            System.out.printf("echo server %s: descriptors %d before, %d after (settled in %.0f ms)%n",
                    family, before, now, (System.nanoTime() - settle) / 1e6);
            assertEquals(before, now, "descriptors leaked");
        });
        if (family.equals("AF_UNIX")) {
            Files.deleteIfExists(dir.resolve("echo.sock"));
        }
    }

    /** The soft RLIMIT_NOFILE, from /proc/self/limits. */
    static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no Max open files in /proc/self/limits");
    }

    /** Accepts on one virtual thread; each connection is echoed on a virtual thread of its own until end of stream. */
    private static final class Server {
        final Sock listener;
        final Thread acceptor;
        final List<Thread> connections = new ArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        volatile Throwable acceptEnded;

        Server(Sock listener) {
            this.listener = listener;
            this.acceptor = Thread.ofVirtual().name("echo acceptor").start(() -> {
                try {
                    while (true) {
                        Sock s = listener.accept().socket();
                        accepted.incrementAndGet();
                        Thread t = Thread.ofVirtual().name("echo").start(() -> echo(s));
                        synchronized (connections) {
                            connections.add(t);
                        }
                    }
                } catch (Throwable e) {
                    acceptEnded = e;
                }
            });
        }

        private void echo(Sock s) {
            try (s) {
                byte[] buf = new byte[4096];   // less than a connection sends: several reads and writes each
                int n;
                while ((n = s.recv(buf)) >= 0) {
                    s.sendAll(buf, 0, n);
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        }

        /** Closes the listener, which ends the accept loop, and waits for every connection's thread. */
        void stop() throws InterruptedException {
            listener.close();
            acceptor.join();
            assertInstanceOf(SockClosedException.class, acceptEnded, "the accept loop ends when the listener closes");
            List<Thread> all;
            synchronized (connections) {
                all = new ArrayList<>(connections);
            }
            for (Thread t : all) {
                t.join();
            }
        }
    }

    /** Opens {@code n} connections at once, each on a virtual thread, and waits for all of them. */
    private static void runWave(Sockaddr address, int wave, int n, AtomicLong echoed) throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = (long) wave << 32 | i;
            clients.add(Thread.ofVirtual().name("echo client").start(() -> {
                try {
                    echoed.addAndGet(roundTrip(address, id));
                } catch (Throwable e) {
                    errors.add(new AssertionError("connection " + id + " of wave " + wave, e));
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError(errors.size() + " of " + n + " connections of wave " + wave + " failed",
                    errors.peek());
            errors.stream().skip(1).limit(5).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** One connection: sends its own random bytes, reads them back to end of stream; {@return how many came back} */
    private static long roundTrip(Sockaddr address, long id) throws IOException {
        byte[] out = new byte[BYTES];
        new SplittableRandom(id).nextBytes(out);
        byte[] in = new byte[BYTES + 1];
        try (Sock c = Sock.open(address.family(), SockType.STREAM).connect(address)) {
            c.sendAll(out, 0, out.length);
            c.shutdown(Shutdown.WRITE);
            int got = 0;
            int n;
            while ((n = c.recv(in, got, in.length - got)) >= 0) {
                got += n;
                if (got > BYTES) {
                    fail("more bytes came back than were sent");
                }
            }
            assertEquals(BYTES, got, "bytes back");
            for (int i = 0; i < BYTES; i++) {
                if (in[i] != out[i]) {
                    fail("byte " + i + " came back as " + in[i] + ", sent " + out[i]);
                }
            }
            return got;
        }
    }
}
