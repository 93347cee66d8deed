package bench;

import io.github.panamasockets.netlink.RouteNetlink;
import io.github.panamasockets.netlink.RtnlLink;

import java.util.List;

/**
 * An RTM_GETLINK dump through {@link RouteNetlink#links()}, repeated over one socket: the Java side
 * of bench/c/netlink_dump.c. Prints: netlink-getlink panama p50_ns p99_ns p999_ns dumps_per_s
 * dumps_timed, after a warm-up of as many dumps as it times or 1 s, as the ping-pong drivers
 * have, so that the JIT, which shares the one pinned CPU, is done compiling (see {@link Rounds}).
 *
 * <pre>
 *   java bench.NetlinkDump DUMPS
 * </pre>
 */
public final class NetlinkDump {
    private NetlinkDump() {}

    public static void main(String[] args) throws Exception {
        int dumps = Integer.parseInt(args[0]);
        try (RouteNetlink rtnl = RouteNetlink.open()) {
            if (rtnl.links().isEmpty()) {
                throw new IllegalStateException("the dump listed no links");
            }
            Rounds.measure("netlink-getlink", "panama", dumps, dumps, () -> {
                List<RtnlLink> links = rtnl.links();
                if (links.isEmpty()) {
                    throw new IllegalStateException("the dump listed no links");
                }
            });
        }
    }
}
