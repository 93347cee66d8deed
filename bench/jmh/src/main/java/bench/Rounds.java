package bench;

import java.util.Arrays;

/**
 * How every latency driver here times its rounds, as bench/c/bench.h does for C: a warm-up of
 * {@code max(rounds / 10, minWarmup)} rounds, then {@code rounds} timed ones, each bounded in time
 * as well (the warm-up by its {@code warmupNanos}, usually {@link #WARMUP_NANOS}; the timed part by
 * {@link #MEASURE_NANOS}) so that a loaded machine cannot stretch the suite without end. Prints: KIND IMPL p50_ns p99_ns p999_ns rounds_per_s rounds_timed
 *
 * <p>The warm-up runs the very loop that times, {@link #timeChunk}, a chunk of {@value #CHUNK}
 * rounds a call, so that the JIT compiles it as a method of its own before the timing starts. Run
 * as one long loop, it was compiled only by on-stack replacement, part of the way into the timed
 * rounds, and those before ran in the interpreter.
 */
final class Rounds {
    private Rounds() {}

    /** The longest warm-up; an idle machine finishes the warm-up rounds well before it. */
    static final long WARMUP_NANOS = 1_000_000_000L;
    /** The longest timed part; an idle machine finishes 200,000 round trips before it. */
    static final long MEASURE_NANOS = 2_000_000_000L;
    /** Rounds per call of {@link #timeChunk}; the time bounds are checked between calls. */
    static final int CHUNK = 100;

    /** One round: a round trip, a dump. */
    interface Round {
        void run() throws Exception;
    }

    static void measure(String kind, String impl, int rounds, int minWarmup, long warmupNanos, Round round)
            throws Exception {
        int warmup = Math.max(rounds / 10, minWarmup);
        long[] t = new long[Math.max(rounds, CHUNK)];
        long begun = System.nanoTime();
        for (long done = 0; done < warmup && System.nanoTime() - begun < warmupNanos; done += CHUNK) {
            timeChunk(round, t, 0, (int) Math.min(CHUNK, warmup - done), System.nanoTime());
        }
        int n = 0;
        long start = System.nanoTime();
        long now = start;
        while (n < rounds && now - start < MEASURE_NANOS) {
            int end = Math.min(n + CHUNK, rounds);
            now = timeChunk(round, t, n, end, now);
            n = end;
        }
        Arrays.sort(t, 0, n);
        System.out.printf("%s %s %d %d %d %.0f %d%n", kind, impl, t[n / 2], t[(int) (n * 99L / 100)],
                t[(int) (n * 999L / 1000)], n * 1e9 / (now - start), n);
    }

    /**
     * Makes rounds {@code from} to {@code to}, leaving the nanoseconds of each in {@code t}, each
     * timed from the end of the one before (the first from {@code now}); {@return the time the last ended}
     */
    static long timeChunk(Round round, long[] t, int from, int to, long now) throws Exception {
        for (int i = from; i < to; i++) {
            long t0 = now;
            round.run();
            now = System.nanoTime();
            t[i] = now - t0;
        }
        return now;
    }
}
