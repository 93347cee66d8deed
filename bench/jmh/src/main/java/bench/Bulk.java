package bench;

import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk transfer over a Unix stream connection, the Java side of scripts/bench.sh; the same
 * workload as {@code pingpong bulk-SIZE} in bench/c/pingpong.c: writes of SIZE bytes, MIB
 * mebibytes timed after an untimed warm-up of a quarter of that, drained by another thread into
 * a 1 MiB buffer of native memory (a direct buffer for NIO). Prints: bulk-SIZE IMPL MB_per_s
 *
 * <pre>
 *   java bench.Bulk SIZE IMPL MIB
 *     IMPL: panama (native memory) | panama-heap (byte[]) | ffm (native memory, raw downcalls)
 *           | nio (direct buffer) | nio-heap (heap buffer)
 * </pre>
 */
public final class Bulk {
    private Bulk() {}

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        String impl = args[1];
        long total = Long.parseLong(args[2]) << 20;
        long ns = transfer(size, impl, total / 4, total, WARMUP_NANOS);
        System.out.printf("bulk-%d %s %.0f%n", size, impl, total * 1e3 / ns);
    }

    /** The shortest warm-up: long enough for the JIT to finish compiling the path measured. */
    static final long WARMUP_NANOS = Long.getLong("bench.warmupMillis", 500) * 1_000_000;

    /** The implementations, as {@code IMPL} names them. */
    static final String[] IMPLS = {"panama", "panama-heap", "ffm", "nio", "nio-heap"};

    /**
     * Over a new Unix stream connection of {@code impl}, sends {@code warmup} bytes untimed, again
     * until {@code warmupNanos} have passed, and then {@code timed} bytes, in writes of {@code size}
     * bytes, drained by another thread: {@return the nanoseconds from the first timed write until
     * the drain has received the last byte}
     */
    static long transfer(int size, String impl, long warmup, long timed, long warmupNanos) throws Exception {
        return switch (impl) {
            case "panama", "panama-heap" -> panama(size, impl.equals("panama-heap"), warmup, timed, warmupNanos);
            case "ffm" -> ffm(size, warmup, timed, warmupNanos);
            case "nio", "nio-heap" -> nio(size, impl.equals("nio-heap"), warmup, timed, warmupNanos);
            default -> throw new IllegalArgumentException("no implementation " + impl);
        };
    }

    private static long timed(long warmup, long timed, long warmupNanos, PingPong.Call drain, Write write)
            throws Exception {
        AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                for (long got = 0; got < expected.get(); ) {
                    long n = drain.call();
                    if (n <= 0) {
                        throw new IOException("end of stream after " + got + " bytes");
                    }
                    got += n;
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long warmed = 0;
        for (long begun = System.nanoTime(); warmed == 0 || System.nanoTime() - begun < warmupNanos; ) {
            for (long sent = 0; sent < warmup; ) {
                sent += write.call(warmup - sent);
            }
            warmed += warmup;
        }
        expected.set(warmed + timed);
        long t0 = System.nanoTime();
        for (long sent = 0; sent < timed; ) {
            sent += write.call(timed - sent);
        }
        reader.join();
        return System.nanoTime() - t0;
    }

    /** One write of at most {@code left} bytes; returns how many were sent. */
    interface Write {
        long call(long left) throws IOException;
    }

    private static long panama(int size, boolean heap, long warmup, long timed, long warmupNanos) throws Exception {
        try (SockPair pair = Sock.pair(SockType.STREAM); Arena arena = Arena.ofShared()) {
            Sock out = pair.first();
            MemorySegment in = arena.allocate(1 << 20);     // the drain's, on another thread
            byte[] array = new byte[size];
            MemorySegment direct = arena.allocate(size);
            return timed(warmup, timed, warmupNanos, () -> pair.second().recv(in), left -> {
                int want = (int) Math.min(size, left);
                return heap ? out.send(array, 0, want) : out.send(want == size ? direct : direct.asSlice(0, want));
            });
        }
    }

    /**
     * The same from native memory by raw downcalls of send(2) and recv(2) (see {@link Raw}) on the
     * library's sockets: the floor of any FFM binding, as in {@link PingPong}.
     */
    private static long ffm(int size, long warmup, long timed, long warmupNanos) throws Exception {
        try (SockPair pair = Sock.pair(SockType.STREAM); Arena arena = Arena.ofShared()) {
            int out = pair.first().fd();
            int in = pair.second().fd();
            MemorySegment drained = arena.allocate(1 << 20);
            MemorySegment direct = arena.allocate(size);
            MemorySegment sendCapture = Raw.capture(arena);
            MemorySegment recvCapture = Raw.capture(arena);
            return timed(warmup, timed, warmupNanos, () -> checked(Raw.recv(recvCapture, in, drained, 1 << 20, 0),
                    "recv", recvCapture), left -> checked(Raw.send(sendCapture, out, direct, Math.min(size, left),
                    Raw.MSG_NOSIGNAL), "send", sendCapture));
        }
    }

    private static long checked(long n, String call, MemorySegment capture) throws IOException {
        if (n < 0) {
            throw new IOException(call + ": errno " + Raw.errno(capture));
        }
        return n;
    }

    private static long nio(int size, boolean heap, long warmup, long timed, long warmupNanos) throws Exception {
        SocketChannel[] c = PingPong.Peers.nioUnix();
        try (SocketChannel a = c[0]; SocketChannel b = c[1]) {
            ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
            ByteBuffer src = heap ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
            return timed(warmup, timed, warmupNanos, () -> b.read(in.clear()),
                    left -> a.write(src.clear().limit((int) Math.min(size, left))));
        }
    }
}
