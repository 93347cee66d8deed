package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.netlink.NetlinkSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receive, send and connect timeouts, on platform and virtual threads: each fires as a
 * {@link SyscallTimeoutException} (a {@link SocketTimeoutException}) no sooner than 0.9 times the
 * timeout and no later than the timeout plus {@link #SLACK} (a loaded machine may be late, never
 * early); the socket stays usable after a receive or send timeout and is closed after a connect
 * timeout; SO_RCVTIMEO set as an option is the same timeout; {@link Duration#ZERO} is none; netlink
 * receives honour it. Under a storm of signals (SIGWINCH every 100 ms, each an EINTR) blocked calls
 * still complete, and a 1 s timeout still fires after about 1 s: the time left counts, not a fresh
 * timeout after every signal, which with a signal every 100 ms would never fire.
 *
 * <p>A connect that does not complete on loopback: a TCP listener with a backlog of 0 whose accept
 * queue holds one connection drops every further SYN, so the connect waits in SYN_SENT; a Unix
 * stream listener with a full backlog refuses with EAGAIN, which the library retries.
 */
class TimeoutTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    /** The timeout of the matrix: short, so that the whole matrix stays quick. */
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    /** How late a timeout may fire on a shared, noisy machine. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    /** A SIGWINCH handler for the class, so that the signal interrupts rather than is ignored. */
    @RegisterExtension
    static final Signals SIGNALS = new Signals();

    // ------------------------------------------------------------------------------ helpers

    /** What a call on its own thread returned or threw, and how long it took. */
    record Outcome(Object value, Throwable thrown, long nanos) {
        double millis() {
            return nanos / 1e6;
        }
    }

    static Thread.Builder builder(boolean virtual) {
        return virtual ? Thread.ofVirtual().name("timeout-test-virtual") : Thread.ofPlatform().name("timeout-test");
    }

    /** Runs {@code call} on a new platform or virtual thread and waits for it. */
    static Outcome onThread(boolean virtual, Callable<?> call) throws Exception {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Thread t = builder(virtual).start(() -> done.complete(timed(call)));
        t.join();
        return done.get();
    }

    /** {@return what {@code call} returns, or what it throws}: for a thread to hand back either */
    static Object valueOrThrown(Callable<?> call) {
        try {
            return call.call();
        } catch (Throwable e) {
            return e;
        }
    }

    private static Outcome timed(Callable<?> call) {
        long t0 = System.nanoTime();
        try {
            Object v = call.call();
            return new Outcome(v, null, System.nanoTime() - t0);
        } catch (Throwable e) {
            return new Outcome(null, e, System.nanoTime() - t0);
        }
    }

    /**
     * Asserts that the outcome is a timeout of {@code call} that fired within the tolerance:
     * at least 0.9 x {@code timeout}, at most {@code timeout} + {@link #SLACK}.
     */
    static SyscallTimeoutException assertTimedOut(String what, String call, Duration timeout, Outcome o) {
        System.out.printf("%s: a %d ms timeout fired after %.1f ms%n", what, timeout.toMillis(), o.millis());
        if (!(o.thrown() instanceof SyscallTimeoutException e)) {
            throw new AssertionError(what + ": expected a SyscallTimeoutException, got "
                    + (o.thrown() == null ? "the result " + o.value() : o.thrown()), o.thrown());
        }
        assertInstanceOf(SocketTimeoutException.class, e);
        assertTrue(e.call().startsWith(call), what + ": the exception names the call: " + e.getMessage());
        assertTrue(o.nanos() >= timeout.toNanos() * 9 / 10,
                what + ": fired after " + o.millis() + " ms, before 0.9 x " + timeout.toMillis() + " ms");
        assertTrue(o.nanos() <= timeout.plus(SLACK).toNanos(),
                what + ": fired after " + o.millis() + " ms, more than " + SLACK.toMillis() + " ms late");
        return e;
    }

    /**
     * Fills a socket's send side until a send would block, leaving it in blocking mode;
     * {@return the bytes queued}
     */
    static long fill(Sock s) throws IOException {
        s.setNonBlocking(true);
        byte[] chunk = new byte[s.type().equals(SockType.STREAM) ? 65536 : 512];
        long queued = 0;
        for (int n; (n = s.send(chunk)) != Sock.WOULD_BLOCK; queued += n) {
            assertTrue(queued < 1L << 30, "the socket never filled");
        }
        s.setNonBlocking(false);
        return queued;
    }

    /** Receives exactly {@code bytes} from a stream socket, in blocking mode. */
    static void drain(Sock s, long bytes) throws IOException {
        byte[] b = new byte[65536];
        for (long left = bytes; left > 0; ) {
            int n = s.recv(b, 0, (int) Math.min(b.length, left));
            assertTrue(n > 0, "end of stream with " + left + " bytes to come");
            left -= n;
        }
    }

    /** Receives everything queued on {@code s} without waiting. */
    static void drain(Sock s) throws IOException {
        boolean was = s.isNonBlocking();
        s.setNonBlocking(true);
        byte[] b = new byte[65536];
        while (s.recv(b) >= 0) {
            // until WOULD_BLOCK
        }
        s.setNonBlocking(was);
    }

    static Sockaddr loopback(Family f) {
        return f.equals(Family.INET) ? SockaddrInet4.loopback(0) : SockaddrInet6.loopback(0);
    }

    /**
     * A TCP listener with a backlog of 0 and one connection in its accept queue, which is then full
     * (listen(2): the kernel drops further SYNs); with the connection that fills it.
     */
    static List<AutoCloseable> tcpFullBacklog(Family f) throws IOException {
        Sock listener = Sock.open(f, SockType.STREAM).bind(loopback(f)).listen(0);
        List<AutoCloseable> keep = new ArrayList<>(List.of(listener));
        keep.add(Sock.open(f, SockType.STREAM).connect(listener.localAddress()));
        // Readable once the handshake has put the connection in the accept queue.
        assertTrue((listener.poll(PollEvents.IN, HANG_GUARD) & PollEvents.IN) != 0, "the first connection was queued");
        return keep;
    }

    /** A Unix stream listener with a backlog of 0, filled; its name comes first. */
    static List<AutoCloseable> unixFullBacklog(Sockaddr name) throws IOException {
        Sock server = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen(0);
        List<AutoCloseable> keep = new ArrayList<>(List.of(server));
        for (int i = 0; i < 3; i++) {
            keep.add(CloseWakeupTest.connectNonBlocking(name));
        }
        return keep;
    }

    static void closeAll(List<? extends AutoCloseable> all) throws Exception {
        for (AutoCloseable c : all) {
            c.close();
        }
    }

    private static final AtomicInteger NAMES = new AtomicInteger();

    static Sockaddr unixName() {
        return SockaddrUnix.abstractName("timeout-test-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet());
    }

    // ------------------------------------------------------------------------------ the matrix

    private interface Call {
        Object run(Sock s) throws Exception;
    }

    /**
     * A socket with a timeout set, the call that times out on it, and a check made afterwards:
     * that the socket still works, or (for connect) that it was closed.
     */
    private record Timed(Sock sock, String call, Call timesOut, Call after, List<AutoCloseable> keep) {
    }

    private interface Setup {
        Timed make() throws Exception;
    }

    private static Timed recvOnAUnixStream() throws IOException {
        SockPair p = Sock.pair(SockType.STREAM);
        p.first().setReceiveTimeout(TIMEOUT);
        return new Timed(p.first(), "recv", s -> s.recv(new byte[8]), s -> {
            p.second().send(new byte[] {1, 2, 3});
            return assertReceived(3, s.recv(new byte[8]));
        }, List.of(p));
    }

    private static Timed recvFromOnUdp6() throws IOException {
        Sock udp = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0));
        Sock peer = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0));
        udp.setReceiveTimeout(TIMEOUT);
        return new Timed(udp, "recvfrom", s -> s.recvFrom(new byte[8], 0, 8), s -> {
            peer.sendTo(new byte[] {4, 5}, 0, 2, s.localAddress());
            Received r = s.recvFrom(new byte[8], 0, 8);
            assertEquals(peer.localAddress(), r.from());
            return assertReceived(2, r.length());
        }, List.of(udp, peer));
    }

    private static Timed recvmsgOnAUnixDatagramPair() throws IOException {
        SockPair p = Sock.pair(SockType.DGRAM);
        p.first().set(SockOpt.SO_RCVTIMEO, TIMEOUT);
        return new Timed(p.first(), "recvmsg", s -> s.recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocate(8)), s -> {
            p.second().send(new byte[] {6});
            return assertReceived(1, (int) s.recvmsg(ControlSpec.NONE, 0, ByteBuffer.allocate(8)).length());
        }, List.of(p));
    }

    private static Timed acceptOn(Family f, SockType type, Sockaddr where) throws IOException {
        Sock server = Sock.open(f, type).bind(where).listen();
        server.setReceiveTimeout(TIMEOUT);
        List<AutoCloseable> keep = new ArrayList<>(List.of(server));
        return new Timed(server, "accept", Sock::accept, s -> {
            keep.add(Sock.open(f, type).connect(s.localAddress()));
            Accepted a = s.accept();
            keep.add(a);
            return a;
        }, keep);
    }

    private static Timed sendOnAFullUnixStream() throws IOException {
        SockPair p = Sock.pair(SockType.STREAM);
        fill(p.first());
        p.first().setSendTimeout(TIMEOUT);
        return new Timed(p.first(), "send", s -> s.send(new byte[65536]), s -> {
            drain(p.second());
            assertTrue(s.send(new byte[] {7}) == 1);
            return null;
        }, List.of(p));
    }

    private static Timed sendmsgOnAFullUnixDatagramPair() throws IOException {
        SockPair p = Sock.pair(SockType.DGRAM);
        fill(p.first());
        p.first().set(SockOpt.SO_SNDTIMEO, TIMEOUT);
        return new Timed(p.first(), "sendmsg", s -> s.sendmsg(null, List.of(), 0, new byte[16]), s -> {
            drain(p.second());
            assertEquals(16, s.sendmsg(null, List.of(), 0, new byte[16]));
            return null;
        }, List.of(p));
    }

    private static Timed connectWithATimeoutToAFullTcpBacklog(Family f) throws IOException {
        List<AutoCloseable> keep = tcpFullBacklog(f);
        Sockaddr to = ((Sock) keep.get(0)).localAddress();
        return new Timed(Sock.open(f, SockType.STREAM), "connect", s -> s.connect(to, TIMEOUT), TimeoutTest::closed, keep);
    }

    private static Timed connectWithASendTimeoutToAFullTcpBacklog() throws IOException {
        List<AutoCloseable> keep = tcpFullBacklog(Family.INET);
        Sockaddr to = ((Sock) keep.get(0)).localAddress();
        Sock s = Sock.open(Family.INET, SockType.STREAM).setSendTimeout(TIMEOUT);
        return new Timed(s, "connect", c -> c.connect(to), TimeoutTest::closed, keep);
    }

    private static Timed connectWithATimeoutToAFullUnixBacklog() throws IOException {
        Sockaddr name = unixName();
        List<AutoCloseable> keep = unixFullBacklog(name);
        return new Timed(Sock.open(Family.UNIX, SockType.STREAM), "connect", s -> s.connect(name, TIMEOUT),
                TimeoutTest::closed, keep);
    }

    private static Object closed(Sock s) {
        assertFalse(s.isOpen(), "a connect that timed out closes its socket");
        return null;
    }

    private static int assertReceived(int expected, int n) {
        assertEquals(expected, n, "the socket still works after the timeout");
        return n;
    }

    static Stream<Arguments> timedCalls() {
        List<Arguments> all = new ArrayList<>();
        Object[][] cases = {
            {"recv on a Unix stream", (Setup) TimeoutTest::recvOnAUnixStream},
            {"recvFrom on UDP ::1", (Setup) TimeoutTest::recvFromOnUdp6},
            {"recvmsg on a Unix datagram pair", (Setup) TimeoutTest::recvmsgOnAUnixDatagramPair},
            {"accept on TCP 127.0.0.1", (Setup) () -> acceptOn(Family.INET, SockType.STREAM, SockaddrInet4.loopback(0))},
            {"accept on a Unix seqpacket listener",
                (Setup) () -> acceptOn(Family.UNIX, SockType.SEQPACKET, SockaddrUnix.unnamed())},
            {"send on a full Unix stream", (Setup) TimeoutTest::sendOnAFullUnixStream},
            {"sendmsg on a full Unix datagram pair", (Setup) TimeoutTest::sendmsgOnAFullUnixDatagramPair},
            {"connect(address, timeout) to a full TCP backlog on 127.0.0.1",
                (Setup) () -> connectWithATimeoutToAFullTcpBacklog(Family.INET)},
            {"connect(address, timeout) to a full TCP backlog on ::1",
                (Setup) () -> connectWithATimeoutToAFullTcpBacklog(Family.INET6)},
            {"connect with a send timeout to a full TCP backlog", (Setup) TimeoutTest::connectWithASendTimeoutToAFullTcpBacklog},
            {"connect(address, timeout) to a full Unix backlog", (Setup) TimeoutTest::connectWithATimeoutToAFullUnixBacklog},
        };
        for (Object[] c : cases) {
            all.add(Arguments.of(c[0], c[1], false));
            all.add(Arguments.of(c[0], c[1], true));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, virtual thread: {2}")
    @MethodSource("timedCalls")
    void theTimeoutFiresWithinTheToleranceAndLeavesTheSocketAsDocumented(String name, Setup setup, boolean virtual)
            throws Exception {
        Timed t = setup.make();
        try {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Outcome o = onThread(virtual, () -> t.timesOut().run(t.sock()));
                assertTimedOut(name + (virtual ? " (virtual)" : " (platform)"), t.call(), TIMEOUT, o);
                Outcome after = onThread(virtual, () -> t.after().run(t.sock()));
                if (after.thrown() != null) {
                    throw new AssertionError(name + ": after the timeout", after.thrown());
                }
            });
        } finally {
            t.sock().close();
            closeAll(t.keep());
        }
    }

    // ------------------------------------------------------------------------------ options

    @Test
    void soRcvtimeoSetAsAnOptionIsTheReceiveTimeout() throws Exception {
        // The kernel keeps the option in jiffies: 200 ms and 800 ms are whole jiffies at HZ 100,
        // 250, 300 and 1000, so getsockopt reads them back unchanged.
        try (var pair = Sock.pair(SockType.STREAM)) {
            Sock s = pair.first();
            assertEquals(Duration.ZERO, s.receiveTimeout());
            assertEquals(Duration.ZERO, s.get(SockOpt.SO_RCVTIMEO));
            s.set(SockOpt.SO_RCVTIMEO, Duration.ofMillis(200));
            assertEquals(Duration.ofMillis(200), s.receiveTimeout(), "receiveTimeout() reflects the option");
            assertEquals(Duration.ofMillis(200), s.get(SockOpt.SO_RCVTIMEO), "getsockopt reads it back");
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                for (boolean virtual : new boolean[] {false, true}) {
                    assertTimedOut("recv with SO_RCVTIMEO set as an option" + (virtual ? " (virtual)" : ""), "recv",
                            Duration.ofMillis(200), onThread(virtual, () -> s.recv(new byte[4])));
                }
            });
            s.setReceiveTimeout(Duration.ofMillis(800));
            assertEquals(Duration.ofMillis(800), s.get(SockOpt.SO_RCVTIMEO), "setReceiveTimeout sets the option");
            s.set(SockOpt.SO_SNDTIMEO, Duration.ofMillis(200));
            assertEquals(Duration.ofMillis(200), s.sendTimeout());
            assertEquals(Duration.ofMillis(200), s.get(SockOpt.SO_SNDTIMEO));
            s.setSendTimeout(Duration.ZERO);
            assertEquals(Duration.ZERO, s.get(SockOpt.SO_SNDTIMEO));
            assertEquals(Duration.ofMillis(800), s.receiveTimeout(), "the send timeout is its own");
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void durationZeroMeansNoTimeout(boolean virtual) throws Exception {
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            Sock s = pair.first().setReceiveTimeout(TIMEOUT).setReceiveTimeout(Duration.ZERO);
            assertEquals(Duration.ZERO, s.receiveTimeout());
            assertEquals(Duration.ZERO, s.get(SockOpt.SO_RCVTIMEO));
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                CompletableFuture<Outcome> r = new CompletableFuture<>();
                builder(virtual).start(() -> r.complete(timed(() -> s.recv(new byte[8]))));
                Thread.sleep(3 * TIMEOUT.toMillis());
                assertFalse(r.isDone(), "recv was still waiting at three times the old timeout: " + r);
                pair.second().send(new byte[] {1, 2});
                Outcome o = r.get();
                assertNull(o.thrown());
                assertEquals(2, o.value());
            });
        }
    }

    @Test
    void anAcceptedSocketHasNoTimeouts() throws Exception {
        // The kernel copies SO_RCVTIMEO and SO_SNDTIMEO from a TCP listener to the sockets it
        // accepts (not so for Unix sockets); the accepted socket is documented to have none.
        for (Family f : List.of(Family.INET, Family.UNIX)) {
            Sockaddr where = f.equals(Family.UNIX) ? SockaddrUnix.unnamed() : SockaddrInet4.loopback(0);
            try (var server = Sock.open(f, SockType.STREAM).bind(where).listen()
                    .setReceiveTimeout(TIMEOUT).setSendTimeout(TIMEOUT);
                 var client = Sock.open(f, SockType.STREAM).connect(server.localAddress());
                 var conn = server.accept()) {
                Sock s = conn.socket();
                assertEquals(Duration.ZERO, s.receiveTimeout(), f + ": receiveTimeout()");
                assertEquals(Duration.ZERO, s.sendTimeout(), f + ": sendTimeout()");
                assertEquals(Duration.ZERO, s.get(SockOpt.SO_RCVTIMEO), f + ": the kernel's SO_RCVTIMEO");
                assertEquals(Duration.ZERO, s.get(SockOpt.SO_SNDTIMEO), f + ": the kernel's SO_SNDTIMEO");
                assertEquals(TIMEOUT, server.receiveTimeout(), "the listener keeps its own");
                assertTimeoutPreemptively(HANG_GUARD, () -> {
                    CompletableFuture<Outcome> r = new CompletableFuture<>();
                    Thread.ofPlatform().start(() -> r.complete(timed(() -> s.recv(new byte[8]))));
                    Thread.sleep(3 * TIMEOUT.toMillis());
                    assertFalse(r.isDone(), f + ": a recv on the accepted socket waits with no timeout: " + r);
                    client.send(new byte[] {9});
                    assertEquals(1, r.get().value(), f + ": " + r.get());
                });
            }
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void anAdoptedSocketKeepsTheKernelsTimeouts(boolean virtual) throws Exception {
        // A descriptor handed over (systemd, SCM_RIGHTS) may come with SO_RCVTIMEO and SO_SNDTIMEO
        // set: the adopted socket reports and enforces them, on virtual threads too, which never
        // block in the kernel where its timeout would act.
        try (var pair = Sock.pair(SockType.STREAM)) {
            pair.first().setReceiveTimeout(TIMEOUT).setSendTimeout(Duration.ofMillis(800));
            try (var adopted = Sock.adopt(AdoptFdTest.dup(pair.first().fd()))) {
                assertEquals(TIMEOUT, adopted.receiveTimeout());
                assertEquals(Duration.ofMillis(800), adopted.sendTimeout());
                assertTimeoutPreemptively(HANG_GUARD, () -> assertTimedOut("recv on an adopted socket"
                        + (virtual ? " (virtual)" : " (platform)"), "recv", TIMEOUT,
                        onThread(virtual, () -> adopted.recv(new byte[8]))));
            }
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void recvmsgWithWaitallFillsTheBuffersWhateverTheThreadOrTimeout(boolean virtual) throws Exception {
        // Where the library waits instead of the kernel (virtual threads, timeouts), MSG_WAITALL
        // must still wait for the buffers to fill: the data comes in two parts, 300 ms apart,
        // the first ending inside the second of three buffers.
        for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(10))) {
            try (var pair = Sock.pair(SockType.STREAM)) {
                pair.second().setReceiveTimeout(timeout);
                ByteBuffer head = ByteBuffer.allocate(2);
                ByteBuffer middle = ByteBuffer.allocateDirect(3);
                ByteBuffer tail = ByteBuffer.allocate(5).position(1);
                pair.first().send(new byte[] {1, 2, 3});
                assertTimeoutPreemptively(HANG_GUARD, () -> {
                    CompletableFuture<Outcome> r = new CompletableFuture<>();
                    builder(virtual).start(() -> r.complete(timed(
                            () -> pair.second().recvmsg(ControlSpec.NONE, MsgFlags.WAITALL, head, middle, tail))));
                    Thread.sleep(300);
                    assertFalse(r.isDone(), "timeout " + timeout + ": recvmsg waits for all 9 bytes: " + r);
                    pair.first().send(new byte[] {4, 5, 6, 7, 8, 9});
                    Outcome o = r.get();
                    assertNull(o.thrown());
                    assertEquals(9L, ((MsgResult) o.value()).length(), "timeout " + timeout);
                });
                assertEquals(2, head.position());
                assertEquals(3, middle.position());
                assertEquals(5, tail.position());
                assertArrayEquals(new byte[] {1, 2}, head.array());
                assertArrayEquals(new byte[] {3, 4, 5}, new byte[] {middle.get(0), middle.get(1), middle.get(2)});
                assertArrayEquals(new byte[] {0, 6, 7, 8, 9}, tail.array());
            }
        }
        // A timeout after some bytes returns those bytes, as recvmsg(2) does.
        try (var pair = Sock.pair(SockType.STREAM)) {
            pair.second().setReceiveTimeout(TIMEOUT);
            pair.first().send(new byte[] {1, 2, 3});
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Outcome o = onThread(virtual, () -> pair.second().recvmsg(ControlSpec.NONE, MsgFlags.WAITALL, new byte[8]));
                System.out.printf("recvmsg(MSG_WAITALL) with 3 of 8 bytes and a %d ms timeout (virtual: %b): "
                        + "returned after %.1f ms%n", TIMEOUT.toMillis(), virtual, o.millis());
                assertNull(o.thrown());
                assertEquals(3L, ((MsgResult) o.value()).length());
                assertTrue(o.nanos() >= TIMEOUT.toNanos() * 9 / 10, "it waited for the rest first");
            });
        }
        if (virtual) {
            // So does an interrupt; the interrupt status stays set.
            try (var pair = Sock.pair(SockType.STREAM)) {
                pair.first().send(new byte[] {1, 2, 3});
                assertTimeoutPreemptively(HANG_GUARD, () -> {
                    CompletableFuture<Object> r = new CompletableFuture<>();
                    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
                    Thread t = Thread.ofVirtual().start(() -> {
                        r.complete(valueOrThrown(() -> pair.second().recvmsg(ControlSpec.NONE, MsgFlags.WAITALL, new byte[8])));
                        interrupted.complete(Thread.currentThread().isInterrupted());
                    });
                    PollTest.awaitWaiting(t);
                    t.interrupt();
                    assertEquals(3L, ((MsgResult) r.get()).length(), String.valueOf(r.get()));
                    assertTrue(interrupted.get());
                });
            }
        }
    }

    // ------------------------------------------------------------------------------ netlink

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void netlinkReceivesHonourTheReceiveTimeout(boolean virtual) throws Exception {
        // Netlink receives wait in poll(2) (shutdown does not wake them): that wait must count the
        // timeout too, which an earlier version ignored.
        try (var raw = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel());
             var nl = NetlinkSocket.open(Protocol.NETLINK_ROUTE)) {
            raw.setReceiveTimeout(TIMEOUT);
            nl.socket().setReceiveTimeout(TIMEOUT);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                String kind = virtual ? " (virtual)" : " (platform)";
                assertTimedOut("recv on a raw netlink socket" + kind, "recv", TIMEOUT,
                        onThread(virtual, () -> raw.recv(new byte[8192])));
                assertTimedOut("recvFrom on a raw netlink socket" + kind, "recvfrom", TIMEOUT,
                        onThread(virtual, () -> raw.recvFrom(new byte[8192], 0, 8192)));
                assertTimedOut("NetlinkSocket.receive" + kind, "recvfrom", TIMEOUT, onThread(virtual, nl::receive));
                // And a message sent afterwards is received.
                Sockaddr to = raw.localAddress();
                try (var sender = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel())) {
                    sender.sendTo(new byte[] {1, 2, 3}, 0, 3, to);
                }
                assertEquals(3, onThread(virtual, () -> raw.recv(new byte[8192])).value());
            });
        }
    }

    // ------------------------------------------------------------------------------ EINTR storms

    /**
     * Runs {@code call} on a new thread and, every 100 ms until it returns, sends SIGWINCH: to the
     * thread itself (a platform thread blocked in a system call), or to every thread of the process
     * (a virtual thread parks: its carrier, the poller threads and all others get the signal).
     * {@code release}, if given, runs once after about 600 ms, to let the call complete.
     */
    private static Outcome underSignals(String what, boolean virtual, Callable<?> call, Callable<?> release)
            throws Exception {
        AtomicInteger tid = new AtomicInteger();
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Thread t = builder(virtual).start(() -> {
            tid.set(Signals.gettid());
            done.complete(timed(call));
        });
        while (tid.get() == 0) {
            Thread.sleep(1);
        }
        int before = Signals.handled();
        long start = System.nanoTime();
        int sent = 0;
        boolean released = release == null;
        while (!done.isDone()) {
            Thread.sleep(100);
            if (!released && System.nanoTime() - start >= 600_000_000L) {
                released = true;
                release.call();
            }
            sent += virtual ? Signals.signalAll() : Signals.signal(tid.get()) == 0 ? 1 : 0;
        }
        t.join();
        Outcome o = done.get();
        for (int i = 0; i < 100 && Signals.handled() == before; i++) {
            Thread.sleep(10);        // the handler runs on the JDK's signal dispatcher thread
        }
        System.out.printf("%s under signals: returned after %.1f ms; %d signals sent, %d handled%n", what,
                o.millis(), sent, Signals.handled() - before);
        assertTrue(Signals.handled() > before, what + ": the signals were delivered");
        return o;
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void aOneSecondReceiveTimeoutFiresAfterOneSecondUnderSignals(boolean virtual) throws Exception {
        Duration second = Duration.ofSeconds(1);
        try (var pair = Sock.pair(SockType.STREAM)) {
            pair.first().setReceiveTimeout(second);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Outcome o = underSignals("recv with a 1 s timeout", virtual, () -> pair.first().recv(new byte[8]), null);
                // A timeout restarted by each EINTR would never fire with a signal every 100 ms.
                assertTimedOut("recv with a 1 s timeout under signals", "recv", second, o);
            });
        }
    }

    @Test
    void aOneSecondPollTimeoutReturnsAfterOneSecondUnderSignals() throws Exception {
        // poll(2) is never restarted after a signal: Poll counts the time left.
        Duration second = Duration.ofSeconds(1);
        try (var pair = Sock.pair(SockType.DGRAM)) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Outcome o = underSignals("Poll.poll with a 1 s timeout", false,
                        () -> Poll.poll(second, Poll.of(pair.first(), PollEvents.IN), Poll.of(pair.second(), PollEvents.IN)), null);
                assertEquals(List.of(), o.value(), "the time passed with nothing to report");
                assertTrue(o.nanos() >= second.toNanos() * 9 / 10 && o.nanos() <= second.plus(SLACK).toNanos(),
                        "returned after " + o.millis() + " ms");
            });
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void aOneSecondConnectTimeoutFiresAfterOneSecondUnderSignals(boolean virtual) throws Exception {
        Duration second = Duration.ofSeconds(1);
        List<AutoCloseable> keep = tcpFullBacklog(Family.INET);
        try (var s = Sock.open(Family.INET, SockType.STREAM)) {
            Sockaddr to = ((Sock) keep.get(0)).localAddress();
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Outcome o = underSignals("connect with a 1 s timeout", virtual, () -> s.connect(to, second), null);
                assertTimedOut("connect with a 1 s timeout under signals", "connect", second, o);
                assertFalse(s.isOpen());
            });
        } finally {
            closeAll(keep);
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void blockedCallsCompleteUnderSignals(boolean virtual) throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (var pair = Sock.pair(SockType.STREAM)) {
                Outcome o = underSignals("recv with no timeout", virtual, () -> pair.first().recv(new byte[8]),
                        () -> pair.second().send(new byte[] {1, 2, 3}));
                assertNull(o.thrown());
                assertEquals(3, o.value(), "recv completed with the data sent after 600 ms");
            }
            try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen()) {
                List<Sock> clients = new ArrayList<>();
                Outcome o = underSignals("accept", virtual, () -> {
                    try (Accepted a = server.accept()) {
                        return a.peer();
                    }
                }, () -> clients.add(Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress())));
                assertNull(o.thrown());
                assertEquals(clients.get(0).localAddress(), o.value(), "accept completed with the client's connection");
                closeAll(clients);
            }
            try (var pair = Sock.pair(SockType.STREAM)) {
                long queued = fill(pair.first());
                byte[] chunk = new byte[1000];
                java.util.Arrays.fill(chunk, (byte) 'z');
                Outcome o = underSignals("send on a full socket", virtual, () -> pair.first().send(chunk), () -> {
                    drain(pair.second(), queued);       // exactly what fill queued: the rest is the send's
                    return null;
                });
                assertNull(o.thrown());
                assertTrue((int) o.value() > 0, "send completed once the peer drained: " + o.value());
                byte[] got = SocketMatrixTest.recvExactly(pair.second(), (int) o.value());
                assertArrayEquals(java.util.Arrays.copyOf(chunk, got.length), got);
            }
        });
    }

    @Test
    void aConnectThatTimedOutLeavesNothingBehind() throws Exception {
        List<AutoCloseable> keep = tcpFullBacklog(Family.INET);
        try {
            Sockaddr to = ((Sock) keep.get(0)).localAddress();
            int before = FdLeakTest.settledFds();
            for (int i = 0; i < 20; i++) {
                Sock s = Sock.open(Family.INET, SockType.STREAM);
                SyscallTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(SyscallTimeoutException.class,
                        () -> s.connect(to, Duration.ofMillis(20)));
                assertNotNull(e.getMessage());
                assertFalse(s.isOpen());
            }
            assertEquals(before, FdLeakTest.openFds(), "every timed-out socket's descriptor was closed");
        } finally {
            closeAll(keep);
        }
    }
}
