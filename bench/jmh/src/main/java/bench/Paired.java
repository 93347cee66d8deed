package bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The library's 1-byte ping-pong, C's and the other Java implementations' in one process, in
 * alternating blocks, so that all see the same state of a shared machine: on this kind of VM a
 * round trip's time moves by half from one second to the next, more than the differences being
 * measured, and separate processes measured seconds apart can only be compared through medians of
 * several runs.
 *
 * <pre>
 *   java bench.Paired LIBRARY ROUNDS BLOCKS [busy] KIND[+IMPL]...
 *     LIBRARY: bench/c/pingpong.c built with -DPINGPONG_LIBRARY -shared -fPIC
 *     ROUNDS:  round trips per block
 *     BLOCKS:  blocks of each implementation but C, with a block of C before and after each (see order)
 *     busy:    the busy-poll variant: the calling thread pins itself to CPU 0, every echo thread to
 *              CPU 1, and receives spin on MSG_DONTWAIT (non-blocking mode for Java); only the
 *              implementation being measured spins, the others' receives sleep between looks.
 *              Run the process unpinned. Implementations are printed with a -busy suffix.
 *     KIND:    unix-stream unix-seqpacket unix-dgram tcp4 tcp6, and last unix-dgram-path
 *     IMPL:    what is measured besides C and panama: heap, confined (panama-heap,
 *              panama-confined), ffm, ffm-flags, nio, junixsocket, jnr (see PingPong)
 * </pre>
 *
 * C runs on the thread that called it (its echo is a thread of C's own), the Java
 * implementations as {@link PingPong} runs them, timed by the same {@link Rounds#timeChunk}, each
 * echo a platform thread. Prints a line per kind, implementation (C as {@code c}) and block, in the
 * order they ran: KIND IMPL SEQ p50_ns p99_ns rounds_per_s, for bench/report.py to compare each
 * block with the C blocks on either side of it, numbered SEQ - 1 and SEQ + 1.
 */
public final class Paired {
    private Paired() {}

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        MethodHandle open = linker.downcallHandle(lib.findOrThrow("pingpong_open"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle rounds = linker.downcallHandle(lib.findOrThrow("pingpong_rounds"),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        MethodHandle spinC = linker.downcallHandle(lib.findOrThrow("pingpong_spin"),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        int n = Integer.parseInt(args[1]);
        int blocks = Integer.parseInt(args[2]);
        boolean busy = args[3].equals("busy");
        String suffix = busy ? "-busy" : "";
        if (busy) {
            Raw.pinTo(0);       // the echo threads pin themselves to CPU 1
        }
        MemorySegment out = Arena.global().allocate(ValueLayout.JAVA_LONG, n);
        long[] t = new long[n];
        // Every pair stays reachable to the end: a dropped one would be closed by its Cleaner,
        // and its echo thread, still blocked in a receive, would fail with end of stream.
        List<PingPong.End[]> kept = new ArrayList<>();
        for (String arg : Arrays.copyOfRange(args, busy ? 4 : 3, args.length)) {
            String[] parts = arg.split("\\+");
            String kind = parts[0];
            int fd = (int) open.invokeExact(Arena.global().allocateFrom(kind), busy ? 1 : 0);
            List<String> impls = new ArrayList<>(List.of("c", "panama"));
            for (int i = 1; i < parts.length; i++) {
                impls.add(switch (parts[i]) {
                    case "heap", "confined" -> "panama-" + parts[i];
                    default -> parts[i];
                });
            }
            // Each implementation times a block of rounds into t; C's, implementation 0, through
            // pingpong_rounds, the others through the same Rounds.timeChunk as PingPong.
            List<Block> timers = new ArrayList<>();
            List<PingPong.End[]> pairs = new ArrayList<>();
            timers.add(count -> {
                rounds.invokeExact(fd, (long) count, out);
                MemorySegment.copy(out, ValueLayout.JAVA_LONG, 0, t, 0, count);
            });
            pairs.add(new PingPong.End[0]);
            for (String impl : impls.subList(1, impls.size())) {
                PingPong.End[] e = PingPong.ends(kind, impl, busy);
                kept.add(e);
                pairs.add(e);
                PingPong.echo(e[1], busy);
                e[0].start();
                Rounds.Round trip = PingPong.roundTrip(e[0]);
                timers.add(count -> Rounds.timeChunk(trip, t, 0, count, System.nanoTime()));
            }
            // As PingPong: 1 s of warm-up in all, for C2 to be done compiling on the one CPU, through
            // the method that times, so that it is compiled as a whole (see Rounds).
            long warm = System.nanoTime() + Rounds.WARMUP_NANOS;
            while (System.nanoTime() < warm) {
                for (int i = 1; i < timers.size(); i++) {
                    spinOnly(i, pairs, spinC);
                    timers.get(i).time(Rounds.CHUNK);
                }
            }
            spinOnly(0, pairs, spinC);
            timers.get(0).time(n);
            int[] order = order(blocks, impls.size() - 1);
            for (int seq = 0; seq < order.length; seq++) {
                int i = order[seq];
                // The echo may have been asleep (see End.spin): a chunk untimed first.
                spinOnly(i, pairs, spinC);
                timers.get(i).time(Rounds.CHUNK);
                long began = System.nanoTime();
                timers.get(i).time(n);
                double rate = n * 1e9 / (System.nanoTime() - began);
                Arrays.sort(t);
                System.out.printf("%s %s%s %d %d %d %.0f%n", kind, impls.get(i), suffix, seq, t[n / 2],
                        t[(int) (n * 99L / 100)], rate);
            }
        }
        Reference.reachabilityFence(kept);
        System.exit(0);     // the echo threads, C's and the Java ones, block for good
    }

    /** Makes {@code count} round trips, leaving the nanoseconds of each at the start of the times array. */
    private interface Block {
        void time(int count) throws Throwable;
    }

    /**
     * Lets only implementation {@code i}'s receives spin when they find nothing, in busy-poll mode;
     * the others' sleep between looks, leaving the echo's CPU to it (see End.spin).
     */
    private static void spinOnly(int i, List<PingPong.End[]> pairs, MethodHandle spinC) throws Throwable {
        spinC.invokeExact(i == 0 ? 1 : 0);
        for (int j = 1; j < pairs.size(); j++) {
            for (PingPong.End e : pairs.get(j)) {
                e.spin(j == i);
            }
        }
    }

    /**
     * {@return the order of the blocks: implementation 0, C, before and after every block of the
     * others, which come in an order that rotates from one round to the next}, {@code blocks}
     * rounds of each of the {@code others}. Each block of another implementation is then compared
     * with the C blocks on both sides of it, which makes a drift of the machine's speed during the
     * round cancel out.
     */
    static int[] order(int blocks, int others) {
        int[] order = new int[blocks * 2 * others + 1];
        int seq = 1;        // order[0] is C
        for (int b = 0; b < blocks; b++) {
            for (int k = 0; k < others; k++) {
                order[seq++] = 1 + (b + k) % others;
                order[seq++] = 0;
            }
        }
        return order;
    }
}
