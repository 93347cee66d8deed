package bench;

import io.github.panamasockets.netlink.RouteNetlink;
import io.github.panamasockets.netlink.RtnlLink;

import java.util.List;

/**
 * An RTM_GETLINK dump through {@link RouteNetlink#links()}, repeated over one socket: the Java side
 * of bench/c/netlink_dump.c. Prints: netlink-getlink panama p50_ns p99_ns p999_ns dumps_per_s
 * dumps_timed, after 2.5 s of warm-up, so that the JIT, which shares the one pinned CPU, is done
 * compiling (see {@link Rounds}).
 *
 * <pre>
 *   java bench.NetlinkDump DUMPS
 * </pre>
 */
public final class NetlinkDump {
    private NetlinkDump() {}

    private static final long NETLINK_WARMUP_NANOS = 2_500_000_000L;

    public static void main(String[] args) throws Exception {
        int dumps = Integer.parseInt(args[0]);
        try (RouteNetlink rtnl = RouteNetlink.open()) {
            if (rtnl.links().isEmpty()) {
                throw new IllegalStateException("the dump listed no links");
            }
            // Warms up for 2.5 s, whatever the count: the dump's decoding has more code for the JIT
            // to compile on the one CPU, and after 1 s C2 was still at it (p99.9 in milliseconds).
            Rounds.measure("netlink-getlink", "panama", dumps, Integer.MAX_VALUE, NETLINK_WARMUP_NANOS, () -> {
                List<RtnlLink> links = rtnl.links();
                if (links.isEmpty()) {
                    throw new IllegalStateException("the dump listed no links");
                }
            });
        }
    }
}
