package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * close() from another thread wakes a thread blocked in any call on the socket, and no call ever
 * reaches a descriptor number that was reused after the close. Wake-up times are printed for
 * information; the only bound asserted is a generous hang guard.
 */
class CloseWakeupTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);

    /** A socket and the call that blocks on it, with whatever else must stay open meanwhile. */
    private record Blocked(Sock socket, Call call, List<AutoCloseable> keep) {
    }

    private interface Call {
        void run(Sock s) throws IOException;
    }

    private interface Setup {
        Blocked make() throws IOException;
    }

    private static Arguments blocked(String name, Setup setup) {
        return Arguments.of(name, setup);
    }

    static Stream<Arguments> blockingCalls() {
        long pid = ProcessHandle.current().pid();
        return Stream.of(
                blocked("accept on a listening Unix socket", () -> new Blocked(
                        Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.unnamed()).listen(),
                        Sock::accept, List.of())),
                blocked("accept on a listening TCP socket", () -> new Blocked(
                        Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(),
                        Sock::accept, List.of())),
                blocked("recv on a Unix stream", () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Blocked(p.first(), s -> s.recv(new byte[8]), List.of(p.second()));
                }),
                blocked("recv on a Unix seqpacket", () -> {
                    SockPair p = Sock.pair(SockType.SEQPACKET);
                    return new Blocked(p.first(), s -> s.recv(new byte[8]), List.of(p.second()));
                }),
                blocked("recvFrom on UDP", () -> new Blocked(
                        Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)),
                        s -> s.recvFrom(new byte[8], 0, 8), List.of())),
                blocked("recvFrom on a Unix datagram socket", () -> new Blocked(
                        Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.unnamed()),
                        s -> s.recvFrom(new byte[8], 0, 8), List.of())),
                blocked("recv on TCP", () -> {
                    Sock server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
                    Sock client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
                    Accepted conn = server.accept();
                    return new Blocked(client, s -> s.recv(new byte[8]), List.of(server, conn));
                }),
                blocked("recv on netlink", () -> new Blocked(
                        Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(new io.github.panamasockets.address.SockaddrNetlink(0, 0)),
                        s -> s.recv(new byte[8192]), List.of())),
                blocked("send on a full Unix stream", () -> {
                    SockPair p = Sock.pair(SockType.STREAM);
                    return new Blocked(p.first(), s -> {
                        byte[] chunk = new byte[65536];
                        while (true) {
                            s.send(chunk);
                        }
                    }, List.of(p.second()));
                }),
                blocked("send on a full Unix datagram pair", () -> {
                    SockPair p = Sock.pair(SockType.DGRAM);
                    return new Blocked(p.first(), s -> {
                        while (true) {
                            s.send(new byte[1024]);
                        }
                    }, List.of(p.second()));
                }),
                blocked("connect to a Unix listener whose backlog is full", () -> {
                    Sockaddr name = SockaddrUnix.abstractName("full-backlog-" + pid + "-" + System.nanoTime());
                    Sock server = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen(0);
                    List<AutoCloseable> keep = new ArrayList<>();
                    keep.add(server);
                    // Fill the backlog: these connects succeed without accept until it is full.
                    for (int i = 0; i < 3; i++) {
                        keep.add(connectNonBlocking(name));
                    }
                    return new Blocked(Sock.open(Family.UNIX, SockType.STREAM), s -> s.connect(name), keep);
                }));
    }

    /** A Unix stream socket connected, or failing to, without waiting: it fills a backlog. */
    static Sock connectNonBlocking(Sockaddr name) throws IOException {
        Sock s = Sock.open(Family.UNIX, SockType.STREAM);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            int flags = Syscalls.fcntl(capture, s.fd(), LibC.F_GETFL(), 0);
            Syscalls.fcntl(capture, s.fd(), LibC.F_SETFL(), flags | LibC.O_NONBLOCK());
            MemorySegment addr = arena.allocate(Sockaddr.MAX_LENGTH);
            Syscalls.connect(capture, s.fd(), addr, name.encode(addr));
        }
        return s;
    }

    @ParameterizedTest(name = "close wakes {0}")
    @MethodSource("blockingCalls")
    void closeWakesTheBlockedCall(String name, Setup setup) throws Exception {
        Blocked b = setup.make();
        try {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                CountDownLatch started = new CountDownLatch(1);
                Thread t = Thread.ofPlatform().start(() -> {
                    started.countDown();
                    try {
                        b.call().run(b.socket());
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                });
                started.await();
                awaitBlocked(t);
                long t0 = System.nanoTime();
                b.socket().close();
                t.join();
                System.out.printf("close woke %s after %.2f ms%n", name, (System.nanoTime() - t0) / 1e6);
                assertInstanceOf(SockClosedException.class, thrown.get(), name);
                // A call in flight says it was closed during the call; a loop of sends may instead
                // have its next call refused because the socket is closed.
                assertTrue(thrown.get().getMessage().contains("closed"), thrown.get().getMessage());
            });
        } finally {
            b.socket().close();
            for (AutoCloseable c : b.keep()) {
                c.close();
            }
        }
    }

    /** Waits until the thread is inside a system call, so close really races a blocked call. */
    static void awaitBlocked(Thread t) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (t.getState() == Thread.State.RUNNABLE && kernelSleeping(t) || pausingToRetry(t)) {
                Thread.sleep(20);   // let it settle in the wait queue
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the call never blocked: " + t.getState());
    }

    /** A connect into a full Unix backlog waits in short pauses between attempts. */
    private static boolean pausingToRetry(Thread t) {
        return t.getState() == Thread.State.TIMED_WAITING && java.util.Arrays.stream(t.getStackTrace())
                .anyMatch(e -> e.getClassName().equals(Sock.class.getName()) && e.getMethodName().equals("sleepOrClose"));
    }

    private static boolean kernelSleeping(Thread t) {
        // A RUNNABLE Java thread whose stack is in a downcall of the native-call layer; the pause
        // after this lets it reach the kernel's wait queue.
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("jdk.internal.foreign.abi") || e.getMethodName().contains("invokeExact")
                    || e.getClassName().equals(Syscalls.class.getName())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void shutdownWakesABlockedReceiveWithEndOfStream() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                CompletableFuture<Integer> n = CompletableFuture.supplyAsync(() -> {
                    try {
                        return pair.first().recv(new byte[8]);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(100);
                pair.first().shutdown(Shutdown.BOTH);
                assertEquals(-1, n.get());
            });
        }
    }

    @Test
    void noCallReachesADescriptorNumberReusedAfterClose() throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            SockPair pair = Sock.pair(SockType.STREAM);
            int oldFd = pair.first().fd();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    pair.first().recv(new byte[1]);
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            awaitBlocked(reader);
            pair.first().close();
            // Open 1,000 pipes at once; once the reader leaves, the old number is free to take.
            List<int[]> pipes = new ArrayList<>();
            boolean reused = false;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
                MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
                MemorySegment one = arena.allocate(1);
                for (int i = 0; i < 1000; i++) {
                    assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()));
                    int[] p = {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
                    one.set(ValueLayout.JAVA_BYTE, 0, (byte) i);
                    assertEquals(1, Syscalls.write(capture, p[1], one, 1));
                    reused |= p[0] == oldFd || p[1] == oldFd;
                    pipes.add(p);
                }
                reader.join();
                assertInstanceOf(SockClosedException.class, thrown.get());
                // Every pipe still holds its byte: the stale reader consumed none of them.
                for (int i = 0; i < pipes.size(); i++) {
                    int[] p = pipes.get(i);
                    assertEquals(1, Syscalls.read(capture, p[0], one, 1), "pipe " + i);
                    assertEquals((byte) i, one.get(ValueLayout.JAVA_BYTE, 0));
                }
                // And the old number, free now, can be taken by the next file.
                assertEquals(0, Syscalls.pipe2(capture, fds, LibC.O_CLOEXEC()));
                reused |= fds.getAtIndex(ValueLayout.JAVA_INT, 0) == oldFd;
                pipes.add(new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)});
                System.out.println("descriptor " + oldFd + (reused ? " was" : " was not") + " reused by a pipe");
                for (int[] p : pipes) {
                    Syscalls.close(capture, p[0]);
                    Syscalls.close(capture, p[1]);
                }
            } finally {
                pair.close();
            }
        });
    }

    @Test
    void closingThreeTimesAndFromManyThreadsIsSafe() throws Exception {
        List<Sock> socks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            socks.add(Sock.open(i % 2 == 0 ? Family.UNIX : Family.INET, SockType.DGRAM));
        }
        Runnable closer = () -> socks.forEach(Sock::close);
        Thread a = Thread.ofPlatform().start(closer);
        Thread b = Thread.ofPlatform().start(closer);
        a.join();
        b.join();
        for (Sock s : socks) {
            s.close();
            assertThrows(SockClosedException.class, s::localAddress);
            assertTrue(!s.isOpen());
        }
    }

    @Test
    void closeDuringTrafficEndsBothEndsCleanly() throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            SockPair pair = Sock.pair(SockType.STREAM);
            CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] b = new byte[4096];
                    while (true) {
                        pair.first().send(b);
                    }
                } catch (Throwable e) {
                    return e;
                }
            });
            CompletableFuture<Throwable> readerDone = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] b = new byte[4096];
                    while (pair.first().recv(b) >= 0) {
                        // the peer never sends; this blocks until the close
                    }
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            byte[] sink = new byte[65536];
            for (int i = 0; i < 200; i++) {
                pair.second().recv(sink);
            }
            pair.first().close();
            assertInstanceOf(SockClosedException.class, writer.get());
            assertInstanceOf(SockClosedException.class, readerDone.get());
            pair.second().close();
        });
    }

    @Test
    void aSocketInUseIsNotClosedUnderAConcurrentCall() throws IOException, ExecutionException, InterruptedException {
        // The descriptor stays open while a call is in flight: fstat-like proof via /proc.
        try (var pair = Sock.pair(SockType.DGRAM)) {
            int fd = pair.first().fd();
            Path link = Path.of("/proc/self/fd/" + fd);
            assertTrue(Files.readSymbolicLink(link).toString().startsWith("socket:"));
            CompletableFuture<Throwable> r = CompletableFuture.supplyAsync(() -> {
                try {
                    pair.first().recv(new byte[1]);
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            try {
                awaitBlocked(findThread(r));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            pair.first().close();
            assertInstanceOf(SockClosedException.class, r.get());
            assertTrue(!Files.exists(link) || !Files.readSymbolicLink(link).toString().startsWith("socket:")
                    || pair.second().fd() == fd, "closed once the call left");
        }
    }

    private static Thread findThread(CompletableFuture<?> f) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                for (StackTraceElement e : t.getStackTrace()) {
                    if (e.getClassName().equals(Syscalls.class.getName()) && e.getMethodName().equals("recv")) {
                        return t;
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no thread in recv");
    }
}
