package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EpollSelector} with real sockets: a Netty-style echo loop on one platform thread serving
 * 1,000 JDK NIO clients, wakeup and close from other threads on platform and virtual threads, the
 * keys' semantics, sockets closed while registered, and no allocation per select. Times are
 * printed for information; the only bounds asserted are generous hang guards.
 */
class EpollSelectorTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);
    /** A select that only a wakeup, a close or readiness ends within a hang guard. */
    private static final Duration LONG = Duration.ofSeconds(30);

    // ------------------------------------------------------------------------------ the echo loop

    private static final int CONNECTIONS = 1_000;
    private static final int SIZE = 16 * 1024;
    /** The loop's per-connection buffer: what it received, then what it has yet to send back. */
    private static final int CHUNK = 8 * 1024;

    enum Transport { TCP, UNIX }

    /**
     * One platform thread, one non-blocking listener and one selector, as in Netty: it accepts,
     * registers each connection for IN with its buffer of pending output as the attachment, echoes,
     * switches to OUT (and stops reading) when a send is partial or would block, and closes at end
     * of stream, cancelling every other key first and leaving the rest to the next select.
     */
    private static final class EchoLoop {
        final EpollSelector sel;
        final Sock listener;
        int accepted;
        int closed;
        int live;
        int peak;
        int selects;
        int partialSends;
        int wouldBlocks;
        int outToggles;

        EchoLoop(EpollSelector sel, Sock listener) {
            this.sel = sel;
            this.listener = listener;
        }

        void run(int connections) throws IOException {
            listener.setNonBlocking(true);
            EpollSelector.Key listening = sel.register(listener, PollEvents.IN, "listener");
            // After the last close, a few selects more drop the keys of sockets closed without cancel.
            for (int extra = 0; closed < connections || sel.keys().size() > 1 && extra < 100; extra++) {
                sel.select(Duration.ofMillis(100));
                selects++;
                if (closed < connections) {
                    extra = 0;
                }
                for (EpollSelector.Key key : sel.selectedKeys()) {
                    if (key == listening) {
                        accept();
                    } else {
                        serve(key, (ByteBuffer) key.attachment());
                    }
                }
            }
        }

        private void accept() throws IOException {
            Accepted a;
            while ((a = listener.accept()) != null) {
                Sock conn = a.socket();
                conn.setNonBlocking(true);
                // A small send buffer, so that echoes are partial and the loop must wait for OUT.
                conn.set(SockOpt.SO_SNDBUF, 1024);
                sel.register(conn, PollEvents.IN, ByteBuffer.allocate(CHUNK).limit(0));
                accepted++;
                peak = Math.max(peak, ++live);
            }
        }

        private void serve(EpollSelector.Key key, ByteBuffer pending) throws IOException {
            Sock conn = key.sock();
            if (pending.hasRemaining()) {
                if (key.isWritable()) {
                    flush(key, pending);
                }
                return;
            }
            if (!key.isReadable()) {
                return;
            }
            pending.clear();
            int n = conn.recv(pending);
            pending.flip();
            if (n == -1) {
                if (closed % 2 == 0) {
                    key.cancel();
                }
                conn.close();
                closed++;
                live--;
            } else if (n > 0) {
                flush(key, pending);
            }
        }

        private void flush(EpollSelector.Key key, ByteBuffer pending) throws IOException {
            int n = key.sock().send(pending);
            if (n == Sock.WOULD_BLOCK) {
                wouldBlocks++;
            } else if (pending.hasRemaining()) {
                partialSends++;
            }
            if (pending.hasRemaining()) {
                if (key.interest() != PollEvents.OUT) {
                    key.interest(PollEvents.OUT);
                    outToggles++;
                }
            } else if (key.interest() != PollEvents.IN) {
                key.interest(PollEvents.IN);
            }
        }
    }

    /** A NIO client: sends SIZE random bytes, then reads them all back; returns them. */
    private static byte[] echoClient(int i, SocketAddress server) throws IOException {
        byte[] data = new byte[SIZE];
        new Random(i).nextBytes(data);
        boolean tcp = server instanceof InetSocketAddress;
        try (SocketChannel ch = SocketChannel.open(tcp ? StandardProtocolFamily.INET : StandardProtocolFamily.UNIX)) {
            if (tcp) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);   // small: an echo cannot all fit at once
            }
            ch.connect(server);
            InteropTest.writeNio(ch, data);
            byte[] back = InteropTest.readNio(ch, SIZE);
            assertArrayEquals(data, back, "client " + i + " got its bytes back");
            return back;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void onePlatformThreadEchoesForAThousandConnections(Transport transport, @TempDir Path dir) throws Exception {
        warmUpVirtualThreadNio();
        int before = FdLeakTest.settledFds();
        Sockaddr where = transport == Transport.TCP ? SockaddrInet4.loopback(0) : SockaddrUnix.of(dir.resolve("echo.sock"));
        EpollSelector sel = EpollSelector.open();
        Sock listener = Sock.open(transport == Transport.TCP ? Family.INET : Family.UNIX, SockType.STREAM).bind(where).listen();
        try {
            SocketAddress server = transport == Transport.TCP
                    ? new InetSocketAddress("127.0.0.1", ((SockaddrInet4) listener.localAddress()).port())
                    : UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
            EchoLoop loop = new EchoLoop(sel, listener);
            CompletableFuture<Void> loopDone = new CompletableFuture<>();
            Thread loopThread = Thread.ofPlatform().name("echo-loop").start(() -> {
                try {
                    loop.run(CONNECTIONS);
                    loopDone.complete(null);
                } catch (Throwable e) {
                    loopDone.completeExceptionally(e);
                    // End the clients' waits now rather than at the hang guard.
                    sel.keys().forEach(k -> k.sock().close());
                }
            });
            AtomicLong echoed = new AtomicLong();
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                List<Future<byte[]>> clients = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        int id = i;
                        clients.add(pool.submit(() -> echoClient(id, server)));
                    }
                }
                for (Future<byte[]> c : clients) {
                    echoed.addAndGet(c.get().length);
                }
                loopDone.get();
                loopThread.join();
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s echo loop: %d connections of %d KiB in %.0f ms, %.0f connections/s;"
                            + " peak %d connections, %d selects, %d partial sends, %d would-block, %d OUT toggles%n",
                    transport, CONNECTIONS, SIZE / 1024, seconds * 1e3, CONNECTIONS / seconds, loop.peak,
                    loop.selects, loop.partialSends, loop.wouldBlocks, loop.outToggles);
            assertEquals((long) CONNECTIONS * SIZE, echoed.get(), "every byte came back");
            assertEquals(CONNECTIONS, loop.accepted);
            assertEquals(CONNECTIONS, loop.closed);
            assertTrue(loop.outToggles > 0, "some echo waited for OUT");
            assertEquals(1, sel.keys().size(), "only the listener is left: " + sel.keys());
            assertEquals(before + 3, FdLeakTest.openFds(), "only the listener, the epoll fd and the eventfd are open");
        } finally {
            sel.close();
            listener.close();
        }
        assertEquals(before, FdLeakTest.settledFds(), "no descriptor leaked");
    }

    /** Starts the JDK's own poller for virtual-thread NIO, whose descriptors then stay open. */
    private static void warmUpVirtualThreadNio() throws Exception {
        try (var server = java.nio.channels.ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = SocketChannel.open(server.getLocalAddress())) {
                    c.read(ByteBuffer.allocate(1));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (SocketChannel conn = server.accept()) {
                Thread.sleep(50);
                conn.write(ByteBuffer.wrap(new byte[] {1}));
            }
            t.join();
        }
    }

    // ------------------------------------------------------------------------------ wakeup

    enum Kind {
        PLATFORM, VIRTUAL;

        Thread start(Runnable r) {
            return this == PLATFORM ? Thread.ofPlatform().start(r) : Thread.ofVirtual().start(r);
        }
    }

    /** A select run on a thread of the given kind: its result or exception, and when it returned. */
    private static final class Select {
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        volatile long returnedAt;
        volatile boolean interruptedAfter;
        final Thread thread;

        Select(Kind kind, EpollSelector sel, Duration timeout) {
            thread = kind.start(() -> {
                try {
                    int n = timeout == null ? sel.select() : sel.select(timeout);
                    returnedAt = System.nanoTime();
                    result.complete(n);
                } catch (Throwable e) {
                    returnedAt = System.nanoTime();
                    result.completeExceptionally(e);
                }
                interruptedAfter = Thread.currentThread().isInterrupted();
            });
        }

        /** Waits until the select waits: blocked in epoll_wait(2), or parked on a virtual thread. */
        Select waiting() throws Exception {
            awaitWaiting(thread);
            return this;
        }

        int join() throws Exception {
            thread.join();
            return result.get();
        }

        /** {@return what the select threw, or null if it returned} */
        Throwable failure() throws InterruptedException {
            thread.join();
            return result.handle((n, e) -> e).join();
        }
    }

    /** Waits until the thread waits in a call: in the kernel on a platform thread, parked on a virtual one. */
    static void awaitWaiting(Thread t) throws Exception {
        if (!t.isVirtual()) {
            CloseWakeupTest.awaitBlocked(t);
            return;
        }
        for (int i = 0; i < 500; i++) {
            Thread.State s = t.getState();
            if ((s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && Arrays.stream(t.getStackTrace())
                    .anyMatch(e -> e.getClassName().equals(io.github.panamasockets.internal.sys.Poller.class.getName()))) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the virtual thread never parked: " + t.getState() + " "
                + Arrays.toString(t.getStackTrace()));
    }

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void wakeupFromAnotherThreadEndsASelect(Kind kind) throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
            sel.register(pair.first(), PollEvents.IN, null);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Select s = new Select(kind, sel, LONG).waiting();
                long t0 = System.nanoTime();
                sel.wakeup();
                assertEquals(0, s.join());
                System.out.printf("wakeup ended a select on a %s thread after %.3f ms%n", kind,
                        (s.returnedAt - t0) / 1e6);
                // and select() with no timeout too
                s = new Select(kind, sel, null).waiting();
                sel.wakeup();
                assertEquals(0, s.join());
            });
        }
    }

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void aWakeupBeforeSelectEndsTheNextOneAndWakeupsCollapse(Kind kind) throws Exception {
        try (var sel = EpollSelector.open()) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                sel.wakeup();
                assertEquals(0, new Select(kind, sel, LONG).join(), "the next select returns at once");
                sel.wakeup().wakeup().wakeup();
                assertEquals(0, new Select(kind, sel, LONG).join());
                // The three were one: this select waits, until the next wakeup.
                Select s = new Select(kind, sel, LONG).waiting();
                assertTrue(s.thread.isAlive());
                sel.wakeup();
                assertEquals(0, s.join());
            });
        }
    }

    @Test
    void selectsOnVirtualThreadsParkAndLeaveTheCarriersFree() throws Exception {
        // More selects than carrier threads: if a select held its carrier, nothing else would run.
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        List<EpollSelector> selectors = new ArrayList<>();
        List<Select> selects = new ArrayList<>();
        try {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                for (int i = 0; i < carriers + 2; i++) {
                    EpollSelector sel = EpollSelector.open();
                    selectors.add(sel);
                    selects.add(new Select(Kind.VIRTUAL, sel, null).waiting());
                }
                Thread other = Thread.ofVirtual().start(() -> { });
                other.join();
                for (EpollSelector sel : selectors) {
                    sel.wakeup();
                }
                for (Select s : selects) {
                    assertEquals(0, s.join());
                }
            });
        } finally {
            selectors.forEach(EpollSelector::close);
        }
    }

    @Test
    void anInterruptedVirtualThreadLeavesItsSelect() throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
            var key = sel.register(pair.first(), PollEvents.IN, null);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Select s = new Select(Kind.VIRTUAL, sel, LONG).waiting();
                long t0 = System.nanoTime();
                s.thread.interrupt();
                Throwable e = s.failure();
                System.out.printf("interrupt ended a select on a virtual thread after %.3f ms%n", (s.returnedAt - t0) / 1e6);
                assertInstanceOf(InterruptedIOException.class, e);
                assertTrue(s.interruptedAfter, "the interrupt status is kept");
                // Interrupted before it starts: it does not wait at all.
                CompletableFuture<Throwable> early = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    Thread.currentThread().interrupt();
                    try {
                        sel.select(LONG);
                        early.complete(null);
                    } catch (Throwable x) {
                        early.complete(x);
                    }
                }).join();
                assertInstanceOf(InterruptedIOException.class, early.get());
            });
            // The selector and its key are unharmed.
            assertTrue(key.isValid());
            pair.second().send(new byte[] {1});
            assertEquals(1, sel.select(LONG));
        }
    }

    // ------------------------------------------------------------------------------ keys

    @Test
    void keysReportReadinessLevelTriggered() throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
            var key = sel.register(pair.first(), PollEvents.IN, "first");
            assertSame(pair.first(), key.sock());
            assertEquals(PollEvents.IN, key.interest());
            assertEquals("first", key.attachment());
            assertTrue(key.isValid());
            assertEquals(List.of(key), sel.keys());

            assertEquals(0, sel.select(Duration.ZERO));
            assertTrue(sel.selectedKeys().isEmpty());
            assertEquals(0, key.ready());

            pair.second().send(new byte[] {1, 2, 3});
            assertEquals(1, sel.select(LONG));
            assertEquals(List.of(key), sel.selectedKeys());
            assertEquals(PollEvents.IN, key.ready());
            assertTrue(key.isReadable());
            assertFalse(key.isWritable());
            assertThrows(UnsupportedOperationException.class, () -> sel.selectedKeys().clear());
            // Level-triggered: data not read is reported again.
            assertEquals(1, sel.select(Duration.ZERO));
            assertEquals(1, sel.select(LONG));
            assertEquals(3, pair.first().recv(new byte[8]));
            assertEquals(0, sel.select(Duration.ZERO));
            assertEquals(0, key.ready(), "a key not found ready has no ready events");
            assertFalse(key.isReadable());

            // OUT: a stream socket with room to send.
            assertSame(key, key.interest(PollEvents.IN | PollEvents.OUT));
            assertEquals(PollEvents.IN | PollEvents.OUT, key.interest());
            assertEquals(1, sel.select(Duration.ZERO));
            assertEquals(PollEvents.OUT, key.ready());
            assertTrue(key.isWritable());
            assertFalse(key.isReadable());
            key.interest(0);
            assertEquals(0, sel.select(Duration.ZERO));

            assertEquals("first", key.attach(42));
            assertEquals(42, key.attachment());
            assertEquals(42, key.attach(null));
            assertEquals(null, key.attachment());

            // Interest 0 still reports a hang-up, which a receive reads as end of stream.
            pair.second().close();
            assertEquals(1, sel.select(LONG));
            assertTrue((key.ready() & PollEvents.HUP) != 0, PollEvents.toString(key.ready()));
            assertTrue(key.isReadable());
            assertEquals(-1, pair.first().recv(new byte[8]));
        }
    }

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void registerAndInterestFromAnotherThreadReachASelectInProgress(Kind kind) throws Exception {
        try (var sel = EpollSelector.open(); var a = Sock.pair(SockType.STREAM); var b = Sock.pair(SockType.STREAM)) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                // A socket registered while the select waits, with data already there, ends it.
                a.second().send(new byte[] {1});
                Select s = new Select(kind, sel, LONG).waiting();
                var registered = sel.register(a.first(), PollEvents.IN, "registered during the select");
                assertEquals(1, s.join());
                assertSame(registered, sel.selectedKeys().get(0));
                registered.cancel();
                // A key whose interest grows to OUT while the select waits (a stream has room) ends it.
                var key = sel.register(b.first(), 0, "interest changed during the select");
                s = new Select(kind, sel, LONG).waiting();
                key.interest(PollEvents.OUT);
                assertEquals(1, s.join());
                assertSame(key, sel.selectedKeys().get(0));
                assertTrue(key.isWritable());
                // A key cancelled while the select waits is not reported, even when its socket is ready.
                key.interest(0);
                s = new Select(kind, sel, LONG).waiting();
                key.cancel();
                b.second().send(new byte[] {2});
                sel.wakeup();
                assertEquals(0, s.join());
            });
        }
    }

    @Test
    void aNetlinkKeyReportsMessagesAndNothingElse() throws Exception {
        try (var b = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel())) {
            registerAndClose("netlink", () -> new Registered(
                    Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel()),
                    List.of()), (sel, key, a, fd, target) -> {
                assertEquals(0, sel.select(Duration.ZERO));
                b.sendTo(new byte[] {9, 9}, 0, 2, a.localAddress());
                assertEquals(1, sel.select(LONG));
                assertEquals(PollEvents.IN, key.ready());
                assertEquals(2, a.recv(new byte[64]));
                assertEquals(0, sel.select(Duration.ZERO));
                // Cancelled, then registered again: one key again, whose close is still seen.
                key.cancel();
                var again = sel.register(a, PollEvents.IN, "again");
                a.close();
                assertEquals(0, sel.select(Duration.ZERO));
                assertFalse(again.isValid());
            });
        }
    }

    /** attach returns the attachment it replaced, even when two threads attach at once: none is lost. */
    @Test
    void attachFromTwoThreadsLosesNoAttachment() throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
            var key = sel.register(pair.first(), PollEvents.IN, -1);
            int each = 300_000;
            int[][] replaced = new int[2][each];
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Thread[] threads = new Thread[2];
                var start = new java.util.concurrent.CyclicBarrier(2);
                for (int t = 0; t < 2; t++) {
                    int first = t * each;
                    int[] mine = replaced[t];
                    threads[t] = Thread.ofPlatform().start(() -> {
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                        for (int i = 0; i < each; i++) {
                            mine[i] = (Integer) key.attach(first + i);
                        }
                    });
                }
                for (Thread t : threads) {
                    t.join();
                }
            });
            // Every attachment, the first included, was replaced exactly once, or is the last.
            int[] seen = new int[2 * each + 1];
            seen[(Integer) key.attachment() + 1]++;
            for (int[] r : replaced) {
                for (int v : r) {
                    seen[v + 1]++;
                }
            }
            for (int v = 0; v < seen.length; v++) {
                assertEquals(1, seen[v], "attachment " + (v - 1));
            }
        }
    }

    @Test
    void writabilityComesBackWhenThePeerReads() throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
            pair.first().setNonBlocking(true);
            byte[] chunk = new byte[65536];
            long sent = 0;
            for (int n; (n = pair.first().send(chunk)) != Sock.WOULD_BLOCK; ) {
                sent += n;
            }
            var key = sel.register(pair.first(), PollEvents.OUT, null);
            assertEquals(0, sel.select(Duration.ZERO), "a full socket is not writable");
            long total = sent;
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Select s = new Select(Kind.PLATFORM, sel, LONG).waiting();
                byte[] sink = new byte[65536];
                for (long read = 0; read < total; ) {
                    read += pair.second().recv(sink);
                }
                assertEquals(1, s.join());
                assertTrue(key.isWritable());
            });
            System.out.printf("a Unix stream took %d bytes before it would block%n", sent);
        }
    }

    @Test
    void cancelRemovesTheKeyAndTheSocketCanRegisterAgain() throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.DGRAM)) {
            var key = sel.register(pair.first(), PollEvents.IN, null);
            pair.second().send(new byte[] {7});
            key.cancel();
            assertFalse(key.isValid());
            assertTrue(sel.keys().isEmpty());
            assertEquals(0, sel.select(Duration.ZERO), "a cancelled key is not reported");
            key.cancel();                                    // again: nothing
            assertThrows(CancelledKeyException.class, () -> key.interest(PollEvents.OUT));
            assertTrue(pair.first().isOpen(), "cancel leaves the socket open");

            var again = sel.register(pair.first(), PollEvents.IN, "again");
            assertNotSame(key, again);
            assertEquals(1, sel.select(Duration.ZERO));
            assertSame(again, sel.selectedKeys().get(0));
            assertFalse(key.isValid());
        }
    }

    @Test
    void badRegistrationsAreRefusedAndLeaveNothingBehind() throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
            Sock closed = Sock.open(Family.UNIX, SockType.STREAM);
            closed.close();
            assertThrows(SockClosedException.class, () -> sel.register(closed, PollEvents.IN, null));
            assertThrows(NullPointerException.class, () -> sel.register(null, PollEvents.IN, null));
            assertThrows(IllegalArgumentException.class, () -> sel.register(pair.first(), 1 << 30, null), "EPOLLONESHOT");
            assertThrows(IllegalArgumentException.class, () -> sel.register(pair.first(), 1 << 31, null), "EPOLLET");
            assertTrue(sel.keys().isEmpty());

            var key = sel.register(pair.first(), PollEvents.IN, null);
            var twice = assertThrows(SyscallException.class, () -> sel.register(pair.first(), PollEvents.OUT, null));
            assertEquals(Errno.EEXIST.value(), twice.errno(), twice.getMessage());
            assertEquals(List.of(key), sel.keys());
            assertThrows(IllegalArgumentException.class, () -> key.interest(1 << 30));
            assertEquals(PollEvents.IN, key.interest());
            assertThrows(IllegalArgumentException.class, () -> sel.select(Duration.ofSeconds(-1)));
            assertThrows(NullPointerException.class, () -> sel.select(null));

            // The refused second registration holds nothing: once the key is cancelled, close is immediate.
            int fd = pair.first().fd();
            String target = fdTarget(fd);
            key.cancel();
            pair.first().close();
            assertFalse(target.equals(fdTarget(fd)), "fd " + fd + " is closed");
        }
    }

    @Test
    void aClosedSelectorRefusesWorkAndLeavesItsSocketsOpen() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            var sel = EpollSelector.open();
            var key = sel.register(pair.first(), PollEvents.IN, null);
            sel.close();
            sel.close();                                     // again: nothing
            assertFalse(sel.isOpen());
            assertFalse(key.isValid());
            assertThrows(ClosedSelectorException.class, () -> sel.select(Duration.ZERO));
            assertThrows(ClosedSelectorException.class, sel::select);
            assertThrows(ClosedSelectorException.class, () -> sel.register(pair.second(), PollEvents.IN, null));
            assertThrows(CancelledKeyException.class, () -> key.interest(PollEvents.OUT));
            key.cancel();
            sel.wakeup();
            assertTrue(sel.keys().isEmpty());
            assertTrue(sel.toString().contains("closed"), sel.toString());

            pair.second().send(new byte[] {5});
            byte[] b = new byte[1];
            assertEquals(1, pair.first().recv(b));
            assertEquals(5, b[0]);
            int fd = pair.first().fd();
            String target = fdTarget(fd);
            pair.first().close();
            assertFalse(target.equals(fdTarget(fd)), "the selector let fd " + fd + " go: close closes it");
        }
    }

    /**
     * An event epoll_wait(2) returned for a key that another thread cancels, before the select
     * has looked it up, is not given to the key that took the same slot. The test holds the
     * selector's monitor, which select takes to look up each event's key, to stop the select
     * between the two.
     */
    @Test
    void anEventOfACancelledKeyIsNotGivenToTheKeyThatReusesItsSlot() throws Exception {
        try (var sel = EpollSelector.open(); var ready = Sock.pair(SockType.STREAM); var idle = Sock.pair(SockType.STREAM)) {
            ready.second().send(new byte[] {1});
            var stale = sel.register(ready.first(), PollEvents.IN, "ready");
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Select s;
                EpollSelector.Key reused;
                synchronized (sel) {
                    s = new Select(Kind.PLATFORM, sel, LONG);
                    for (int i = 0; i < 1000 && s.thread.getState() != Thread.State.BLOCKED; i++) {
                        Thread.sleep(5);
                    }
                    assertEquals(Thread.State.BLOCKED, s.thread.getState(), "select stopped at the monitor");
                    stale.cancel();
                    reused = sel.register(idle.first(), PollEvents.IN, "idle");
                }
                sel.wakeup();
                int n = s.join();
                assertEquals(0, reused.ready(), "the idle socket was reported " + PollEvents.toString(reused.ready()));
                assertEquals(0, n, "reported: " + sel.selectedKeys());
            });
        }
    }

    // ------------------------------------------------------------------------------ closing

    /** A registered socket and what must stay open with it. */
    private record Registered(Sock sock, List<AutoCloseable> keep) {
    }

    private interface Maker {
        Registered make() throws IOException;
    }

    static Stream<Arguments> registeredSockets() {
        return Stream.of(
                Arguments.of("a TCP connection", (Maker) () -> {
                    Sock server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
                    Sock client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
                    Accepted conn = server.accept();
                    return new Registered(client, List.of(server, conn));
                }),
                Arguments.of("a TCP listener", (Maker) () -> new Registered(
                        Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(), List.of())),
                Arguments.of("a UDP socket", (Maker) () -> new Registered(
                        Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)), List.of())),
                Arguments.of("a Unix stream", (Maker) () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Registered(p.first(), List.of(p.second()));
                }),
                Arguments.of("a Unix seqpacket", (Maker) () -> {
                    SockPair p = Sock.pair(SockType.SEQPACKET);
                    return new Registered(p.first(), List.of(p.second()));
                }),
                Arguments.of("a Unix datagram socket", (Maker) () -> {
                    SockPair p = Sock.pair(SockType.DGRAM);
                    return new Registered(p.first(), List.of(p.second()));
                }),
                Arguments.of("a netlink socket", (Maker) () -> new Registered(
                        Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(new SockaddrNetlink(0, 0)),
                        List.of())));
    }

    /** What /proc/self/fd says descriptor {@code fd} is, such as {@code socket:[1234]}; "" if not open. */
    static String fdTarget(int fd) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (NoSuchFileException closed) {
            return "";
        }
    }

    private interface Closing {
        void run(EpollSelector sel, EpollSelector.Key key, Sock sock, int fd, String target) throws Exception;
    }

    /**
     * Registers the socket {@code maker} makes, runs {@code closing}, which closes it, and checks
     * that its key is gone and its descriptor closed.
     */
    private static void registerAndClose(String name, Maker maker, Closing closing) throws Exception {
        Registered r = maker.make();
        try (var sel = EpollSelector.open()) {
            var key = sel.register(r.sock(), PollEvents.IN, name);
            int fd = r.sock().fd();
            String target = fdTarget(fd);
            assertTrue(target.startsWith("socket:"), target);
            assertTimeoutPreemptively(HANG_GUARD, () -> closing.run(sel, key, r.sock(), fd, target));
            assertFalse(key.isValid());
            assertTrue(sel.keys().isEmpty(), sel.keys().toString());
            assertFalse(target.equals(fdTarget(fd)), "fd " + fd + " is closed");
        } finally {
            for (AutoCloseable c : r.keep()) {
                c.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registeredSockets")
    void theNextSelectDropsTheKeyOfASocketClosedWithoutCancel(String name, Maker maker) throws Exception {
        registerAndClose(name, maker, (sel, key, sock, fd, target) -> {
            sock.close();
            assertFalse(key.isValid());
            assertThrows(SockClosedException.class, () -> key.interest(PollEvents.OUT));
            assertEquals(target, fdTarget(fd), "the key holds fd " + fd + " until the select");
            assertEquals(0, sel.select(Duration.ZERO), "a closed socket's key is not reported");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registeredSockets")
    void closingARegisteredSocketDuringASelectReleasesItsDescriptor(String name, Maker maker) throws Exception {
        registerAndClose(name, maker, (sel, key, sock, fd, target) -> {
            Select s = new Select(Kind.PLATFORM, sel, LONG).waiting();
            long t0 = System.nanoTime();
            sock.close();
            while (target.equals(fdTarget(fd))) {
                Thread.sleep(1);
            }
            System.out.printf("closing %s released fd %d during a select after %.3f ms%n", name, fd,
                    (System.nanoTime() - t0) / 1e6);
            assertTrue(s.thread.isAlive(), "the select goes on waiting: nothing is ready");
            sel.wakeup();
            assertEquals(0, s.join());
        });
    }

    /**
     * close() from another thread ends a select in progress, and a select waiting its turn gets
     * ClosedSelectorException rather than a wait of its own. Twenty rounds, because the second
     * select races the close for the lock.
     */
    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void closingTheSelectorEndsASelectAndLeavesTheSocketsUsable(Kind kind) throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            double[] latencies = new double[20];
            for (int round = 0; round < latencies.length; round++) {
                var sel = EpollSelector.open();
                var key = sel.register(pair.first(), PollEvents.IN, null);
                int r = round;
                assertTimeoutPreemptively(HANG_GUARD, () -> {
                    Select s = new Select(kind, sel, LONG).waiting();
                    // Its timeout is short so that, if the close missed it, it would return 0 soon.
                    Select next = new Select(kind, sel, Duration.ofSeconds(2));
                    for (int i = 0; i < 1000 && next.thread.getState() != Thread.State.WAITING; i++) {
                        Thread.sleep(1);
                    }
                    long t0 = System.nanoTime();
                    sel.close();
                    Throwable e = s.failure();
                    latencies[r] = (s.returnedAt - t0) / 1e6;
                    assertTrue(e == null && s.result.get() == 0 || e instanceof ClosedSelectorException, String.valueOf(e));
                    assertInstanceOf(ClosedSelectorException.class, next.failure(), "round " + r);
                });
                assertFalse(key.isValid());
            }
            Arrays.sort(latencies);
            System.out.printf("close ended a select on a %s thread after %.3f ms (median of 20; max %.3f ms)%n", kind,
                    latencies[10], latencies[19]);
            assertTrue(pair.first().isOpen());
            pair.second().send(new byte[] {9});
            byte[] b = new byte[1];
            assertEquals(1, pair.first().recv(b));
            pair.first().send(b);
            assertEquals(1, pair.second().recv(b));
            assertEquals(9, b[0]);
        }
    }

    // ------------------------------------------------------------------------------ allocation

    private interface Selects {
        int run(EpollSelector sel) throws IOException;
    }

    static Stream<Arguments> selectKinds() {
        Duration second = Duration.ofSeconds(1);
        return Stream.of(
                Arguments.of("select(Duration.ZERO)", (Selects) sel -> sel.select(Duration.ZERO)),
                Arguments.of("select(1 s)", (Selects) sel -> sel.select(second)),
                Arguments.of("select()", (Selects) EpollSelector::select));
        // wakeup() is left out: its write(2) and select's read(2) of the eventfd allocate 40 bytes
        // a call in a JVM whose profile many other tests have shaped (the full suite), though none
        // when measured alone; it is not on a loop's per-event path.
    }

    /** What 10,000 warm selects may allocate in all: less than one byte a select, so no object per select. */
    private static final long ALLOCATION_TOLERANCE = 10_000;

    /**
     * Once warm, a select allocates nothing. The JDK's downcalls allocate until the JIT has
     * compiled them (a slice of the errno capture segment, which escape analysis then removes),
     * so batches of 10,000 selects run until one allocates less than {@link #ALLOCATION_TOLERANCE}
     * (at most a million selects); the next batch of 10,000 is measured. The tolerance leaves room
     * for a stray allocation by the runtime, such as a deoptimization, but not for any object made
     * per select.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("selectKinds")
    void aWarmSelectAllocatesNothing(String name, Selects select) throws Exception {
        try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
            var key = sel.register(pair.first(), PollEvents.IN, null);
            pair.second().send(new byte[] {1});            // always ready: no select waits
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                int warm = 0;
                for (long bytes = Long.MAX_VALUE; bytes > ALLOCATION_TOLERANCE && warm < 1_000_000; warm += 10_000) {
                    long before = Allocation.allocated();
                    selects(sel, select, 10_000, key);
                    bytes = Allocation.allocated() - before;
                }
                long before = Allocation.allocated();
                selects(sel, select, 10_000, key);
                long bytes = Allocation.allocated() - before;
                System.out.printf("%s: %d bytes allocated over 10,000 selects (%.3f a select) after %,d to warm up%n",
                        name, bytes, bytes / 10_000.0, warm);
                assertTrue(bytes <= ALLOCATION_TOLERANCE, bytes + " bytes");
            });
        }
    }

    private static void selects(EpollSelector sel, Selects select, int times, EpollSelector.Key key) throws IOException {
        for (int i = 0; i < times; i++) {
            if (select.run(sel) != 1 || sel.selectedKeys().get(0) != key) {
                throw new AssertionError("select " + i + " did not report the ready key");
            }
        }
    }

    // ------------------------------------------------------------------------------ dropped unclosed

    /**
     * A selector dropped without close, holding a key on a socket that is then closed: the socket's
     * descriptor stays open while the key holds it, and once the selector is collected, the Cleaner
     * releases the hold (the fd closes) and closes the selector's epoll and eventfd descriptors.
     */
    @Test
    void aSelectorDroppedWithoutCloseIsClosedByTheCleaner() throws Exception {
        int[] before = anonymousFds();
        var pair = Sock.pair(SockType.STREAM);
        Sock sock = pair.first();
        int fd = sock.fd();
        Path link = Path.of("/proc/self/fd/" + fd);
        String socket = Files.readSymbolicLink(link).toString();
        registerAndDrop(sock);
        int[] open = anonymousFds();
        assertEquals(before[0] + 1, open[0], "the dropped selector's epoll fd is open");
        assertEquals(before[1] + 1, open[1], "the dropped selector's eventfd is open");
        sock.close();
        pair.second().close();
        assertEquals(socket, Files.readSymbolicLink(link).toString(), "the key still holds fd " + fd);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            boolean held = isLink(link, socket);
            int[] now = anonymousFds();
            if (!held && Arrays.equals(before, now)) {
                break;
            }
            assertTrue(System.nanoTime() < until, "after GC, fd " + fd + (held ? " is still " + socket : " is closed")
                    + "; epoll and eventfd descriptors " + Arrays.toString(now) + ", before the selector "
                    + Arrays.toString(before));
            System.gc();
            Thread.sleep(20);
        }
    }

    /** Opens a selector, registers {@code sock} and drops the selector, never closed. */
    private static void registerAndDrop(Sock sock) throws IOException {
        EpollSelector sel = EpollSelector.open();
        sel.register(sock, PollEvents.IN, null);
    }

    private static boolean isLink(Path link, String target) {
        try {
            return Files.readSymbolicLink(link).toString().equals(target);
        } catch (IOException e) {
            return false;           // closed, and no fd of that number now
        }
    }

    /** {@return how many epoll and how many eventfd descriptors this process has open} */
    private static int[] anonymousFds() throws IOException {
        int[] n = new int[2];
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    continue;       // the listing's own fd, closed since
                }
                if (target.equals("anon_inode:[eventpoll]")) {
                    n[0]++;
                } else if (target.equals("anon_inode:[eventfd]")) {
                    n[1]++;
                }
            }
        }
        return n;
    }
}
