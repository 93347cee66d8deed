package bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The library's 1-byte ping-pong and C's in one process, in alternating blocks, so that both see
 * the same state of a shared machine: on this kind of VM a round trip's time moves by half from
 * one second to the next, more than the difference being measured, and separate processes
 * measured seconds apart can only be compared through medians of several runs.
 *
 * <pre>
 *   java bench.Paired LIBRARY ROUNDS BLOCKS KIND[+VARIANT]...
 *     LIBRARY: bench/c/pingpong.c built with -DPINGPONG_LIBRARY -shared -fPIC
 *     ROUNDS:  round trips per block
 *     BLOCKS:  blocks of each implementation, in an order that rotates from block to block
 *     KIND:    unix-stream unix-seqpacket unix-dgram tcp4 tcp6, and last unix-dgram-path
 *     VARIANT: heap, confined, ffm: panama-heap, panama-confined or ffm (see PingPong) measured as well
 * </pre>
 *
 * The C half runs on the thread that called it (its echo is a thread of C's own), the library's
 * as {@link PingPong} runs it, timed by the same {@link Rounds#timeChunk}: from native memory, the echo a platform thread. Prints a line per
 * kind and implementation of the library: KIND IMPL p50_median p50_q1 p50_q3 p99_median c_p50_ns
 * impl_p50_ns blocks, where the first four are of the blocks' ratios (library / C) of p50 and
 * p99, and the two p50s are the medians of the blocks' p50s.
 */
public final class Paired {
    private Paired() {}

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        MethodHandle open = linker.downcallHandle(lib.findOrThrow("pingpong_open"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle rounds = linker.downcallHandle(lib.findOrThrow("pingpong_rounds"),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        int n = Integer.parseInt(args[1]);
        int blocks = Integer.parseInt(args[2]);
        MemorySegment out = Arena.global().allocate(ValueLayout.JAVA_LONG, n);
        long[] t = new long[n];
        for (String arg : Arrays.copyOfRange(args, 3, args.length)) {
            String[] parts = arg.split("\\+");
            String kind = parts[0];
            int fd = (int) open.invokeExact(Arena.global().allocateFrom(kind));
            List<String> impls = new ArrayList<>(List.of("panama"));
            for (int i = 1; i < parts.length; i++) {
                impls.add(parts[i].equals("ffm") ? "ffm" : "panama-" + parts[i]);
            }
            List<Rounds.Round> trips = new ArrayList<>();
            for (String impl : impls) {
                PingPong.End[] e = PingPong.panama(kind, impl, false);
                PingPong.echo(e[1], false);
                e[0].start();
                trips.add(PingPong.roundTrip(e[0]));
            }
            // As PingPong: 1 s of warm-up in all, for C2 to be done compiling on the one CPU, through
            // the method that times, so that it is compiled as a whole (see Rounds).
            long warm = System.nanoTime() + Rounds.WARMUP_NANOS;
            while (System.nanoTime() < warm) {
                for (Rounds.Round trip : trips) {
                    Rounds.timeChunk(trip, t, 0, Rounds.CHUNK, System.nanoTime());
                }
            }
            rounds.invokeExact(fd, (long) n, out);
            int m = trips.size() + 1;       // C is implementation 0
            double[][] p50 = new double[m][blocks];
            double[][] p99 = new double[m][blocks];
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < m; k++) {
                    int i = (b + k) % m;
                    if (i == 0) {
                        rounds.invokeExact(fd, (long) n, out);
                        MemorySegment.copy(out, ValueLayout.JAVA_LONG, 0, t, 0, n);
                    } else {
                        Rounds.timeChunk(trips.get(i - 1), t, 0, n, System.nanoTime());
                    }
                    Arrays.sort(t);
                    p50[i][b] = t[n / 2];
                    p99[i][b] = t[(int) (n * 99L / 100)];
                }
            }
            for (int i = 1; i < m; i++) {
                double[] r50 = ratios(p50[i], p50[0]);
                double[] r99 = ratios(p99[i], p99[0]);
                System.out.printf("%s %s %.4f %.4f %.4f %.4f %.0f %.0f %d%n", kind, impls.get(i - 1), r50[blocks / 2],
                        r50[blocks / 4], r50[blocks * 3 / 4], r99[blocks / 2], median(p50[0]), median(p50[i]), blocks);
            }
        }
        System.exit(0);     // the echo threads, C's and the library's, block for good
    }

    /** {@return a[b] / c[b] for every block, sorted} */
    static double[] ratios(double[] a, double[] c) {
        double[] r = new double[a.length];
        for (int b = 0; b < a.length; b++) {
            r[b] = a[b] / c[b];
        }
        Arrays.sort(r);
        return r;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
