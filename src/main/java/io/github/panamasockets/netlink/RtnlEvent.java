package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;

import java.util.Objects;

/**
 * A change the kernel announces to an rtnetlink multicast group: a link, address or route that
 * appeared, changed or went away; see rtnetlink(7). {@link RtnlSubscription#receive()} delivers
 * them. A switch over the four records is exhaustive.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var events = RouteNetlink.subscribe(RtnlGroup.LINK, RtnlGroup.IPV4_IFADDR)) {
 *     for (RtnlEvent e : events.receive()) {
 *         switch (e) {
 *             case RtnlEvent.Link l -> System.out.println((l.removed() ? "gone: " : "link: ") + l.link().name());
 *             case RtnlEvent.Addr a -> System.out.println((a.removed() ? "removed " : "added ") + a.address().cidr());
 *             case RtnlEvent.Route r -> System.out.println(r.route());
 *             case RtnlEvent.Other o -> { }
 *         }
 *     }
 * }
 * }
 */
public sealed interface RtnlEvent {

    /**
     * Decodes an event message: {@code RTM_NEWLINK}/{@code RTM_DELLINK},
     * {@code RTM_NEWADDR}/{@code RTM_DELADDR} and {@code RTM_NEWROUTE}/{@code RTM_DELROUTE} of
     * the IP families become typed events, anything else {@link Other}; see rtnetlink(7).
     *
     * {@snippet :
     * RtnlEvent.from(message)   // ==> Link[removed=false, link=RtnlLink[index=5, name=psk0, ...]]
     * }
     *
     * @param message the message
     * @return the event
     * @throws NetlinkMalformedException if a link, address or route message is malformed
     * @throws NullPointerException if {@code message} is null
     */
    static RtnlEvent from(NetlinkMessage message) throws NetlinkMalformedException {
        int t = message.type();
        byte[] p = message.raw();
        if (t == LibC.RTM_NEWLINK() || t == LibC.RTM_DELLINK()) {
            return new Link(t == LibC.RTM_DELLINK(), RtnlLink.from(message));
        }
        boolean ip = p.length > 0 && Rtnl.addressLength(p[0] & 0xFF) > 0;   // the family is the first byte of both
        if ((t == LibC.RTM_NEWADDR() || t == LibC.RTM_DELADDR()) && ip) {
            return new Addr(t == LibC.RTM_DELADDR(), RtnlAddr.from(message));
        }
        if ((t == LibC.RTM_NEWROUTE() || t == LibC.RTM_DELROUTE()) && ip) {
            return new Route(t == LibC.RTM_DELROUTE(), RtnlRoute.from(message));
        }
        return new Other(message);
    }

    /**
     * A link appeared or changed ({@code RTM_NEWLINK}), or went away ({@code RTM_DELLINK}); see
     * rtnetlink(7).
     *
     * {@snippet :
     * new RtnlEvent.Link(false, rt.link("lo")).removed()   // ==> false
     * }
     *
     * @param removed true for {@code RTM_DELLINK}
     * @param link the link
     */
    record Link(boolean removed, RtnlLink link) implements RtnlEvent {
        /**
         * Checks for null; see rtnetlink(7).
         *
         * {@snippet :
         * new RtnlEvent.Link(true, rt.link("lo"))
         * }
         *
         * @throws NullPointerException if {@code link} is null
         */
        public Link {
            Objects.requireNonNull(link, "link");
        }
    }

    /**
     * An address was added ({@code RTM_NEWADDR}) or removed ({@code RTM_DELADDR}); see
     * rtnetlink(7).
     *
     * {@snippet :
     * new RtnlEvent.Addr(true, rt.addresses().get(0)).removed()   // ==> true
     * }
     *
     * @param removed true for {@code RTM_DELADDR}
     * @param address the address
     */
    record Addr(boolean removed, RtnlAddr address) implements RtnlEvent {
        /**
         * Checks for null; see rtnetlink(7).
         *
         * {@snippet :
         * new RtnlEvent.Addr(false, rt.addresses().get(0))
         * }
         *
         * @throws NullPointerException if {@code address} is null
         */
        public Addr {
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * A route was added ({@code RTM_NEWROUTE}) or removed ({@code RTM_DELROUTE}); see rtnetlink(7).
     *
     * {@snippet :
     * new RtnlEvent.Route(false, rt.routes().get(0)).route()
     * }
     *
     * @param removed true for {@code RTM_DELROUTE}
     * @param route the route
     */
    record Route(boolean removed, RtnlRoute route) implements RtnlEvent {
        /**
         * Checks for null; see rtnetlink(7).
         *
         * {@snippet :
         * new RtnlEvent.Route(false, rt.routes().get(0))
         * }
         *
         * @throws NullPointerException if {@code route} is null
         */
        public Route {
            Objects.requireNonNull(route, "route");
        }
    }

    /**
     * Any other message the groups delivered, kept whole; see rtnetlink(7).
     *
     * {@snippet :
     * new RtnlEvent.Other(NetlinkMessage.of(100, 0, new byte[0])).message().type()   // ==> 100
     * }
     *
     * @param message the message
     */
    record Other(NetlinkMessage message) implements RtnlEvent {
        /**
         * Checks for null; see rtnetlink(7).
         *
         * {@snippet :
         * new RtnlEvent.Other(NetlinkMessage.of(100, 0, new byte[0]))
         * }
         *
         * @throws NullPointerException if {@code message} is null
         */
        public Other {
            Objects.requireNonNull(message, "message");
        }
    }
}
