package io.github.panamasockets.netlink;

import java.io.Serial;
import java.util.List;

/**
 * Thrown when a dump's replies carry {@code NLM_F_DUMP_INTR}: the kernel's table changed while it
 * was being dumped, so the listing may have missed or repeated entries. The dump was read to its
 * end, so the socket is ready for the next request; repeat the dump to get a consistent listing.
 * See netlink(7).
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     List<RtnlLink> links;
 *     while (true) {
 *         try {
 *             links = rt.links();
 *             break;
 *         } catch (NetlinkDumpInterruptedException e) {
 *             // the table changed during the dump: ask again
 *         }
 *     }
 * }
 * }
 */
public final class NetlinkDumpInterruptedException extends NetlinkException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Not serialized: the message keeps the count. */
    private final transient List<NetlinkMessage> partial;

    /**
     * Creates the exception; see {@code NLM_F_DUMP_INTR} in netlink(7).
     *
     * {@snippet :
     * throw new NetlinkDumpInterruptedException(java.util.List.of());
     * }
     *
     * @param partial the messages the interrupted dump returned; copied
     * @throws NullPointerException if {@code partial} or an element is null
     */
    public NetlinkDumpInterruptedException(List<NetlinkMessage> partial) {
        super("dump interrupted (NLM_F_DUMP_INTR): the kernel's table changed during the dump, so its "
                + partial.size() + " messages may be inconsistent; repeat the dump");
        this.partial = List.copyOf(partial);
    }

    /**
     * For a dump decoded as it was read, as {@link RouteNetlink}'s listings are: its
     * {@code count} messages were not kept, so {@link #partial()} is empty.
     */
    NetlinkDumpInterruptedException(int count) {
        super("dump interrupted (NLM_F_DUMP_INTR): the kernel's table changed during the dump, so its "
                + count + " messages may be inconsistent; repeat the dump");
        this.partial = List.of();
    }

    /**
     * {@return the messages the interrupted dump returned}, possibly inconsistent; empty after
     * deserialization, and from the listings of {@link RouteNetlink}, which decode each message as
     * it arrives and keep none. See netlink(7).
     *
     * {@snippet :
     * new NetlinkDumpInterruptedException(java.util.List.of()).partial()   // ==> []
     * }
     */
    public List<NetlinkMessage> partial() {
        return partial == null ? List.of() : partial;
    }
}
