package bench;

import java.util.Arrays;

/**
 * How every latency driver here times its rounds, as bench/c/bench.h does for C: a warm-up of
 * {@code max(rounds / 10, minWarmup)} rounds, then {@code rounds} timed ones, each bounded in time
 * as well ({@link #WARMUP_NANOS}, {@link #MEASURE_NANOS}) so that a loaded machine cannot stretch
 * the suite without end. Prints: KIND IMPL p50_ns p99_ns p999_ns rounds_per_s rounds_timed
 */
final class Rounds {
    private Rounds() {}

    /** The longest warm-up; an idle machine finishes the warm-up rounds well before it. */
    static final long WARMUP_NANOS = 1_000_000_000L;
    /** The longest timed part; an idle machine finishes 200,000 round trips before it. */
    static final long MEASURE_NANOS = 2_000_000_000L;

    /** One round: a round trip, a dump. */
    interface Round {
        void run() throws Exception;
    }

    static void measure(String kind, String impl, int rounds, int minWarmup, Round round) throws Exception {
        int warmup = Math.max(rounds / 10, minWarmup);
        long begun = System.nanoTime();
        for (int i = 0; i < warmup && System.nanoTime() - begun < WARMUP_NANOS; i++) {
            round.run();
        }
        long[] t = new long[rounds];
        int n = 0;
        long start = System.nanoTime();
        long now = start;
        while (n < rounds && now - start < MEASURE_NANOS) {
            long t0 = now;
            round.run();
            now = System.nanoTime();
            t[n++] = now - t0;
        }
        Arrays.sort(t, 0, n);
        System.out.printf("%s %s %d %d %d %.0f %d%n", kind, impl, t[n / 2], t[(int) (n * 99L / 100)],
                t[(int) (n * 999L / 1000)], n * 1e9 / (now - start), n);
    }
}
