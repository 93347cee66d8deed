package io.github.panamasockets.netlink;

import io.github.panamasockets.SockClosedException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A netlink socket subscribed to rtnetlink multicast groups, delivering their messages as typed
 * {@link RtnlEvent}s; see rtnetlink(7) and netlink(7). {@link RouteNetlink#subscribe} opens one.
 *
 * <p>If events arrive faster than they are read, the kernel drops some and {@link #receive()}
 * throws {@link NetlinkEventsLostException}: the subscription still works, but the caller should
 * dump the current state again. Thread-safety is that of {@link NetlinkSocket}.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var events = RouteNetlink.subscribe(RtnlGroup.LINK)) {
 *     List<RtnlEvent> batch = events.receive();   // waits for a link to change
 * }
 * }
 */
public final class RtnlSubscription implements AutoCloseable {
    private final NetlinkSocket socket;

    RtnlSubscription(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    /**
     * Waits for the next datagram of events and returns them decoded;
     * <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a>, see
     * rtnetlink(7).
     *
     * {@snippet :
     * for (RtnlEvent e : events.receive()) {
     *     System.out.println(e);
     * }
     * }
     *
     * @return the events, in order; usually one
     * @throws NetlinkEventsLostException if the receive queue overflowed and events were lost:
     *         read the state again
     * @throws NetlinkMalformedException if an event message is malformed
     * @throws NetlinkTruncatedException if the datagram did not fit the buffer
     * @throws SockClosedException if the subscription is closed, before or during the call
     * @throws IOException if receiving fails otherwise
     */
    public List<RtnlEvent> receive() throws IOException {
        List<RtnlEvent> out = new ArrayList<>();
        for (NetlinkMessage m : socket.receive()) {
            out.add(RtnlEvent.from(m));
        }
        return out;
    }

    /**
     * Joins one more group; see {@link NetlinkSocket#joinGroup} and {@code NETLINK_ADD_MEMBERSHIP}
     * in netlink(7).
     *
     * {@snippet :
     * events.join(RtnlGroup.IPV6_IFADDR);
     * }
     *
     * @param group the group
     * @throws java.net.SocketException if the kernel refuses
     * @throws SockClosedException if the subscription is closed
     * @throws NullPointerException if {@code group} is null
     */
    public void join(RtnlGroup group) throws IOException {
        socket.joinGroup(group.value());
    }

    /**
     * Leaves a group; see {@link NetlinkSocket#leaveGroup} and {@code NETLINK_DROP_MEMBERSHIP} in
     * netlink(7).
     *
     * {@snippet :
     * events.leave(RtnlGroup.LINK);
     * }
     *
     * @param group the group
     * @throws java.net.SocketException if the kernel refuses
     * @throws SockClosedException if the subscription is closed
     * @throws NullPointerException if {@code group} is null
     */
    public void leave(RtnlGroup group) throws IOException {
        socket.leaveGroup(group.value());
    }

    /**
     * {@return the netlink socket underneath}, for its port id, its groups or socket options; see
     * netlink(7)
     *
     * {@snippet :
     * events.socket().groups()   // ==> [1]
     * }
     */
    public NetlinkSocket socket() {
        return socket;
    }

    /**
     * Closes the socket; a receive blocked in another thread wakes with a
     * {@link SockClosedException}. See <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>.
     *
     * {@snippet :
     * events.close();
     * }
     */
    @Override
    public void close() {
        socket.close();
    }

    /**
     * {@return a description with the socket}; see netlink(7)
     *
     * {@snippet :
     * events.toString()   // ==> "RtnlSubscription[NetlinkSocket[NETLINK_ROUTE, pid 4242]]"
     * }
     */
    @Override
    public String toString() {
        return "RtnlSubscription[" + socket + "]";
    }
}
