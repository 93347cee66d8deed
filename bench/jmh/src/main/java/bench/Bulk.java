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
 *     IMPL: panama (native memory) | panama-heap (byte[]) | nio (direct buffer) | nio-heap (heap buffer)
 * </pre>
 */
public final class Bulk {
    private Bulk() {}

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        String impl = args[1];
        long total = Long.parseLong(args[2]) << 20;
        double mbs = switch (impl) {
            case "panama", "panama-heap" -> panama(size, impl.equals("panama-heap"), total);
            case "nio", "nio-heap" -> nio(size, impl.equals("nio-heap"), total);
            default -> throw new IllegalArgumentException("no implementation " + impl);
        };
        System.out.printf("bulk-%d %s %.0f%n", size, impl, mbs);
    }

    /** The shortest warm-up: long enough for the JIT to finish compiling the path measured. */
    static final long WARMUP_NANOS = Long.getLong("bench.warmupMillis", 500) * 1_000_000;

    /**
     * Runs {@code drain} on another thread while {@code write} sends, untimed, a quarter of
     * {@code total} bytes as many times as it takes to fill {@link #WARMUP_NANOS}, and then
     * {@code total}; returns MB/s of that last part. Each call of {@code write} sends at most what
     * its argument asks for.
     */
    private static double timed(long total, PingPong.Call drain, Write write) throws Exception {
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
        for (long begun = System.nanoTime(); warmed == 0 || System.nanoTime() - begun < WARMUP_NANOS; ) {
            for (long sent = 0; sent < total / 4; ) {
                sent += write.call(total / 4 - sent);
            }
            warmed += total / 4;
        }
        expected.set(warmed + total);
        long t0 = System.nanoTime();
        for (long sent = 0; sent < total; ) {
            sent += write.call(total - sent);
        }
        reader.join();
        return total * 1e3 / (System.nanoTime() - t0);
    }

    /** One write of at most {@code left} bytes; returns how many were sent. */
    interface Write {
        long call(long left) throws IOException;
    }

    private static double panama(int size, boolean heap, long total) throws Exception {
        try (SockPair pair = Sock.pair(SockType.STREAM)) {
            Sock out = pair.first();
            MemorySegment in = Arena.ofAuto().allocate(1 << 20);
            byte[] array = new byte[size];
            MemorySegment direct = Arena.ofAuto().allocate(size);
            return timed(total, () -> pair.second().recv(in), left -> {
                int want = (int) Math.min(size, left);
                return heap ? out.send(array, 0, want) : out.send(want == size ? direct : direct.asSlice(0, want));
            });
        }
    }

    private static double nio(int size, boolean heap, long total) throws Exception {
        SocketChannel[] c = PingPong.Peers.nioUnix();
        try (SocketChannel a = c[0]; SocketChannel b = c[1]) {
            ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
            ByteBuffer src = heap ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
            return timed(total, () -> b.read(in.clear()),
                    left -> a.write(src.clear().limit((int) Math.min(size, left))));
        }
    }
}
