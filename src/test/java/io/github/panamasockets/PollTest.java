package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sock#poll} and {@link Poll#poll} over real sockets and received descriptors: each event
 * when the kernel raises it (IN, OUT, RDHUP, HUP, ERR), timeouts, many descriptors at once, pipes
 * that came over SCM_RIGHTS and borrowed descriptors, close from another thread (NVAL, promptly),
 * bad arguments, and virtual threads, which park instead of holding their carrier. Latencies are
 * printed; the only time bounds asserted are hang guards and the stated tolerance of a timeout.
 */
class PollTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final int IN = PollEvents.IN;
    private static final int OUT = PollEvents.OUT;

    // ------------------------------------------------------------------------------ one socket

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void aSocketIsReadableWithDataAndWritableWithRoom(boolean virtual) throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            Sock s = pair.second();
            Sock peer = pair.first();
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                TimeoutTest.Outcome none = TimeoutTest.onThread(virtual, () -> s.poll(IN, Duration.ZERO));
                System.out.printf("poll with Duration.ZERO (virtual: %b) returned after %.3f ms%n", virtual, none.millis());
                assertEquals(0, none.value(), "nothing to read yet");
                peer.send("x".getBytes());
                assertEquals(IN, TimeoutTest.onThread(virtual, () -> s.poll(IN, HANG_GUARD)).value());
                assertEquals(IN | OUT, TimeoutTest.onThread(virtual, () -> s.poll(IN | OUT, Duration.ZERO)).value());
                assertEquals(OUT, TimeoutTest.onThread(virtual, () -> peer.poll(OUT, Duration.ZERO)).value());
                long queued = TimeoutTest.fill(peer);
                assertEquals(0, TimeoutTest.onThread(virtual, () -> peer.poll(OUT, Duration.ZERO)).value(),
                        "no room once full");
                CompletableFuture<Object> room = new CompletableFuture<>();
                TimeoutTest.builder(virtual).start(() -> room.complete(
                        TimeoutTest.valueOrThrown(() -> peer.poll(OUT, HANG_GUARD))));
                TimeoutTest.drain(s, queued + 1);
                assertEquals(OUT, room.get(), "writable again once the peer has read");
            });
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void aPollTimeoutReturnsNothingWithinTheTolerance(boolean virtual) throws Exception {
        Duration timeout = Duration.ofMillis(200);
        try (var pair = Sock.pair(SockType.DGRAM)) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                TimeoutTest.Outcome o = TimeoutTest.onThread(virtual, () -> pair.second().poll(IN, timeout));
                TimeoutTest.Outcome many = TimeoutTest.onThread(virtual, () -> Poll.poll(timeout,
                        Poll.of(pair.first(), IN), Poll.of(pair.second(), IN)));
                System.out.printf("a 200 ms poll timeout (virtual: %b) returned after %.1f ms; over two: %.1f ms%n",
                        virtual, o.millis(), many.millis());
                assertEquals(0, o.value());
                assertEquals(List.of(), many.value());
                for (TimeoutTest.Outcome x : List.of(o, many)) {
                    assertTrue(x.nanos() >= timeout.toNanos() * 9 / 10, "returned early: " + x.millis() + " ms");
                    assertTrue(x.nanos() <= timeout.plusSeconds(3).toNanos(), "returned late: " + x.millis() + " ms");
                }
            });
        }
    }

    @Test
    void rdhupAfterThePeerShutsDownAndHupAfterItCloses() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            pair.first().shutdown(Shutdown.WRITE);
            assertEquals(IN | PollEvents.RDHUP, pair.second().poll(IN | PollEvents.RDHUP, HANG_GUARD),
                    "end of stream is readable, and RDHUP says the peer stopped writing");
            assertEquals(0, pair.second().poll(PollEvents.RDHUP, Duration.ZERO) & PollEvents.HUP, "not yet HUP");
            pair.first().close();
            int r = pair.second().poll(IN | PollEvents.RDHUP, HANG_GUARD);
            assertTrue((r & PollEvents.HUP) != 0, "HUP, though not asked for, once the peer closed: " + PollEvents.toString(r));
        }
        // TCP: the peer's FIN gives RDHUP; HUP once both directions are shut.
        try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             var client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
             var conn = server.accept()) {
            Sock s = conn.socket();
            assertEquals(0, s.poll(IN | PollEvents.RDHUP, Duration.ZERO));
            client.shutdown(Shutdown.WRITE);
            assertEquals(IN | PollEvents.RDHUP, s.poll(IN | PollEvents.RDHUP, HANG_GUARD));
            s.shutdown(Shutdown.WRITE);
            int r = s.poll(IN, HANG_GUARD);
            assertTrue((r & PollEvents.HUP) != 0, "HUP once both directions are shut: " + PollEvents.toString(r));
        }
    }

    @Test
    void errOnAConnectedUdpSocketAfterSendingToAClosedPort() throws Exception {
        for (Family f : List.of(Family.INET, Family.INET6)) {
            Sockaddr closedPort;
            try (var gone = Sock.open(f, SockType.DGRAM).bind(TimeoutTest.loopback(f))) {
                closedPort = gone.localAddress();
            }
            try (var udp = Sock.open(f, SockType.DGRAM).bind(TimeoutTest.loopback(f)).connect(closedPort)) {
                assertEquals(0, udp.poll(IN, Duration.ZERO));
                udp.send("anyone?".getBytes());
                // The kernel answers with ICMP port unreachable, which sets SO_ERROR: POLLERR.
                int r = udp.poll(IN, HANG_GUARD);
                assertTrue((r & PollEvents.ERR) != 0, f + ": ERR, though not asked for: " + PollEvents.toString(r));
                ConnectException e = assertThrows(ConnectException.class, () -> udp.recv(new byte[8]));
                assertEquals("ECONNREFUSED", ((SyscallError) e).errnoName());
                assertEquals(0, udp.poll(IN, Duration.ZERO), f + ": the error was reported once, and cleared");
            }
        }
    }

    // ------------------------------------------------------------------------------ many

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void onlyTheSocketsWrittenAreReportedInTheOrderGiven(boolean virtual) throws Exception {
        int before = FdLeakTest.settledFds();
        List<SockPair> pairs = new ArrayList<>();
        try {
            List<Poll.Entry> entries = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                SockPair p = Sock.pair(SockType.DGRAM);
                pairs.add(p);
                entries.add(Poll.of(p.second(), IN | PollEvents.RDHUP));
            }
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                assertEquals(List.of(), TimeoutTest.onThread(virtual, () -> Poll.poll(Duration.ZERO, entries)).value());
                List<Integer> written = new ArrayList<>();
                for (int i = 199; i >= 0; i--) {          // written out of order: reported in the order given
                    if (i % 7 == 3) {
                        pairs.get(i).first().send(new byte[] {(byte) i});
                        written.add(0, i);
                    }
                }
                TimeoutTest.Outcome o = TimeoutTest.onThread(virtual, () -> Poll.poll(HANG_GUARD, entries));
                System.out.printf("poll over 200 sockets, %d ready (virtual: %b): %.2f ms%n", written.size(), virtual, o.millis());
                @SuppressWarnings("unchecked")
                List<Poll.Ready> ready = (List<Poll.Ready>) o.value();
                List<Integer> reported = new ArrayList<>();
                for (Poll.Ready r : ready) {
                    reported.add(entries.indexOf(r.entry()));
                    assertEquals(IN, r.events(), r.toString());
                }
                assertEquals(written, reported);
            });
        } finally {
            pairs.forEach(SockPair::close);
        }
        assertEquals(before, FdLeakTest.openFds(), "closing the sockets closed everything poll made for them");
    }

    // ------------------------------------------------------------------------------ other descriptors

    @Test
    void aPipeReceivedOverScmRightsIsPolledAsAnOwnedFd() throws Exception {
        int[] pipe = MessageTest.pipe();
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(pipe[0]))), 0, "pipe".getBytes());
            MessageTest.close(pipe[0]);           // the received descriptor is now the only read end
            MsgResult got = pair.second().recvmsg(ControlSpec.fds(1), 0, new byte[8]);
            assertEquals(1, got.fds().size());
            OwnedFd rd = got.fds().get(0);
            try {
                Poll.Entry entry = Poll.of(rd, IN);
                assertSame(rd, entry.ownedFd());
                assertNull(entry.sock());
                assertEquals(List.of(), Poll.poll(Duration.ZERO, entry));
                MessageTest.write(pipe[1], (byte) 'p');
                pair.first().send("and a message".getBytes());
                List<Poll.Ready> ready = Poll.poll(HANG_GUARD, entry, Poll.of(pair.second(), IN));
                assertEquals(2, ready.size(), ready.toString());
                assertEquals(new Poll.Ready(entry, IN), ready.get(0));
                assertEquals('p', MessageTest.read(rd.fd()));
                MessageTest.close(pipe[1]);
                int r = Poll.poll(HANG_GUARD, entry).get(0).events();
                assertTrue((r & PollEvents.HUP) != 0, "HUP once the write end is closed: " + PollEvents.toString(r));
            } finally {
                rd.close();
            }
            assertThrows(IllegalStateException.class, () -> Poll.poll(Duration.ZERO, Poll.of(rd, IN)),
                    "a closed OwnedFd cannot be polled");
        }
    }

    @Test
    void borrowedDescriptorsArePolledAndStayTheirOwners() throws Exception {
        int[] pipe = MessageTest.pipe();
        try {
            OwnedFd rd = OwnedFd.borrow(pipe[0]);
            OwnedFd wr = OwnedFd.borrow(pipe[1]);
            assertEquals(List.of(new Poll.Ready(Poll.of(wr, OUT), OUT)).toString(),
                    Poll.poll(Duration.ZERO, Poll.of(rd, IN), Poll.of(wr, OUT)).toString());
            MessageTest.write(pipe[1], (byte) 'b');
            assertEquals(IN, Poll.poll(HANG_GUARD, Poll.of(rd, IN)).get(0).events());
            wr.close();                    // does nothing: the descriptor is its owner's
            rd.close();
            MessageTest.write(pipe[1], (byte) 'c');
            assertEquals('b', MessageTest.read(pipe[0]));
            assertEquals('c', MessageTest.read(pipe[0]));
        } finally {
            MessageTest.close(pipe[0]);
            MessageTest.close(pipe[1]);
        }
    }

    @Test
    void pollingBorrowedAndHandedOverDescriptorsLeavesNoDescriptorBehind() throws Exception {
        int[] pipe = MessageTest.pipe();
        try (var pair = Sock.pair(SockType.SEQPACKET); var carried = Sock.pair(SockType.STREAM)) {
            int before = FdLeakTest.settledFds();
            for (int i = 0; i < 200; i++) {
                assertEquals(1, Poll.poll(Duration.ZERO, Poll.of(OwnedFd.borrow(pipe[1]), OUT)).size());
            }
            assertEquals(before, FdLeakTest.settledFds(), "polling a borrowed descriptor 200 times");
            for (int i = 0; i < 50; i++) {
                pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(carried.first().fd()))), 0, new byte[] {1});
                OwnedFd got = pair.second().recvmsg(ControlSpec.fds(1), 0, new byte[1]).fds().get(0);
                assertEquals(1, Poll.poll(Duration.ZERO, Poll.of(got, OUT)).size());
                got.toSock().close();
            }
            assertEquals(before, FdLeakTest.settledFds(), "polling 50 received sockets, then handing them to Sock");
        } finally {
            MessageTest.close(pipe[0]);
            MessageTest.close(pipe[1]);
        }
    }

    /** A memfd: a file that is not a socket, pipe or tty, which epoll(7) refuses (EPERM). */
    private static int memfd() throws Throwable {
        var linker = java.lang.foreign.Linker.nativeLinker();
        var create = linker.downcallHandle(linker.defaultLookup().findOrThrow("memfd_create"),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_INT));
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            int fd = (int) create.invokeExact(arena.allocateFrom("poll-test"), 1);     // MFD_CLOEXEC
            assertTrue(fd >= 0, "memfd_create");
            return fd;
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void aFileThatEpollRefusesIsPolledAsPollDoes(boolean virtual) throws Throwable {
        // poll(2) says a regular file is always readable and writable, and never anything else;
        // a virtual thread's wait, which goes through epoll, must give the same answers.
        int fd = memfd();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            OwnedFd file = OwnedFd.borrow(fd);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                List<?> ready = (List<?>) TimeoutTest.onThread(virtual,
                        () -> Poll.poll(HANG_GUARD, Poll.of(file, IN | OUT))).value();
                assertEquals(IN | OUT, ((Poll.Ready) ready.get(0)).events(), ready.toString());
                TimeoutTest.Outcome o = TimeoutTest.onThread(virtual,
                        () -> Poll.poll(Duration.ofMillis(200), Poll.of(file, PollEvents.PRI), Poll.of(pair.second(), IN)));
                assertEquals(List.of(), o.value(), "nothing but IN and OUT ever happens on a file: " + o);
                pair.first().send(new byte[] {1});
                o = TimeoutTest.onThread(virtual,
                        () -> Poll.poll(HANG_GUARD, Poll.of(file, PollEvents.PRI), Poll.of(pair.second(), IN)));
                assertEquals(1, ((List<?>) o.value()).size(), "the socket beside it is reported: " + o);
            });
        } finally {
            MessageTest.close(fd);
        }
    }

    // ------------------------------------------------------------------------------ close

    /** Waits until {@code t} waits in a call: in the syscall (platform) or parked (virtual). */
    static void awaitWaiting(Thread t) throws Exception {
        if (t.isVirtual()) {
            awaitWaiting(List.of(t));
        } else {
            CloseWakeupTest.awaitBlocked(t);
        }
    }

    /** Waits until every one of these virtual threads has parked. */
    static void awaitWaiting(List<Thread> virtualThreads) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (virtualThreads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                    || t.getState() == Thread.State.TIMED_WAITING)) {
                Thread.sleep(20);       // let the last of them settle in the poller
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("not every virtual thread parked");
    }

    /**
     * Runs {@code poll} on a new platform or virtual thread, runs {@code close} once it waits, and
     * {@return what the poll returned}; prints how long it took to return after the close.
     */
    private static Object closeDuring(String what, boolean virtual, Callable<?> poll, Runnable close) throws Exception {
        return assertTimeoutPreemptively(HANG_GUARD, () -> {
            CompletableFuture<Object> result = new CompletableFuture<>();
            Thread t = TimeoutTest.builder(virtual).start(() -> result.complete(TimeoutTest.valueOrThrown(poll)));
            awaitWaiting(t);
            long t0 = System.nanoTime();
            close.run();
            Object r = result.get();
            System.out.printf("close woke %s (virtual: %b) after %.2f ms%n", what, virtual, (System.nanoTime() - t0) / 1e6);
            t.join();
            return r;
        });
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void closeFromAnotherThreadWakesThePollPromptlyWithNval(boolean virtual) throws Exception {
        try (var pair = Sock.pair(SockType.STREAM); var other = Sock.pair(SockType.DGRAM)) {
            Sock s = pair.second();
            Poll.Entry closing = Poll.of(s, IN);
            Poll.Entry quiet = Poll.of(other.second(), IN);
            assertEquals(List.of(new Poll.Ready(closing, PollEvents.NVAL)),
                    closeDuring("Poll.poll", virtual, () -> Poll.poll(LONG, closing, quiet), s::close));
            // Sock.poll, single, the same way.
            Sock s2 = other.second();
            assertEquals(PollEvents.NVAL, closeDuring("Sock.poll", virtual, () -> s2.poll(IN, LONG), s2::close));
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void closingAReceivedDescriptorDuringAPollReportsNval(boolean virtual) throws Exception {
        int[] pipe = MessageTest.pipe();
        try (var pair = Sock.pair(SockType.DGRAM)) {
            pair.first().sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(pipe[0]))), 0, new byte[1]);
            MessageTest.close(pipe[0]);
            OwnedFd rd = pair.second().recvmsg(ControlSpec.fds(1), 0, new byte[1]).fds().get(0);
            int number = rd.fd();
            String pipeName = link(pipe[1]);
            assertEquals(pipeName, link(number), "the received descriptor is the pipe's read end");
            Poll.Entry entry = Poll.of(rd, IN);
            assertEquals(List.of(new Poll.Ready(entry, PollEvents.NVAL)),
                    closeDuring("Poll.poll of a received descriptor", virtual, () -> Poll.poll(LONG, entry), rd::close));
            assertNotEquals(pipeName, link(number), "closed for real once the poll let go of it");
        } finally {
            MessageTest.close(pipe[1]);
        }
    }

    /** {@return what /proc/self/fd says a descriptor is}, such as "pipe:[123]"; "closed" if nothing */
    private static String link(int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "closed";
        }
    }

    @Test
    void pollingAClosedSocketThrows() throws Exception {
        Sock s = Sock.open(Family.UNIX, SockType.DGRAM);
        s.close();
        assertThrows(SockClosedException.class, () -> s.poll(IN, Duration.ZERO));
        assertThrows(SockClosedException.class, () -> s.poll(IN));
        try (var open = Sock.pair(SockType.DGRAM)) {
            SockClosedException e = assertThrows(SockClosedException.class,
                    () -> Poll.poll(Duration.ZERO, Poll.of(open.first(), OUT), Poll.of(s, IN)));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            // The socket that was open was let go again, and is still usable.
            assertEquals(OUT, open.first().poll(OUT, Duration.ZERO));
        }
    }

    // ------------------------------------------------------------------------------ arguments

    @Test
    void badEventsAndNegativeTimeoutsAreRefused() throws Exception {
        try (var pair = Sock.pair(SockType.DGRAM)) {
            Sock s = pair.first();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Poll.of(s, 0x100000));
            assertTrue(e.getMessage().contains("0x100000"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.poll(IN | 0x100000, Duration.ZERO));
            assertTrue(e.getMessage().contains("0x100000"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Poll.of(OwnedFd.borrow(0), 0x100000));
            assertTrue(e.getMessage().contains("0x100000"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Poll.of(s, -1));
            e = assertThrows(IllegalArgumentException.class, () -> Poll.poll(Duration.ofMillis(-1), Poll.of(s, IN)));
            assertTrue(e.getMessage().contains("negative"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.poll(IN, Duration.ofMillis(-1)));
            assertThrows(NullPointerException.class, () -> s.poll(IN, null));
            assertThrows(NullPointerException.class, () -> Poll.poll((Duration) null, Poll.of(s, IN)));
            assertThrows(NullPointerException.class, () -> Poll.of((Sock) null, IN));
            // Every event poll(2) knows is accepted.
            int all = IN | PollEvents.PRI | OUT | PollEvents.ERR | PollEvents.HUP | PollEvents.NVAL | PollEvents.RDHUP;
            assertEquals(all, Poll.of(s, all).events());
            assertEquals(OUT, s.poll(all, Duration.ZERO));
        }
    }

    @Test
    void eventsPrintByName() throws Exception {
        assertEquals("POLLIN|POLLRDHUP", PollEvents.toString(IN | PollEvents.RDHUP));
        assertEquals("POLLOUT|POLLHUP", PollEvents.toString(OUT | PollEvents.HUP));
        assertEquals("POLLIN|POLLPRI|POLLOUT|POLLERR|POLLHUP|POLLNVAL|POLLRDHUP", PollEvents.toString(
                IN | PollEvents.PRI | OUT | PollEvents.ERR | PollEvents.HUP | PollEvents.NVAL | PollEvents.RDHUP));
        assertEquals("0", PollEvents.toString(0));
        assertEquals("0x100000", PollEvents.toString(0x100000));
        assertEquals("POLLIN|0x100000", PollEvents.toString(IN | 0x100000));
        assertEquals(1, IN);
        assertEquals(4, OUT);
        assertEquals(0x2000, PollEvents.RDHUP);
        try (var pair = Sock.pair(SockType.DGRAM)) {
            Poll.Entry e = Poll.of(pair.first(), IN | OUT);
            assertEquals(pair.first() + " POLLIN|POLLOUT", e.toString());
            assertEquals("Ready[" + pair.first() + " POLLOUT]", Poll.poll(Duration.ZERO, e).get(0).toString());
            assertEquals("OwnedFd[0, borrowed] POLLIN", Poll.of(OwnedFd.borrow(0), IN).toString());
        }
    }

    // ------------------------------------------------------------------------------ virtual threads

    @Test
    void twoHundredVirtualThreadsPollingDoNotHoldTheirCarriers() throws Exception {
        int n = 200;
        List<SockPair> pairs = new ArrayList<>();
        List<Thread> pollers = new ArrayList<>();
        List<CompletableFuture<Object>> results = new ArrayList<>();
        try (var warm = Sock.pair(SockType.STREAM)) {
            // The first virtual-thread wait starts the poller's two epoll instances, for good.
            assertEquals(0, TimeoutTest.onThread(true, () -> warm.first().poll(IN, Duration.ofMillis(50))).value());
        }
        int before = FdLeakTest.settledFds();
        try (var echo = Sock.pair(SockType.SEQPACKET)) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                CountDownLatch started = new CountDownLatch(n);
                for (int i = 0; i < n; i++) {
                    SockPair p = Sock.pair(SockType.STREAM);
                    pairs.add(p);
                    CompletableFuture<Object> r = new CompletableFuture<>();
                    results.add(r);
                    pollers.add(Thread.ofVirtual().start(() -> {
                        started.countDown();
                        r.complete(TimeoutTest.valueOrThrown(() -> Poll.poll(LONG, Poll.of(p.second(), IN))));
                    }));
                }
                started.await();
                awaitWaiting(pollers);
                // With every poller parked, an echo between two more virtual threads must still run:
                // the machine has few carriers, and a poll that held one would starve it.
                long t0 = System.nanoTime();
                Thread server = Thread.ofVirtual().start(() -> {
                    try {
                        byte[] b = new byte[64];
                        int got = echo.second().recv(b);
                        echo.second().send(b, 0, got);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                CompletableFuture<Object> reply = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> reply.complete(TimeoutTest.valueOrThrown(() -> {
                    echo.first().send("ping".getBytes());
                    byte[] b = new byte[64];
                    return new String(b, 0, echo.first().recv(b));
                })));
                assertEquals("ping", reply.get());
                System.out.printf("an echo between two virtual threads while %d others poll: %.2f ms%n", n,
                        (System.nanoTime() - t0) / 1e6);
                server.join();
                for (CompletableFuture<Object> r : results) {
                    assertFalse(r.isDone(), "a poller returned before its socket had data: " + r);
                }
                long t1 = System.nanoTime();
                for (SockPair p : pairs) {
                    p.first().send(new byte[] {1});
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(List.of(new Poll.Ready(Poll.of(pairs.get(i).second(), IN), IN)).toString(),
                            results.get(i).get().toString());
                    pollers.get(i).join();
                }
                System.out.printf("%d parked pollers woken by data: all returned after %.2f ms%n", n,
                        (System.nanoTime() - t1) / 1e6);
            });
        } finally {
            pairs.forEach(SockPair::close);
        }
        assertEquals(before, FdLeakTest.settledFds(), "no descriptor left behind by 200 virtual-thread polls");
    }

    @Test
    void anInterruptedVirtualThreadInPollGetsInterruptedIOException() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            Sock s = pair.second();
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                for (boolean single : new boolean[] {false, true}) {
                    CompletableFuture<Object> result = new CompletableFuture<>();
                    CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
                    Thread t = Thread.ofVirtual().start(() -> {
                        result.complete(TimeoutTest.valueOrThrown(() -> single ? s.poll(IN, LONG)
                                : Poll.poll(LONG, Poll.of(s, IN), Poll.of(pair.first(), IN))));
                        stillInterrupted.complete(Thread.currentThread().isInterrupted());
                    });
                    awaitWaiting(t);
                    long t0 = System.nanoTime();
                    t.interrupt();
                    Object r = result.get();
                    System.out.printf("interrupt ended a virtual thread's %s after %.2f ms%n",
                            single ? "Sock.poll" : "Poll.poll", (System.nanoTime() - t0) / 1e6);
                    InterruptedIOException e = assertInstanceOf(InterruptedIOException.class, r);
                    assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
                    assertTrue(stillInterrupted.get(), "the interrupt status is kept");
                    assertTrue(s.isOpen(), "the socket stays open");
                }
                // An interrupt that came before the call ends it too, once it would wait.
                CompletableFuture<Object> early = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    Thread.currentThread().interrupt();
                    early.complete(TimeoutTest.valueOrThrown(() -> s.poll(IN, LONG)));
                });
                assertInstanceOf(InterruptedIOException.class, early.get());
                // And the socket still works.
                pair.first().send(new byte[] {1});
                assertEquals(IN, s.poll(IN, HANG_GUARD));
            });
        }
    }

    @Test
    void anInterruptDoesNotEndAPlatformThreadsPoll() throws Exception {
        // As documented, and as java.net.Socket: a platform thread's wait ends by data, close or its timeout.
        try (var pair = Sock.pair(SockType.STREAM)) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                CompletableFuture<Object> result = new CompletableFuture<>();
                Thread t = Thread.ofPlatform().start(() -> result.complete(
                        TimeoutTest.valueOrThrown(() -> pair.second().poll(IN, Duration.ofMillis(300)))));
                awaitWaiting(t);
                t.interrupt();
                assertEquals(0, result.get(), "the timeout, not the interrupt, ended it");
            });
        }
    }
}
