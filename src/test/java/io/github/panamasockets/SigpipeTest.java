package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Writing to a peer that has gone is a {@link SocketException} (EPIPE or ECONNRESET), 1,000 times
 * in a row, through every send path and the output stream, and never raises SIGPIPE: every send
 * passes MSG_NOSIGNAL. The JVM happens to survive a SIGPIPE (HotSpot's handler ignores it), so the
 * test does not rely on surviving: it blocks SIGPIPE in the writing thread, so that a raised one
 * would stay pending, and checks with sigpending(2) that none was raised. A control write without
 * MSG_NOSIGNAL shows that the check does see one.
 */
@SuppressWarnings("restricted")   // the signal-mask calls, by downcalls of our own
class SigpipeTest {
    private static final int WRITES = 1000;
    private static final Set<String> BROKEN = Set.of("EPIPE", "ECONNRESET");

    /**
     * SIGPIPE blocked in the calling thread while open: one raised by a write here stays pending,
     * where {@link #pending()} sees it. Closing discards a pending one and restores the mask.
     */
    static final class SigpipeWatch implements AutoCloseable {
        private static final int SIGPIPE = 13;
        private static final int SIG_BLOCK = 0;
        private static final int SIG_SETMASK = 2;
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle PTHREAD_SIGMASK = handle("pthread_sigmask",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        private static final MethodHandle SIGPENDING = handle("sigpending",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        private static final MethodHandle SIGTIMEDWAIT = handle("sigtimedwait",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

        private static MethodHandle handle(String name, FunctionDescriptor d) {
            return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
        }

        private final Arena arena = Arena.ofConfined();
        /** glibc's sigset_t is 1024 bits. */
        private final MemorySegment pipeOnly = arena.allocate(128, 8);
        private final MemorySegment old = arena.allocate(128, 8);
        private final MemorySegment scratch = arena.allocate(128, 8);
        private final MemorySegment zero = arena.allocate(16, 8);   // struct timespec {0, 0}
        private final Thread owner = Thread.currentThread();

        SigpipeWatch() {
            pipeOnly.set(ValueLayout.JAVA_LONG, 0, 1L << (SIGPIPE - 1));
            assertEquals(0, call(PTHREAD_SIGMASK, SIG_BLOCK, pipeOnly, old), "pthread_sigmask");
            clear();   // none left over from before
        }

        boolean pending() {
            assertEquals(owner, Thread.currentThread(), "SIGPIPE is blocked in the thread that made the watch");
            scratch.fill((byte) 0);
            try {
                assertEquals(0, (int) SIGPENDING.invokeExact(scratch), "sigpending");
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            return (scratch.get(ValueLayout.JAVA_LONG, 0) & (1L << (SIGPIPE - 1))) != 0;
        }

        /** Takes a pending SIGPIPE, so that unblocking it delivers nothing. */
        void clear() {
            while (pending()) {
                try {
                    int sig = (int) SIGTIMEDWAIT.invokeExact(pipeOnly, MemorySegment.NULL, zero);
                    assertEquals(SIGPIPE, sig, "sigtimedwait");
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            }
        }

        private static int call(MethodHandle h, int how, MemorySegment set, MemorySegment oldSet) {
            try {
                return (int) h.invokeExact(how, set, oldSet);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }

        @Override
        public void close() {
            try {
                clear();
                assertEquals(0, call(PTHREAD_SIGMASK, SIG_SETMASK, old, MemorySegment.NULL), "pthread_sigmask restore");
            } finally {
                arena.close();
            }
        }
    }

    // ------------------------------------------------------------------------------ peers that went

    /** A socket whose peer has gone, and the sockets to close afterwards. */
    private record Broken(Sock socket, List<Sock> others) implements AutoCloseable {
        @Override
        public void close() {
            socket.close();
            others.forEach(Sock::close);
        }
    }

    private interface BrokenMaker {
        Broken make() throws Exception;
    }

    private static Broken pairWithClosedPeer(SockType type) throws IOException {
        SockPair p = Sock.pair(type);
        p.second().close();
        return new Broken(p.first(), List.of());
    }

    /**
     * A TCP connection whose accepted end closed (with a reset when {@code reset}); the first
     * writes after a plain close may still be accepted by the kernel until the peer's reset comes
     * back, so they are made here until one fails.
     */
    private static Broken tcpWithClosedPeer(Sockaddr loopback, boolean reset) throws Exception {
        try (Sock server = Sock.open(loopback.family(), SockType.STREAM).bind(loopback).listen()) {
            Sock client = Sock.open(loopback.family(), SockType.STREAM).connect(server.localAddress());
            Accepted a = server.accept();
            if (reset) {
                a.socket().set(SockOpt.SO_LINGER, Linger.seconds(0));
            }
            a.close();
            for (int i = 0; i < 200; i++) {
                try {
                    client.send(new byte[1]);
                    Thread.sleep(5);
                } catch (SocketException broken) {
                    return new Broken(client, List.of());
                }
            }
            client.close();
            throw new AssertionError("writes to a closed TCP peer kept succeeding");
        }
    }

    private static Broken shutDownForWriting() throws IOException {
        SockPair p = Sock.pair(SockType.STREAM);
        p.first().shutdown(Shutdown.WRITE);
        return new Broken(p.first(), List.of(p.second()));
    }

    static Stream<Arguments> brokenPeers() {
        return Stream.of(
                Arguments.of(Named.of("a Unix stream whose peer closed", (BrokenMaker) () -> pairWithClosedPeer(SockType.STREAM))),
                Arguments.of(Named.of("a Unix seqpacket whose peer closed", (BrokenMaker) () -> pairWithClosedPeer(SockType.SEQPACKET))),
                Arguments.of(Named.of("a TCP connection whose peer closed",
                        (BrokenMaker) () -> tcpWithClosedPeer(SockaddrInet4.loopback(0), false))),
                Arguments.of(Named.of("a TCP connection whose peer reset",
                        (BrokenMaker) () -> tcpWithClosedPeer(SockaddrInet4.loopback(0), true))),
                Arguments.of(Named.of("a TCP/IPv6 connection whose peer closed",
                        (BrokenMaker) () -> tcpWithClosedPeer(SockaddrInet6.loopback(0), false))),
                Arguments.of(Named.of("a Unix stream shut down for writing", (BrokenMaker) SigpipeTest::shutDownForWriting)));
    }

    private interface Write {
        void to(Sock s) throws IOException;
    }

    static Stream<Arguments> writes() {
        byte[] hundred = new byte[100];
        return Stream.of(
                Arguments.of(Named.of("send(byte[])", (Write) s -> s.send(hundred))),
                Arguments.of(Named.of("send(direct ByteBuffer)", (Write) s -> s.send(ByteBuffer.allocateDirect(64)))),
                Arguments.of(Named.of("sendAll(byte[])", (Write) s -> s.sendAll(new byte[200_000], 0, 200_000))),
                Arguments.of(Named.of("sendmsg", (Write) s -> s.sendmsg(null, List.of(), 0, hundred, hundred))),
                Arguments.of(Named.of("outputStream().write", (Write) s -> s.outputStream().write(hundred))),
                Arguments.of(Named.of("outputStream().write(int)", (Write) s -> s.outputStream().write(7))));
    }

    static Stream<Arguments> peersAndWrites() {
        // Output streams are for SOCK_STREAM only: the seqpacket peer gets the other writes.
        return brokenPeers().flatMap(p -> writes()
                .filter(w -> !(name(p).contains("seqpacket") && name(w).contains("outputStream")))
                .map(w -> Arguments.of(p.get()[0], w.get()[0])));
    }

    private static String name(Arguments a) {
        return ((Named<?>) a.get()[0]).getName();
    }

    @ParameterizedTest(name = "1,000 × {1} to {0}: each a SocketException, no SIGPIPE")
    @MethodSource("peersAndWrites")
    void thousandWritesToAGonePeerEachFailWithoutSigpipe(BrokenMaker maker, Write write) throws Exception {
        Broken b = maker.make();
        try (b; SigpipeWatch watch = new SigpipeWatch()) {
            for (int i = 0; i < WRITES; i++) {
                int n = i;
                IOException e = assertThrows(IOException.class, () -> write.to(b.socket()), () -> "write " + n);
                SyscallException se = assertInstanceOf(SyscallException.class, e, () -> "write " + n + ": " + e);
                assertTrue(BROKEN.contains(se.errnoName()), () -> "write " + n + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(se.errnoName()), e.getMessage());
                if (watch.pending()) {
                    fail("write " + n + " raised SIGPIPE: " + e.getMessage());
                }
            }
            assertTrue(b.socket().isOpen(), "a failed write does not close the socket");
        }
    }

    @Test
    void theWatchSeesTheSigpipeOfAWriteWithoutMsgNosignal() throws IOException {
        // The control: the same write made directly, without MSG_NOSIGNAL, does raise SIGPIPE, so
        // the watch above would have caught one.
        try (SockPair p = Sock.pair(SockType.STREAM); Arena arena = Arena.ofConfined(); SigpipeWatch watch = new SigpipeWatch()) {
            p.second().close();
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment buf = arena.allocate(16);
            assertFalse(watch.pending());
            assertEquals(-1, Syscalls.send(capture, p.first().fd(), buf, 16, 0));
            assertEquals(Errno.EPIPE.value(), Syscalls.errno(capture));
            assertTrue(watch.pending(), "a send without MSG_NOSIGNAL raised SIGPIPE");
            watch.clear();
            assertFalse(watch.pending());
            // And through the library, on the same socket, none.
            assertThrows(SyscallException.class, () -> p.first().send(new byte[16]));
            assertFalse(watch.pending());
        }
    }

    @Test
    void writesFromManyThreadsToAGonePeerAllFailAndTheJvmLives() throws Exception {
        try (SockPair p = Sock.pair(SockType.STREAM)) {
            p.second().close();
            OutputStream out = p.first().outputStream();
            Thread[] threads = new Thread[4];
            Throwable[] unexpected = new Throwable[threads.length];
            for (int t = 0; t < threads.length; t++) {
                int k = t;
                threads[t] = Thread.ofPlatform().start(() -> {
                    try (SigpipeWatch watch = new SigpipeWatch()) {
                        for (int i = 0; i < WRITES; i++) {
                            try {
                                out.write(new byte[10]);
                                unexpected[k] = new AssertionError("write " + i + " succeeded");
                                return;
                            } catch (SyscallException expected) {
                                if (!BROKEN.contains(expected.errnoName()) || watch.pending()) {
                                    unexpected[k] = expected;
                                    return;
                                }
                            }
                        }
                    } catch (Throwable e) {
                        unexpected[k] = e;
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
            for (Throwable t : unexpected) {
                if (t != null) {
                    throw new AssertionError(t);
                }
            }
        }
    }
}
