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
 *     BLOCKS:  blocks of each implementation, in an order that rotates from block to block
 *     SIZE:    bytes per write; MIB: mebibytes timed per block
 * </pre>
 *
 * Each block is one transfer over a new Unix stream connection: a quarter of the volume untimed,
 * then the volume timed, until the drain thread has received the last byte; C's by
 * {@code pingpong_bulk}, the others by {@link Bulk#transfer}. Before the blocks of a size, the Java
 * implementations are run in turn for 1 s, for the JIT, which shares the one CPU, to be done
 * compiling. Prints a line per write size and Java implementation: bulk-SIZE IMPL c_median c_q1
 * c_q3 nio_heap_median c_MBs impl_MBs blocks, where the first three are of the blocks' ratios of
 * throughput to C's block beside them, the fourth the same to nio-heap's, and the two MB/s the
 * medians of the blocks' throughputs.
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
        int nioHeap = Arrays.asList(impls).indexOf("nio-heap") + 1;
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
            int m = impls.length + 1;       // C is implementation 0
            double[][] mbs = new double[m][blocks];
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < m; k++) {
                    int i = (b + k) % m;
                    long ns = i == 0 ? (long) bulk.invokeExact((long) size, timed / 4, timed)
                            : Bulk.transfer(size, impls[i - 1], timed / 4, timed, 0);
                    mbs[i][b] = timed * 1e3 / ns;
                }
            }
            for (int i = 1; i < m; i++) {
                double[] toC = Paired.ratios(mbs[i], mbs[0]);
                double[] toNioHeap = Paired.ratios(mbs[i], mbs[nioHeap]);
                System.out.printf("bulk-%d %s %.4f %.4f %.4f %.4f %.0f %.0f %d%n", size, impls[i - 1],
                        toC[blocks / 2], toC[blocks / 4], toC[blocks * 3 / 4], toNioHeap[blocks / 2],
                        Paired.median(mbs[0]), Paired.median(mbs[i]), blocks);
            }
        }
    }
}
