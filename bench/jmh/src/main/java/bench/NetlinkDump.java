package bench;

import io.github.panamasockets.netlink.RouteNetlink;
import io.github.panamasockets.netlink.RtnlLink;

import java.util.Arrays;
import java.util.List;

/**
 * An RTM_GETLINK dump through {@link RouteNetlink#links()}, repeated over one socket: the Java side
 * of bench/c/netlink_dump.c. Prints: netlink-getlink panama p50_ns p99_ns p999_ns dumps_per_s,
 * after a warm-up of at least 2,000 dumps.
 *
 * <pre>
 *   java bench.NetlinkDump DUMPS
 * </pre>
 */
public final class NetlinkDump {
    private NetlinkDump() {}

    public static void main(String[] args) throws Exception {
        int dumps = Integer.parseInt(args[0]);
        int warmup = Math.max(dumps / 10, 2_000);
        long[] t = new long[dumps];
        long start = 0;
        int seen = 0;
        try (RouteNetlink rtnl = RouteNetlink.open()) {
            for (int i = 0; i < warmup + dumps; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                long t0 = System.nanoTime();
                List<RtnlLink> links = rtnl.links();
                if (i >= warmup) {
                    t[i - warmup] = System.nanoTime() - t0;
                }
                seen = links.size();
            }
        }
        long elapsed = System.nanoTime() - start;
        if (seen == 0) {
            throw new IllegalStateException("the dump listed no links");
        }
        Arrays.sort(t);
        System.out.printf("netlink-getlink panama %d %d %d %.0f%n", t[dumps / 2], t[dumps * 99 / 100],
                t[dumps * 999 / 1000], dumps * 1e9 / elapsed);
    }
}
