package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A thousand virtual threads blocked in the library's calls hold no carrier thread: 250 each in
 * recv on a Unix socketpair, recv on a TCP connection, accept on a Unix listener and accept on a TCP
 * listener, with the default scheduler (one carrier per core: 2 here; the build sets neither
 * {@code jdk.virtualThreadScheduler.parallelism} nor {@code maxPoolSize}). Another virtual thread
 * must still make echo round trips over AF_UNIX and TCP; were the blocked calls holding their
 * carriers in the kernel, nothing else would ever run, and the hang guard would fail the test. A
 * JFR recording of the run must hold no {@code jdk.VirtualThreadPinned} event (20 ms threshold)
 * with a frame of the library; a deliberate pin (a sleep in an upcall from qsort) shows that the
 * recording would catch one. Closing the sockets ends all 1,000 calls with
 * {@link SockClosedException}, and every descriptor is released.
 *
 * <p>Latencies are printed (the target is an echo round trip within 100 ms); only the hang guard
 * is asserted, as the machine is shared and noisy.
 */
class VirtualThreadLoadTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static final int PER_KIND = 250;
    private static final int ROUND_TRIPS = 20;
    private static final Duration PIN_THRESHOLD = Duration.ofMillis(20);
    private static final long CONTROL_PIN_MILLIS = 50;

    /** A blocked call: what it blocks on, and how it ended. */
    private static final class Blocked {
        final Sock socket;
        final String what;
        volatile Thread thread;
        volatile Throwable thrown;
        volatile Object returned;
        volatile long endedAt;

        Blocked(Sock socket, String what) {
            this.socket = socket;
            this.what = what;
        }
    }

    @Test
    void aThousandBlockedVirtualThreadsLeaveTheCarriersFree(@TempDir Path dir) throws Exception {
        System.out.printf("virtual-thread load: %d processors; jdk.virtualThreadScheduler.parallelism=%s, maxPoolSize=%s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("jdk.virtualThreadScheduler.parallelism", "(default: processors)"),
                System.getProperty("jdk.virtualThreadScheduler.maxPoolSize", "(default)"));
        WakeupMatrixTest.startPoller();
        // The module does not require jdk.jfr (the build lets only the test code compile against it).
        VirtualThreadLoadTest.class.getModule().addReads(ModuleLayer.boot().findModule("jdk.jfr").orElseThrow());
        Path jfr = dir.resolve("load.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(PIN_THRESHOLD).withStackTrace();
            recording.start();
            int before = FdLeakTest.settledFds();
            assertTimeoutPreemptively(HANG_GUARD, () -> load(before));
            pinOnPurpose();
            recording.stop();
            recording.dump(jfr);
        }
        checkPinned(jfr);
    }

    private static void load(int fdsBefore) throws Exception {
        List<Blocked> blocked = new ArrayList<>();
        List<AutoCloseable> peers = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            try (Sock tcpServer = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen()) {
                for (int i = 0; i < PER_KIND; i++) {
                    SockPair pair = Sock.pair(SockType.STREAM);
                    peers.add(pair.second());
                    blocked.add(new Blocked(pair.first(), "recv on AF_UNIX"));
                    Sock client = Sock.open(Family.INET, SockType.STREAM).connect(tcpServer.localAddress());
                    peers.add(client);
                    blocked.add(new Blocked(tcpServer.accept().socket(), "recv on TCP"));
                    blocked.add(new Blocked(Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.unnamed()).listen(), "accept on AF_UNIX"));
                    blocked.add(new Blocked(Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(), "accept on TCP"));
                }
            }
            Set<String> carriers = ConcurrentHashMap.newKeySet();
            for (Blocked b : blocked) {
                b.thread = Thread.ofVirtual().name(b.what).start(() -> {
                    carriers.add(carrierOf(Thread.currentThread()));
                    try {
                        b.returned = b.what.startsWith("accept") ? b.socket.accept() : b.socket.recv(new byte[16]);
                    } catch (Throwable e) {
                        b.thrown = e;
                    } finally {
                        b.endedAt = System.nanoTime();
                    }
                });
            }
            awaitAllParked(blocked);
            System.out.printf("virtual-thread load: %d virtual threads parked in accept and recv after %.0f ms; carriers seen: %s%n",
                    blocked.size(), (System.nanoTime() - t0) / 1e6, carriers);

            echoRoundTrips("AF_UNIX", WakeupMatrixTest.streamPair(Family.UNIX));
            echoRoundTrips("TCP", WakeupMatrixTest.streamPair(Family.INET));
            for (Blocked b : blocked) {
                assertTrue(b.thread.isAlive(), () -> b.what + " ended while nothing came: returned " + b.returned + ", threw " + b.thrown);
            }

            long closing = System.nanoTime();
            for (Blocked b : blocked) {
                b.socket.close();
            }
            long closed = System.nanoTime();
            for (Blocked b : blocked) {
                b.thread.join();
                assertInstanceOf(SockClosedException.class, b.thrown, b.what);
            }
            long lastEnd = blocked.stream().mapToLong(b -> b.endedAt).max().orElseThrow();
            System.out.printf("virtual-thread load: closing the 1,000 sockets took %.1f ms; the last call ended %.1f ms after the first close%n",
                    (closed - closing) / 1e6, (lastEnd - closing) / 1e6);
        } finally {
            for (Blocked b : blocked) {
                b.socket.close();
            }
            for (AutoCloseable p : peers) {
                p.close();
            }
        }
        assertEquals(fdsBefore, FdLeakTest.settledFds(fdsBefore), "descriptors open before the load and after it");
    }

    /** The carrier a mounted virtual thread runs on, from its name: "VirtualThread[#22]/runnable@ForkJoinPool-1-worker-1". */
    private static String carrierOf(Thread virtual) {
        String s = virtual.toString();
        int at = s.lastIndexOf('@');
        return at < 0 ? "?" : s.substring(at + 1);
    }

    /**
     * Waits until every call is parked in the library. A call that holds its carrier in a system
     * call is RUNNABLE instead; with both carriers held, the other threads never even start.
     */
    private static void awaitAllParked(List<Blocked> blocked) throws InterruptedException {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos() / 2;
        while (true) {
            int parked = 0;
            Blocked notYet = null;
            for (Blocked b : blocked) {
                if (!b.thread.isAlive()) {
                    fail(b.what + " ended before it blocked: returned " + b.returned + ", threw " + b.thrown);
                }
                if (WakeupMatrixTest.isParkedInLibrary(b.thread)) {
                    parked++;
                } else if (notYet == null) {
                    notYet = b;
                }
            }
            if (notYet == null) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(parked + " of " + blocked.size() + " calls parked; one that is not, " + notYet.what + ", is "
                        + notYet.thread.getState() + " at " + Arrays.toString(notYet.thread.getStackTrace()));
            }
            Thread.sleep(20);
        }
    }

    /** Another virtual thread echoes over {@code pair}, and a third makes round trips through it. */
    private static void echoRoundTrips(String what, Sock[] pair) throws Exception {
        try (Sock near = pair[0]; Sock far = pair[1]) {
            Thread echo = Thread.ofVirtual().name("echo " + what).start(() -> {
                byte[] buf = new byte[256];
                try {
                    int n;
                    while ((n = far.recv(buf)) >= 0) {
                        far.sendAll(buf, 0, n);
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            long[] nanos = new long[ROUND_TRIPS];
            Throwable[] failed = new Throwable[1];
            Thread client = Thread.ofVirtual().name("round trips " + what).start(() -> {
                try {
                    byte[] out = new byte[64];
                    byte[] in = new byte[64];
                    for (int i = 0; i < ROUND_TRIPS; i++) {
                        Arrays.fill(out, (byte) i);
                        long t = System.nanoTime();
                        near.sendAll(out, 0, out.length);
                        for (int got = 0; got < in.length; ) {
                            int n = near.recv(in, got, in.length - got);
                            assertTrue(n > 0, "the echo ended");
                            got += n;
                        }
                        nanos[i] = System.nanoTime() - t;
                        assertArrayEquals(out, in, "round trip " + i);
                    }
                    near.shutdown(Shutdown.WRITE);
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            client.join();
            echo.join();
            if (failed[0] != null) {
                throw new AssertionError("round trips over " + what, failed[0]);
            }
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            long over = Arrays.stream(sorted).filter(n -> n > 100_000_000L).count();
            System.out.printf("virtual-thread load: %d echo round trips over %s under 1,000 blocked virtual threads: "
                            + "first %.3f ms, p50 %.3f ms, max %.3f ms, %d over 100 ms%n",
                    ROUND_TRIPS, what, nanos[0] / 1e6, sorted[ROUND_TRIPS / 2] / 1e6, sorted[ROUND_TRIPS - 1] / 1e6, over);
        }
    }

    // ------------------------------------------------------------------------------ pinning

    /** Holds its carrier for {@link #CONTROL_PIN_MILLIS}: a sleep inside an upcall is a native frame on the stack. */
    static int pinnedCompare(MemorySegment a, MemorySegment b) {
        try {
            Thread.sleep(CONTROL_PIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Integer.compare(a.get(ValueLayout.JAVA_INT, 0), b.get(ValueLayout.JAVA_INT, 0));
    }

    /** A virtual thread that pins its carrier on purpose, for the recording to show. */
    @SuppressWarnings("restricted")
    private static void pinOnPurpose() throws Exception {
        Linker linker = Linker.nativeLinker();
        MethodHandle qsort = linker.downcallHandle(linker.defaultLookup().findOrThrow("qsort"),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        MethodHandle compare = MethodHandles.lookup().findStatic(VirtualThreadLoadTest.class, "pinnedCompare",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        Throwable[] failed = new Throwable[1];
        Thread.ofVirtual().name("pins on purpose").start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment stub = linker.upcallStub(compare, FunctionDescriptor.of(i,
                        ValueLayout.ADDRESS.withTargetLayout(i), ValueLayout.ADDRESS.withTargetLayout(i)), arena);
                qsort.invokeExact(arena.allocateFrom(i, 2, 1), 2L, 4L, stub);
            } catch (Throwable e) {
                failed[0] = e;
            }
        }).join();
        if (failed[0] != null) {
            throw new AssertionError("the deliberate pin", failed[0]);
        }
    }

    private static void checkPinned(Path jfr) throws IOException {
        List<RecordedEvent> pinned = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned")).toList();
        List<String> library = new ArrayList<>();
        boolean control = false;
        for (RecordedEvent e : pinned) {
            List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
            List<String> names = new ArrayList<>();
            for (RecordedFrame f : frames) {
                names.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
            }
            System.out.printf("virtual-thread load: jdk.VirtualThreadPinned %.1f ms (%s) at %s%n",
                    e.getDuration().toNanos() / 1e6, e.getString("pinnedReason"), names.stream().limit(12).toList());
            if (names.contains(VirtualThreadLoadTest.class.getName() + ".pinnedCompare")) {
                control = true;
            } else if (names.stream().anyMatch(VirtualThreadLoadTest::isLibrary)) {
                library.add(e.getDuration().toMillis() + " ms at " + names);
            }
        }
        System.out.printf("virtual-thread load: %d jdk.VirtualThreadPinned events over %d ms, %d with a library frame%n",
                pinned.size(), PIN_THRESHOLD.toMillis(), library.size());
        assertTrue(control, "the recording did not show the deliberate pin: it would not show the library's either");
        assertTrue(library.isEmpty(), () -> "the library pinned a carrier: " + library);
    }

    /** A frame of the library itself, not of this test (which shares its package). */
    private static boolean isLibrary(String frame) {
        return frame.startsWith("io.github.panamasockets.") && !frame.startsWith(VirtualThreadLoadTest.class.getName());
    }
}
