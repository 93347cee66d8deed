package io.github.panamasockets.netlink;

import java.io.Serial;

/**
 * Thrown when a receive reports {@code ENOBUFS}: the socket's receive queue overflowed and the
 * kernel dropped messages, typically multicast events that arrived faster than they were read.
 * The socket still works, but what the caller knows is stale: dump the state again (resync), then
 * keep reading events. See netlink(7), "ENOBUFS".
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var events = RouteNetlink.subscribe(RtnlGroup.LINK)) {
 *     while (true) {
 *         try {
 *             for (RtnlEvent e : events.receive()) {
 *                 System.out.println(e);
 *             }
 *         } catch (NetlinkEventsLostException lost) {
 *             // events were dropped: list the links again, then go on
 *         }
 *     }
 * }
 * }
 */
public final class NetlinkEventsLostException extends NetlinkException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; see {@code ENOBUFS} in netlink(7).
     *
     * {@snippet :
     * new NetlinkEventsLostException("recv: ENOBUFS")
     * }
     *
     * @param detail the call that reported the loss
     */
    public NetlinkEventsLostException(String detail) {
        super("events were lost, resync: the receive queue overflowed (" + detail
                + "); read the current state again");
    }
}
