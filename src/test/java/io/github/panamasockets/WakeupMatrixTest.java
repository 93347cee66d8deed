package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wake-up matrix: {close, interrupt, shutdown} x {accept, recv, send on a full socket, connect
 * that cannot complete, recvmsg} x {platform thread, virtual thread}, on AF_UNIX and TCP loopback.
 *
 * <ul>
 * <li>close: the call ends with {@link SockClosedException}; sentinel pipes opened at once take the
 *     freed numbers, and none of them is read, written or closed by the stale call.
 * <li>interrupt, virtual thread: {@link InterruptedIOException} naming the call, the interrupt
 *     status still set, the socket open and usable afterwards (connect: closed, as documented).
 * <li>interrupt, platform thread: not woken, as documented (the call goes on, like
 *     java.net.Socket); it completes when the peer acts, with the interrupt status still set.
 * <li>shutdown(SHUT_RDWR) from another thread: what the kernel's blocking call gives, end of
 *     stream for receives, EPIPE for send, EINVAL for accept, ECONNRESET for a TCP connect; a
 *     connect into a full Unix backlog is not woken by shutdown, so that row is left out.
 * </ul>
 *
 * Each row is sampled several times ({@code -Dwakeup.samples}, 10 by default) and prints the wake
 * latency p50, p99 and max, against the target of 100 ms p99 and 1 s at most. The only time bound
 * asserted is the hang guard: the machine is shared and noisy.
 */
class WakeupMatrixTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);
    /** How long to wait for a call that must be woken: far above any real wake-up. */
    private static final long WAKE_CAP_MS = 10_000;
    private static final int SAMPLES = Integer.getInteger("wakeup.samples", 10);
    /** Platform threads and interrupt: each sample watches 100 ms for a wake-up that must not come. */
    private static final int NOT_WOKEN_SAMPLES = 3;
    private static final long NOT_WOKEN_WATCH_MS = 100;
    private static final int CHUNK = 64 * 1024;
    /** What the blocked send sends: more than the smallest send buffer holds. */
    private static final int SEND = 8 * 1024;
    private static final List<String> SUMMARY = new ArrayList<>();
    private static int baselineFds;
    /** In how many samples of the current close row a sentinel pipe took the closed socket's number. */
    private static int reusedInRow;

    enum Waker { CLOSE, INTERRUPT, SHUTDOWN }

    /** A blocking call under test; returns what the call returned. */
    interface Call {
        Object run(Sock s) throws IOException;
    }

    /** One step that lets a blocked call go on (send data, connect, drain, accept); repeated until it has. */
    interface Step {
        void run() throws IOException;
    }

    /** A socket, the call that blocks on it, what lets it finish, and what else to close afterwards. */
    record Blocked(Sock socket, Call call, Step complete, List<AutoCloseable> others) {
    }

    /** Makes one blocked call after another: a listener with a full backlog lives as long as this. */
    interface Fixture extends AutoCloseable {
        Blocked next() throws IOException;

        @Override
        default void close() throws Exception {
        }
    }

    interface FixtureMaker {
        Fixture open() throws IOException;
    }

    /** What shutdown from another thread makes the call end with; null where shutdown wakes nothing. */
    interface ShutdownCheck {
        void check(Caller c);
    }

    record Case(String call, String on, FixtureMaker fixture, ShutdownCheck onShutdown) {
        Case(String call, Family family, FixtureMaker fixture, ShutdownCheck onShutdown) {
            this(call, family.equals(Family.UNIX) ? "AF_UNIX" : "TCP", fixture, onShutdown);
        }

        @Override
        public String toString() {
            return call + " on " + on;
        }
    }

    /** A thread running one call, and what came of it. */
    static final class Caller {
        final Thread thread;
        volatile int tid;
        volatile long endedAt;
        volatile Object returned;
        volatile Throwable thrown;
        volatile boolean interruptedAfter;

        Caller(boolean virtual, Sock s, Call call) {
            Runnable body = () -> {
                if (!virtual) {
                    tid = AsyncCloseTest.gettid();
                }
                try {
                    returned = call.run(s);
                } catch (Throwable e) {
                    thrown = e;
                } finally {
                    endedAt = System.nanoTime();
                    interruptedAfter = Thread.currentThread().isInterrupted();
                }
            };
            thread = virtual ? Thread.ofVirtual().name("matrix-virtual").start(body)
                    : Thread.ofPlatform().name("matrix-platform").daemon().start(body);
        }

        boolean ended() {
            return !thread.isAlive();
        }

        /** Waits until the call is in one of the library's waits, settled: asleep in the kernel, or parked. */
        void awaitBlocked() throws InterruptedException {
            int seen = 0;
            for (int i = 0; i < 2000; i++) {
                if (ended()) {
                    fail("the call ended before it blocked: returned " + returned + ", threw " + thrown);
                }
                boolean blocked = thread.isVirtual()
                        ? isParkedInLibrary(thread)
                        : AsyncCloseTest.asleepInLibraryCall(thread, tid);
                seen = blocked ? seen + 1 : 0;
                if (seen == 3) {
                    Thread.sleep(5);    // into the wait queue
                    return;
                }
                Thread.sleep(2);
            }
            fail("the call never blocked: " + thread.getState() + " " + Arrays.toString(thread.getStackTrace()));
        }

        void join(long millis) throws InterruptedException {
            thread.join(millis);
            if (thread.isAlive()) {
                fail("the call was not woken within " + millis + " ms: " + Arrays.toString(thread.getStackTrace()));
            }
        }
    }

    /** Whether a virtual thread is parked (or pausing) in one of the library's waits. */
    static boolean isParkedInLibrary(Thread t) {
        Thread.State s = t.getState();
        return (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && AsyncCloseTest.inLibraryCall(t);
    }

    // ------------------------------------------------------------------------------ the cases

    private static Sock listener(Family family) throws IOException {
        return Sock.open(family, SockType.STREAM)
                .bind(family.equals(Family.UNIX) ? SockaddrUnix.unnamed() : SockaddrInet4.loopback(0)).listen();
    }

    /** A connected stream pair of the family: a socketpair, or a TCP connection over loopback. */
    static Sock[] streamPair(Family family) throws IOException {
        if (family.equals(Family.UNIX)) {
            SockPair p = Sock.pair(SockType.STREAM);
            return new Sock[] {p.first(), p.second()};
        }
        return AsyncCloseTest.tcpPair(Family.INET);
    }

    /** Sends without waiting until the socket takes no more and stays so: its peer does not read. */
    static void fill(Sock s) throws IOException {
        byte[] chunk = new byte[CHUNK];
        s.setNonBlocking(true);
        try {
            do {
                while (s.send(chunk) != Sock.WOULD_BLOCK) {
                    // more
                }
            } while (s.poll(PollEvents.OUT, Duration.ofMillis(20)) != 0);
        } finally {
            s.setNonBlocking(false);
        }
    }

    /** Reads everything queued on {@code s} without waiting. */
    static void drain(Sock s) throws IOException {
        byte[] sink = new byte[CHUNK];
        s.setNonBlocking(true);
        try {
            while (s.recv(sink) > 0) {
                // more
            }
        } finally {
            s.setNonBlocking(false);
        }
    }

    /** A fixture whose every call gets fresh sockets. */
    private static FixtureMaker fresh(Fixture f) {
        return () -> f;
    }

    private static Case accept(Family family) {
        return new Case("accept", family, fresh(() -> {
            Sock l = listener(family);
            List<AutoCloseable> others = new ArrayList<>();
            return new Blocked(l, Sock::accept, () -> others.add(Sock.open(family, SockType.STREAM).connect(l.localAddress())), others);
        }), c -> {
            SocketException e = assertInstanceOf(SocketException.class, c.thrown, "accept on a shut-down listener");
            assertFalse(e instanceof SockClosedException, e.toString());
            assertTrue(e.getMessage().startsWith("accept"), e.getMessage());
        });
    }

    private static Case recv(Family family) {
        return new Case("recv", family, fresh(() -> {
            Sock[] p = streamPair(family);
            return new Blocked(p[0], s -> s.recv(new byte[16]), () -> p[1].send(new byte[] {7}), List.of(p[1]));
        }), c -> {
            assertNull(c.thrown, "recv after shutdown");
            assertEquals(-1, c.returned, "recv after shutdown: end of stream");
        });
    }

    private static Case recvmsg(Family family) {
        ControlSpec want = family.equals(Family.UNIX) ? ControlSpec.fds(2) : ControlSpec.NONE;
        return new Case("recvmsg", family, fresh(() -> {
            Sock[] p = streamPair(family);
            return new Blocked(p[0], s -> {
                MsgResult r = s.recvmsg(want, 0, new byte[16]);
                Messages.close(r.control());
                return r.length();
            }, () -> p[1].send(new byte[] {7}), List.of(p[1]));
        }), c -> {
            assertNull(c.thrown, "recvmsg after shutdown");
            assertEquals(-1L, c.returned, "recvmsg after shutdown: end of stream");
        });
    }

    private static Case send(Family family) {
        return new Case("send", family, fresh(() -> {
            Sock[] p = streamPair(family);
            // The smallest buffers the kernel allows: with larger ones, TCP goes on trickling
            // data into the receiver (window probes, queue collapsing) and makes room again.
            p[0].set(SockOpt.SO_SNDBUF, 1);
            p[1].set(SockOpt.SO_RCVBUF, 1);
            fill(p[0]);
            Step drain = () -> {
                // Room to read into at once, or TCP waits for window probes to learn of it.
                p[1].set(SockOpt.SO_RCVBUF, 4 * CHUNK);
                drain(p[1]);
            };
            return new Blocked(p[0], s -> s.send(new byte[SEND]), drain, List.of(p[1]));
        }), c -> {
            SocketException e = assertInstanceOf(SocketException.class, c.thrown, "send after shutdown");
            assertFalse(e instanceof SockClosedException, e.toString());
            assertTrue(e.getMessage().startsWith("send") && e.getMessage().contains("EPIPE"), e.getMessage());
        });
    }

    /**
     * send on a Unix datagram socket whose peer's queue is full: it waits on the peer, which
     * shutdown(2) of the sender's socket does not wake in the kernel, so the library polls.
     */
    private static Case sendDatagram() {
        return new Case("send", "AF_UNIX dgram", fresh(() -> {
            SockPair p = Sock.pair(SockType.DGRAM);
            p.first().setNonBlocking(true);
            while (p.first().send(new byte[512]) != Sock.WOULD_BLOCK) {
                // fill the peer's queue
            }
            p.first().setNonBlocking(false);
            return new Blocked(p.first(), s -> s.send(new byte[512]), () -> drain(p.second()), List.of(p.second()));
        }), c -> {
            SocketException e = assertInstanceOf(SocketException.class, c.thrown, "send after shutdown");
            assertFalse(e instanceof SockClosedException, e.toString());
            assertTrue(e.getMessage().startsWith("send") && e.getMessage().contains("EPIPE"), e.getMessage());
        });
    }

    /** connect into a listener whose backlog is full: Unix connects retry, TCP ones wait in SYN_SENT. */
    private static Case connect(Family family) {
        FixtureMaker full = () -> {
            Sock server;
            List<Sock> fillers;
            io.github.panamasockets.address.Sockaddr to;
            if (family.equals(Family.UNIX)) {
                to = AsyncCloseTest.uniqueName("matrix");
                server = Sock.open(Family.UNIX, SockType.STREAM).bind(to).listen(0);
                fillers = AsyncCloseTest.fillUnixBacklog(to);
            } else {
                server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(0);
                to = server.localAddress();
                fillers = AsyncCloseTest.fillTcpBacklog(server);
            }
            server.setNonBlocking(true);
            return new Fixture() {
                @Override
                public Blocked next() throws IOException {
                    // Accepting makes room: a Unix connect's next attempt, or a TCP SYN's retransmission, gets in.
                    Step accept = () -> {
                        Accepted a = server.accept();
                        if (a != null) {
                            a.close();
                        }
                    };
                    return new Blocked(Sock.open(family, SockType.STREAM), s -> s.connect(to), accept, List.of());
                }

                @Override
                public void close() {
                    fillers.forEach(Sock::close);
                    server.close();
                }
            };
        };
        // A SYN_SENT socket shut down is disconnected by the kernel; shutdown of an unconnected Unix
        // socket changes nothing that its connect attempts look at.
        ShutdownCheck tcp = c -> {
            SocketException e = assertInstanceOf(SocketException.class, c.thrown, "connect after shutdown");
            assertFalse(e instanceof SockClosedException, e.toString());
            assertTrue(e.getMessage().startsWith("connect") && e.getMessage().contains("ECONNRESET"), e.getMessage());
        };
        return new Case("connect", family, full, family.equals(Family.UNIX) ? null : tcp);
    }

    static Stream<Arguments> matrix() {
        List<Case> cases = new ArrayList<>();
        for (Family f : List.of(Family.UNIX, Family.INET)) {
            cases.addAll(List.of(accept(f), recv(f), send(f), connect(f), recvmsg(f)));
        }
        cases.add(sendDatagram());
        List<Arguments> rows = new ArrayList<>();
        for (Waker w : Waker.values()) {
            for (boolean virtual : new boolean[] {false, true}) {
                for (Case c : cases) {
                    if (w == Waker.SHUTDOWN && c.onShutdown() == null) {
                        continue;
                    }
                    rows.add(Arguments.of(w, Named.of(virtual ? "virtual" : "platform", virtual), Named.of(c.toString(), c)));
                }
            }
        }
        return rows.stream();
    }

    @BeforeAll
    static void baseline() throws Exception {
        startPoller();
        baselineFds = FdLeakTest.settledFds();
    }

    /** Starts the poller, whose two epoll descriptors stay for the life of the JVM, before fds are counted. */
    static void startPoller() throws Exception {
        try (SockPair p = Sock.pair(SockType.STREAM)) {
            p.first().setReceiveTimeout(Duration.ofMillis(1));
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    p.first().recv(new byte[1]);
                } catch (IOException expected) {
                    // timed out
                }
            });
            t.join();
        }
    }

    @AfterAll
    static void summaryAndLeaks() throws Exception {
        System.out.println("wake-up matrix (target: p99 <= 100 ms, max <= 1 s):");
        SUMMARY.forEach(System.out::println);
        assertEquals(baselineFds, FdLeakTest.settledFds(baselineFds), "descriptors left open by the matrix");
    }

    @ParameterizedTest(name = "{0} wakes {1} {2}")
    @MethodSource("matrix")
    void wakes(Waker waker, boolean virtual, Case c) throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            boolean notWoken = waker == Waker.INTERRUPT && !virtual;
            int samples = notWoken ? NOT_WOKEN_SAMPLES : SAMPLES;
            long[] latencies = new long[samples];
            reusedInRow = 0;
            if (notWoken) {
                // A call that is let finish changes a full backlog: a fresh one for each.
                for (int i = 0; i < samples; i++) {
                    try (Fixture fixture = c.fixture().open()) {
                        latencies[i] = sampleNotWoken(fixture, c);
                    }
                }
            } else {
                try (Fixture fixture = c.fixture().open()) {
                    for (int i = 0; i < samples; i++) {
                        latencies[i] = sample(fixture, c, waker, virtual, i == 0);
                    }
                }
            }
            report(waker, virtual, c, latencies, notWoken);
        });
    }

    // ------------------------------------------------------------------------------ shutdown, all ways of waiting

    private interface Receive {
        /** {@return the socket, with whatever else must stay open listed in {@code keep}} */
        Sock open(List<AutoCloseable> keep) throws IOException;
    }

    static Stream<Arguments> shutDownReceives() {
        Receive unixListener = keep -> listener(Family.UNIX);
        Receive unixDgram = keep -> {
            SockPair p = Sock.pair(SockType.DGRAM);
            keep.add(p.second());
            return p.first();
        };
        Receive udp = keep -> {
            Sock s = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
            return s.connect(s.localAddress());
        };
        Call accept = s -> {
            try {
                s.accept().close();
                return "accepted";
            } catch (SocketException e) {
                assertFalse(e instanceof SockClosedException, e.toString());
                return e.getMessage();
            }
        };
        Call recv = s -> s.recv(new byte[16]);
        Call recvFrom = s -> s.recvFrom(new byte[16], 0, 16).length();
        Call recvmsg = s -> {
            MsgResult r = s.recvmsg(ControlSpec.fds(1), 0, new byte[16]);
            Messages.close(r.control());
            return r.length() + " bytes, " + r.control().size() + " control messages, flags " + r.flags();
        };
        return Stream.of(
                Arguments.of(Named.of("accept on a Unix stream listener", unixListener), accept),
                Arguments.of(Named.of("recv on a Unix datagram socket", unixDgram), recv),
                Arguments.of(Named.of("recvFrom on a Unix datagram socket", unixDgram), recvFrom),
                Arguments.of(Named.of("recvmsg on a Unix datagram socket", unixDgram), recvmsg),
                Arguments.of(Named.of("recv on a connected UDP socket", udp), recv));
    }

    /**
     * Some sockets shut down for reading are readable for good (poll says POLLIN|POLLRDHUP) while
     * their non-blocking call says EAGAIN for good: a Unix listener, datagram sockets. A call that
     * waits must end there as the kernel's blocking call does (EINVAL from accept, 0 from a
     * receive), whether it blocks in the kernel (platform thread), waits in poll(2) (platform
     * thread with a receive timeout) or parks (virtual thread); it must not go round forever.
     */
    @ParameterizedTest(name = "shutdown ends {0} the same way on every kind of wait")
    @MethodSource("shutDownReceives")
    void shutdownEndsAReceiveTheWayTheBlockingCallDoes(Receive open, Call call) throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Object> outcomes = new ArrayList<>();
            for (String way : List.of("platform", "platform with a timeout", "virtual")) {
                List<AutoCloseable> keep = new ArrayList<>();
                Sock s = open.open(keep);
                try {
                    if (way.endsWith("timeout")) {
                        s.setReceiveTimeout(Duration.ofSeconds(60));
                    }
                    Caller caller = new Caller(way.equals("virtual"), s, call);
                    caller.awaitBlocked();
                    long at = System.nanoTime();
                    s.shutdown(Shutdown.BOTH);
                    caller.join(WAKE_CAP_MS);
                    assertNull(caller.thrown, way);
                    System.out.printf("shutdown woke a %s wait after %.3f ms: %s%n", way, (caller.endedAt - at) / 1e6, caller.returned);
                    outcomes.add(caller.returned);
                } finally {
                    s.close();
                    for (AutoCloseable k : keep) {
                        k.close();
                    }
                }
            }
            assertEquals(List.of(outcomes.get(0), outcomes.get(0), outcomes.get(0)), outcomes,
                    "platform, platform with a timeout, virtual");
        });
    }

    // ------------------------------------------------------------------------------ sampling

    /**
     * One call blocked, woken by {@code waker}; after an interrupt, with {@code reuse}, the socket
     * is used again. {@return the wake latency in nanoseconds}
     */
    private static long sample(Fixture fixture, Case c, Waker waker, boolean virtual, boolean reuse) throws Exception {
        Blocked b = fixture.next();
        AsyncCloseTest.Sentinels sentinels = new AsyncCloseTest.Sentinels();
        try {
            Caller caller = new Caller(virtual, b.socket(), b.call());
            caller.awaitBlocked();
            int fd = b.socket().fd();
            long at = System.nanoTime();
            switch (waker) {
                case CLOSE -> {
                    b.socket().close();
                    sentinels.open(50);      // take the numbers as soon as they are free
                }
                case INTERRUPT -> caller.thread.interrupt();
                case SHUTDOWN -> b.socket().shutdown(Shutdown.BOTH);
            }
            caller.join(WAKE_CAP_MS);
            long latency = caller.endedAt - at;
            switch (waker) {
                case CLOSE -> {
                    SockClosedException e = assertInstanceOf(SockClosedException.class, caller.thrown, c + ", closed");
                    assertTrue(e.getMessage().contains("closed"), e.getMessage());
                    assertFalse(b.socket().isOpen());
                    sentinels.open(10);      // the number is free now: a late wake-up would hit one of these
                    sentinels.assertIntact();
                    if (sentinels.took(fd)) {
                        reusedInRow++;
                    }
                }
                case INTERRUPT -> {
                    InterruptedIOException e = assertInstanceOf(InterruptedIOException.class, caller.thrown, c + ", interrupted");
                    assertFalse(e instanceof SocketTimeoutException, e.toString());
                    assertTrue(e.getMessage().startsWith(c.call()), e.getMessage());
                    assertTrue(caller.interruptedAfter, "the interrupt status stays set");
                    if (c.call().equals("connect")) {
                        assertFalse(b.socket().isOpen(), "an interrupted connect closes the socket");
                    } else {
                        assertTrue(b.socket().isOpen(), "an interrupted call leaves the socket open");
                    }
                    if (b.socket().isOpen() && reuse) {
                        // And usable: the same call again, let complete, succeeds.
                        Caller again = new Caller(false, b.socket(), b.call());
                        completeUntilEnded(again, b, c);
                        assertNull(again.thrown, c + " after the interrupt");
                        closeResult(again.returned);
                    }
                }
                case SHUTDOWN -> {
                    c.onShutdown().check(caller);
                    assertTrue(b.socket().isOpen(), "shutdown leaves the socket open");
                }
            }
            closeResult(caller.returned);
            return latency;
        } finally {
            sentinels.close();
            closeAll(b);
        }
    }

    /**
     * A platform thread interrupted in a call is not woken: it is still in the call after a while;
     * then the peer lets it complete, and it returns normally with its interrupt status still set.
     * {@return how long the call took to complete once let}
     */
    private static long sampleNotWoken(Fixture fixture, Case c) throws Exception {
        Blocked b = fixture.next();
        try {
            Caller caller = new Caller(false, b.socket(), b.call());
            caller.awaitBlocked();
            caller.thread.interrupt();
            caller.thread.join(NOT_WOKEN_WATCH_MS);
            assertTrue(caller.thread.isAlive(), () -> c + ": a platform thread was woken by interrupt: returned "
                    + caller.returned + ", threw " + caller.thrown);
            assertTrue(AsyncCloseTest.inLibraryCall(caller.thread), "still in the call");
            long at = System.nanoTime();
            completeUntilEnded(caller, b, c);
            assertNull(caller.thrown, c + ": completes normally");
            assertTrue(caller.interruptedAfter, "the interrupt status stays set");
            assertTrue(b.socket().isOpen());
            closeResult(caller.returned);
            return caller.endedAt - at;
        } finally {
            closeAll(b);
        }
    }

    /** Lets the peer act (send, connect, drain, accept) until the call has ended. */
    private static void completeUntilEnded(Caller caller, Blocked b, Case c) throws Exception {
        long deadline = System.nanoTime() + WAKE_CAP_MS * 1_000_000;
        while (!caller.ended()) {
            assertTrue(System.nanoTime() < deadline, c + ": never completed");
            b.complete().run();
            caller.thread.join(20);
        }
    }

    private static void closeResult(Object result) {
        if (result instanceof Accepted a) {
            a.close();
        }
    }

    private static void closeAll(Blocked b) throws Exception {
        b.socket().close();
        for (AutoCloseable o : b.others()) {
            o.close();
        }
    }

    private static void report(Waker waker, boolean virtual, Case c, long[] nanos, boolean notWoken) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double p50 = sorted[(sorted.length - 1) / 2] / 1e6;
        double p99 = sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6;
        double max = sorted[sorted.length - 1] / 1e6;
        String what = notWoken ? "not woken; completed when let"
                : waker == Waker.CLOSE ? "woken; fd reused " + reusedInRow + "/" + sorted.length : "woken";
        String target = notWoken ? "" : p99 <= 100 && max <= 1000 ? "" : "  ABOVE TARGET";
        String line = String.format("  %-9s %-8s %-24s %-30s n=%-3d p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms%s",
                waker, virtual ? "virtual" : "platform", c, what, sorted.length, p50, p99, max, target);
        System.out.println("wake-up matrix:" + line);
        synchronized (SUMMARY) {
            SUMMARY.add(line);
        }
    }
}
