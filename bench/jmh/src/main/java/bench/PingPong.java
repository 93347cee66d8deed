package bench;

import io.github.panamasockets.Family;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrUnix;

import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * 1-byte ping-pong between two threads, the Java side of scripts/bench.sh; the same workload as
 * bench/c/pingpong.c. Prints: KIND IMPL p50_ns p99_ns p999_ns msgs_per_s rounds_timed (see
 * {@link Rounds})
 *
 * <pre>
 *   java bench.PingPong KIND IMPL ROUNDS [busy]
 *     KIND: unix-stream unix-seqpacket unix-dgram unix-dgram-path tcp4 tcp6
 *     IMPL: panama (native memory) | panama-heap (byte[]) | panama-confined (native memory,
 *           each socket confined to the thread that uses it) | ffm (raw downcalls, see below)
 *           | ffm-flags (unix-seqpacket and unix-dgram: the same with the library's flags)
 *           | nio | junixsocket | jnr
 * </pre>
 *
 * unix-dgram-path is two datagram sockets bound to paths in a temporary directory, as in
 * bench/c/pingpong.c: sendTo names the destination, recvFrom learns the sender, and the echo answers
 * whoever sent (the library and ffm only).
 *
 * <p>{@code ffm} is the floor of any binding made with the FFM API: send(2) and recv(2) called by
 * raw {@code invokeExact} of downcall handles linked as the library links them ({@link Raw}), on
 * the library's sockets, with nothing around the calls. What the library adds to a round trip is
 * its figure less this one; what the FFM API adds is this one less C's.
 *
 * <p>{@code ffm-flags} is that floor with the flags and linkage the library uses where they differ
 * from C's, on Unix seqpacket and datagram sockets: each send passes MSG_DONTWAIT through a critical
 * downcall, each receive MSG_TRUNC. Its figure less ffm's is what those flags cost; the library's
 * less its, what the library's Java code costs.
 *
 * Blocking by default: the script pins the whole process to one CPU. With {@code busy}, each end
 * pins its thread to a CPU of its own (0 and 1) and spins on a non-blocking receive: the library's
 * recv on a socket in non-blocking mode (Sock.WOULD_BLOCK until a byte comes), as a channel in
 * non-blocking mode for the peers. The
 * implementation is then printed with a {@code -busy} suffix.
 */
public final class PingPong {

    /** One end of the ping-pong: sends its byte, and receives one. */
    interface End {
        void send() throws IOException;

        void recv() throws IOException;

        /** Made once by the thread that then uses this end, before its first call. */
        default void start() throws IOException {}

        /**
         * In busy-poll mode, whether a receive that finds nothing spins (true, the default) or
         * sleeps a millisecond between looks: {@link Paired} lets only the implementation it is
         * measuring spin, so that the others' echo threads leave the second CPU to it.
         */
        default void spin(boolean on) {}
    }

    /** An end whose busy-poll receives spin while {@link #spin} allows it. */
    abstract static class SpinningEnd implements End {
        private volatile boolean spin = true;

        @Override
        public void spin(boolean on) {
            spin = on;
        }

        /** Between two receives that found nothing. */
        final void idle() {
            if (spin) {
                Thread.onSpinWait();
            } else {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String impl = args[1];
        int rounds = Integer.parseInt(args[2]);
        boolean busy = args.length > 3 && args[3].equals("busy");
        End[] ends = ends(kind, impl, busy);
        echo(ends[1], busy);
        if (busy) {
            Raw.pinTo(0);
        }
        ends[0].start();
        // Warms up for as many rounds as it times, or 1 s: C2 must be done compiling on the one
        // pinned CPU before the timing starts (with 20,000 rounds it was not, and p50 was 9% higher).
        Rounds.measure(kind, impl + (busy ? "-busy" : ""), rounds, rounds, Rounds.WARMUP_NANOS, roundTrip(ends[0]));
    }

    /** {@return the two ends of a connection of {@code kind} made by {@code impl}} */
    static End[] ends(String kind, String impl, boolean busy) throws IOException {
        return switch (impl) {
            case "panama", "panama-heap", "panama-confined", "ffm", "ffm-flags" -> panama(kind, impl, busy);
            case "nio" -> channels(Peers.nio(kind), busy);
            case "junixsocket" -> channels(junixsocket(kind), busy);
            case "jnr" -> channels(jnr(kind), busy);
            default -> throw new IllegalArgumentException("no implementation " + impl);
        };
    }

    /** {@return one round trip from {@code end}: its byte sent, and one received} */
    static Rounds.Round roundTrip(End end) {
        return () -> {
            end.send();
            end.recv();
        };
    }

    /**
     * Starts the thread that echoes on {@code end} until the process ends: a daemon, never
     * joined; with {@code busy}, pinned to CPU 1.
     */
    static void echo(End end, boolean busy) {
        Thread.ofPlatform().daemon().start(() -> {
            if (busy) {
                Raw.pinTo(1);
            }
            try {
                end.start();
                while (true) {
                    echoChunk(end);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /**
     * Echoes {@link Rounds#CHUNK} rounds: a method the JIT compiles as a whole, as it does the
     * timing loop (see {@link Rounds}), rather than the echo's endless loop by on-stack replacement.
     */
    private static void echoChunk(End end) throws IOException {
        for (int i = 0; i < Rounds.CHUNK; i++) {
            end.recv();
            end.send();
        }
    }

    // ------------------------------------------------------------------------------ panama-sockets

    static End[] panama(String kind, String impl, boolean busy) throws IOException {
        if (kind.equals("unix-dgram-path")) {
            return addressed(impl, busy);
        }
        Sock a;
        Sock b;
        if (kind.startsWith("unix-")) {
            SockPair p = Sock.pair(unixType(kind));
            a = p.first();
            b = p.second();
        } else {
            boolean v6 = kind.equals("tcp6");
            Family f = v6 ? Family.INET6 : Family.INET;
            Sock server = Sock.open(f, SockType.STREAM)
                    .bind(v6 ? SockaddrInet6.loopback(0) : SockaddrInet4.loopback(0)).listen(1);
            a = Sock.open(f, SockType.STREAM).connect(server.localAddress());
            b = server.accept().socket();
            server.close();
        }
        if (impl.equals("ffm")) {
            return new End[] {rawEnd(a, busy, false), rawEnd(b, busy, false)};
        }
        if (impl.equals("ffm-flags")) {
            if (busy || !(kind.equals("unix-seqpacket") || kind.equals("unix-dgram"))) {
                throw new IllegalArgumentException("ffm-flags is for unix-seqpacket and unix-dgram, not busy; not "
                        + kind + (busy ? " busy" : ""));
            }
            return new End[] {rawEnd(a, false, true), rawEnd(b, false, true)};
        }
        boolean heap = impl.equals("panama-heap");
        boolean confined = impl.equals("panama-confined");
        return new End[] {end(a, heap, confined, busy), end(b, heap, confined, busy)};
    }

    private static SockType unixType(String kind) {
        return switch (kind) {
            case "unix-stream" -> SockType.STREAM;
            case "unix-seqpacket" -> SockType.SEQPACKET;
            case "unix-dgram" -> SockType.DGRAM;
            default -> throw new IllegalArgumentException("no socket kind " + kind);
        };
    }

    /**
     * One end over {@code s}; {@code confined}: its thread {@linkplain Sock#confine() confines}
     * the socket to itself in {@link End#start()}, so that its calls skip the atomic claim of a
     * direction.
     */
    private static End end(Sock s, boolean heap, boolean confined, boolean busy) throws IOException {
        Call send;
        Call recv;
        if (busy) {
            s.setNonBlocking(true);
        }
        if (heap) {
            byte[] buf = new byte[1];
            send = () -> s.send(buf, 0, 1);
            recv = () -> s.recv(buf, 0, 1);
        } else {
            MemorySegment buf = Arena.ofAuto().allocate(1);
            send = () -> s.send(buf);
            recv = () -> s.recv(buf);
        }
        return new SpinningEnd() {
            public void send() throws IOException {
                send.call();
            }

            public void recv() throws IOException {
                if (!busy) {
                    recv.call();
                    return;
                }
                while (!ready(recv)) {
                    idle();
                }
            }

            public void start() throws IOException {
                if (confined) {
                    s.confine();
                }
            }
        };
    }

    /**
     * One end that calls send(2) and recv(2) on {@code s}'s descriptor by raw downcalls (see
     * {@link Raw}), as a binding with nothing around its calls would; the socket stays open, owned
     * by {@code s}, until the process ends. With {@code libraryFlags}, the library's flags and
     * linkage on a message socket: a send with MSG_DONTWAIT by a critical downcall, a receive
     * with MSG_TRUNC.
     */
    private static End rawEnd(Sock s, boolean busy, boolean libraryFlags) {
        if (busy) {
            throw new IllegalArgumentException("ffm has no busy variant");
        }
        int fd = s.fd();
        MemorySegment capture = Raw.capture(Arena.ofAuto());
        MemorySegment buf = Arena.ofAuto().allocate(1);
        int sendFlags = Raw.MSG_NOSIGNAL | (libraryFlags ? Raw.MSG_DONTWAIT : 0);
        int recvFlags = libraryFlags ? Raw.MSG_TRUNC : 0;
        return new End() {
            public void send() throws IOException {
                long n = libraryFlags ? Raw.sendNow(capture, fd, buf, 1, sendFlags)
                        : Raw.send(capture, fd, buf, 1, sendFlags);
                Reference.reachabilityFence(s);     // its Cleaner would close the descriptor
                if (n != 1) {
                    throw new IOException("send: " + n + ", errno " + Raw.errno(capture));
                }
            }

            public void recv() throws IOException {
                long n = Raw.recv(capture, fd, buf, 1, recvFlags);
                Reference.reachabilityFence(s);
                if (n != 1) {
                    throw new IOException("recv: " + n + ", errno " + Raw.errno(capture));
                }
            }
        };
    }

    /**
     * The ends of unix-dgram-path: two datagram sockets bound to paths, removed as the process
     * ends. The first sends to the echo's path; the echo answers the address each datagram came from.
     */
    private static End[] addressed(String impl, boolean busy) throws IOException {
        if (busy || !(impl.equals("panama") || impl.equals("panama-confined") || impl.equals("ffm"))) {
            throw new IllegalArgumentException("unix-dgram-path has panama, confined and ffm, not busy, only; not "
                    + impl + (busy ? " busy" : ""));
        }
        Path dir = Files.createTempDirectory("pingpong");
        dir.toFile().deleteOnExit();
        Sock[] s = new Sock[2];
        for (int i = 0; i < 2; i++) {
            Path path = dir.resolve(i == 0 ? "a" : "b");
            path.toFile().deleteOnExit();
            s[i] = Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.of(path));
        }
        Sockaddr echo = s[1].localAddress();
        if (impl.equals("ffm")) {
            return new End[] {rawAddressedEnd(s[0], echo), rawAddressedEnd(s[1], null)};
        }
        MemorySegment one = Arena.ofAuto().allocate(1);
        MemorySegment other = Arena.ofAuto().allocate(1);
        boolean confined = impl.equals("panama-confined");
        End first = new End() {
            public void send() throws IOException {
                s[0].sendTo(one, echo);
            }

            public void recv() throws IOException {
                s[0].recvFrom(one);
            }

            public void start() throws IOException {
                if (confined) {
                    s[0].confine();
                }
            }
        };
        End second = new End() {
            private Sockaddr from;

            public void send() throws IOException {
                s[1].sendTo(other, from);
            }

            public void recv() throws IOException {
                from = s[1].recvFrom(other).from();
            }

            public void start() throws IOException {
                if (confined) {
                    s[1].confine();
                }
            }
        };
        return new End[] {first, second};
    }

    /**
     * One end of unix-dgram-path by raw sendto(2) and recvfrom(2) (see {@link Raw}), as C's: it
     * sends to {@code to}, or with null, as the echo, to whoever sent the last datagram.
     */
    private static End rawAddressedEnd(Sock s, Sockaddr to) {
        int fd = s.fd();
        Arena arena = Arena.ofAuto();
        MemorySegment capture = Raw.capture(arena);
        MemorySegment buf = arena.allocate(1);
        MemorySegment dst = arena.allocate(Sockaddr.MAX_LENGTH, 8);
        MemorySegment from = arena.allocate(Sockaddr.MAX_LENGTH, 8);
        MemorySegment fromLen = arena.allocate(4, 4);
        int toLen = to == null ? 0 : to.encode(dst);
        return new End() {
            private int sendLen = toLen;

            public void send() throws IOException {
                long n = Raw.sendto(capture, fd, buf, 1, Raw.MSG_NOSIGNAL, to == null ? from : dst, sendLen);
                Reference.reachabilityFence(s);
                if (n != 1) {
                    throw new IOException("sendto: " + n + ", errno " + Raw.errno(capture));
                }
            }

            public void recv() throws IOException {
                fromLen.set(ValueLayout.JAVA_INT, 0, (int) from.byteSize());
                long n = Raw.recvfrom(capture, fd, buf, 1, 0, from, fromLen);
                Reference.reachabilityFence(s);
                if (n != 1) {
                    throw new IOException("recvfrom: " + n + ", errno " + Raw.errno(capture));
                }
                if (to == null) {
                    sendLen = fromLen.get(ValueLayout.JAVA_INT, 0);
                }
            }
        };
    }

    /** One call of the library, made from a lambda built once per end. */
    interface Call {
        long call() throws IOException;
    }

    /**
     * Makes one non-blocking receive; false if nothing had arrived (the library returns
     * Sock.WOULD_BLOCK for EAGAIN in non-blocking mode).
     */
    private static boolean ready(Call r) throws IOException {
        return r.call() > 0;
    }

    // ------------------------------------------------------------------------------ channels

    /** NIO, junixsocket and jnr-unixsocket are all channels: one End over a direct buffer serves them. */
    private static End[] channels(ByteChannel[] c, boolean busy) throws IOException {
        if (busy) {
            for (ByteChannel ch : c) {
                ((SelectableChannel) ch).configureBlocking(false);
            }
        }
        return new End[] {channelEnd(c[0]), channelEnd(c[1])};
    }

    private static End channelEnd(ByteChannel c) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1);
        return new SpinningEnd() {
            public void send() throws IOException {
                buf.clear();
                if (c.write(buf) != 1) {
                    throw new IOException("short write");
                }
            }

            public void recv() throws IOException {
                buf.clear();
                int n;
                while ((n = c.read(buf)) == 0) {
                    idle();      // non-blocking only: a blocking read returns at least 1
                }
                if (n < 0) {
                    throw new IOException("end of stream");
                }
            }
        };
    }

    /** junixsocket's socket pairs: a stream pair, or a datagram pair of either datagram type. */
    private static ByteChannel[] junixsocket(String kind) throws IOException {
        AFUNIXSocketPair<? extends ByteChannel> p = switch (kind) {
            case "unix-stream" -> AFUNIXSocketPair.open();
            case "unix-dgram" -> AFUNIXSocketPair.openDatagram(AFSocketType.SOCK_DGRAM);
            case "unix-seqpacket" -> AFUNIXSocketPair.openDatagram(AFSocketType.SOCK_SEQPACKET);
            default -> throw new IllegalArgumentException("junixsocket: no " + kind + " here");
        };
        return new ByteChannel[] {p.getSocket1(), p.getSocket2()};
    }

    private static ByteChannel[] jnr(String kind) throws IOException {
        if (!kind.equals("unix-stream")) {
            throw new IllegalArgumentException("jnr-unixsocket has stream sockets only");
        }
        return jnr.unixsocket.UnixSocketChannel.pair();
    }

    /** Connected pairs of JDK NIO channels. */
    static final class Peers {
        private Peers() {}

        static SocketChannel[] nio(String kind) throws IOException {
            if (kind.equals("unix-stream")) {
                return nioUnix();
            }
            if (!kind.startsWith("tcp")) {
                throw new IllegalArgumentException("NIO has no " + kind);
            }
            InetAddress lo = InetAddress.getByName(kind.equals("tcp6") ? "::1" : "127.0.0.1");
            try (var server = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0))) {
                SocketChannel a = SocketChannel.open(server.getLocalAddress());
                return new SocketChannel[] {a, server.accept()};
            }
        }

        /** A Unix stream connection through a listener on a temporary path, removed at once. */
        static SocketChannel[] nioUnix() throws IOException {
            var dir = java.nio.file.Files.createTempDirectory("bench");
            var path = dir.resolve("s");
            var address = java.net.UnixDomainSocketAddress.of(path);
            try (var server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX).bind(address)) {
                SocketChannel a = SocketChannel.open(address);
                return new SocketChannel[] {a, server.accept()};
            } finally {
                java.nio.file.Files.deleteIfExists(path);
                java.nio.file.Files.delete(dir);
            }
        }
    }
}
