package bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The bulk transfer of {@link Bulk} and C's in one process, in alternating blocks, for the same
 * reason as {@link Paired}: between separate processes on this kind of VM, C's own throughput moves
 * by more than the margins being judged.
 *
 * <pre>
 *   java bench.PairedBulk LIBRARY BLOCKS SIZE:MIB...
 *     LIBRARY: bench/c/pingpong.c built with -DPINGPONG_LIBRARY -shared -fPIC
 *     BLOCKS:  blocks of each Java implementation, with a block of C before and after each, as
 *              {@link Paired#order} orders them
 *     SIZE:    bytes per write; MIB: mebibytes timed per block
 * </pre>
 *
 * Each block is one transfer over a new Unix stream connection: a quarter of the volume untimed,
 * then the volume timed, until the drain thread has received the last byte; C's by
 * {@code pingpong_bulk}, the others by {@link Bulk#transfer}. Before the blocks of a size, the Java
 * implementations are run in turn for 1 s, for the JIT, which shares the one CPU, to be done
 * compiling. Prints a line per write size, implementation (C as {@code c}) and block, in the order
 * they ran: bulk-SIZE IMPL SEQ MB_per_s, for bench/report.py to compare each block with the C blocks
 * on either side of it.
 */
public final class PairedBulk {
    private PairedBulk() {}

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        MethodHandle bulk = linker.downcallHandle(lib.findOrThrow("pingpong_bulk"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG));
        int blocks = Integer.parseInt(args[1]);
        String[] impls = Bulk.IMPLS;
        for (String arg : Arrays.copyOfRange(args, 2, args.length)) {
            String[] parts = arg.split(":");
            int size = Integer.parseInt(parts[0]);
            long timed = Long.parseLong(parts[1]) << 20;
            long warm = System.nanoTime() + Rounds.WARMUP_NANOS;
            while (System.nanoTime() < warm) {
                for (String impl : impls) {
                    Bulk.transfer(size, impl, timed / 16, timed / 16, 0);
                }
            }
            int[] order = Paired.order(blocks, impls.length);
            for (int seq = 0; seq < order.length; seq++) {
                int i = order[seq];     // C is implementation 0
                long ns = i == 0 ? (long) bulk.invokeExact((long) size, timed / 4, timed)
                        : Bulk.transfer(size, impls[i - 1], timed / 4, timed, 0);
                System.out.printf("bulk-%d %s %d %.0f%n", size, i == 0 ? "c" : impls[i - 1], seq, timed * 1e3 / ns);
            }
        }
    }
}
