package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A route to add with {@link RouteNetlink#addRoute} or delete with {@link RouteNetlink#deleteRoute}:
 * what {@code ip route add PREFIX via GATEWAY dev DEV table T proto P metric M} says; see
 * <a href="https://man7.org/linux/man-pages/man8/ip-route.8.html">ip-route(8)</a> and
 * {@code RTM_NEWROUTE} in rtnetlink(7).
 *
 * <p>Start from {@link #to} and add what the route needs; each step returns a new spec. A route
 * needs a gateway, an output interface, or both. The values are checked as they are given, against
 * the limits of {@code struct rtmsg} and its attributes. As with {@code ip route}, a protocol left
 * at 0 ({@code RTPROT_UNSPEC}) becomes {@code RTPROT_BOOT} when the route is added, and matches any
 * protocol when it is deleted; likewise a priority (metric) of 0 adds the kernel's default and
 * deletes whatever the metric. The record is immutable.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * import java.net.InetAddress;
 * var spec = RtnlRouteSpec.to(InetAddress.getByName("203.0.113.0"), 24)
 *         .via(InetAddress.getByName("198.51.100.2"))
 *         .table(100)
 *         .protocol(4);   // RTPROT_STATIC
 * spec   // ==> RtnlRouteSpec[203.0.113.0/24 via 198.51.100.2 table 100 proto 4]
 * }
 *
 * @param destination the destination prefix's address ({@code RTA_DST}), all zeros for a default
 *        route; its host bits must be zero, which the kernel checks for IPv4
 * @param prefixLength the prefix length ({@code rtm_dst_len}): 0 to 32 for IPv4, 0 to 128 for IPv6
 * @param gateway the next hop ({@code RTA_GATEWAY}), of the destination's family, if any
 * @param outputInterface the output interface index ({@code RTA_OIF}), 0 for none
 * @param table the routing table ({@code RTA_TABLE}), unsigned and not 0: 254 is main, the default
 * @param protocol who installs it ({@code rtm_protocol}), 0 to 255; 0 as described above
 * @param priority the metric ({@code RTA_PRIORITY}), unsigned; 0 as described above
 */
public record RtnlRouteSpec(InetAddress destination, int prefixLength, Optional<InetAddress> gateway,
        int outputInterface, int table, int protocol, int priority) {

    /**
     * Checks every value against its field's limits; see rtnetlink(7).
     *
     * {@snippet :
     * new RtnlRouteSpec(java.net.InetAddress.getByName("192.0.2.0"), 33, java.util.Optional.empty(), 0, 254, 0, 0)
     * // throws IllegalArgumentException: prefix length 33 is out of range 0 to 32 for 192.0.2.0
     * }
     *
     * @throws IllegalArgumentException if the prefix length is beyond the address, the gateway is of
     *         another family, the interface index is negative, the table is 0, or the protocol is
     *         outside 0 to 255
     * @throws NullPointerException if {@code destination} or {@code gateway} is null
     */
    public RtnlRouteSpec {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(gateway, "gateway");
        Rtnl.checkPrefix(destination, prefixLength);
        if (gateway.isPresent() && Rtnl.familyOf(gateway.get()) != Rtnl.familyOf(destination)) {
            throw new IllegalArgumentException("gateway " + Rtnl.text(gateway.get()) + " is " + Family.of(Rtnl.familyOf(gateway.get()))
                    + " but the destination " + Rtnl.text(destination) + " is " + Family.of(Rtnl.familyOf(destination)));
        }
        if (outputInterface < 0) {
            throw new IllegalArgumentException("output interface index " + outputInterface + " is negative; 0 means none");
        }
        if (table == LibC.RT_TABLE_UNSPEC()) {
            throw new IllegalArgumentException("routing table 0 is RT_TABLE_UNSPEC; tables are 1 to 4294967295, main is "
                    + LibC.RT_TABLE_MAIN());
        }
        if (protocol < 0 || protocol > 0xFF) {
            throw new IllegalArgumentException("route protocol " + protocol + " is out of range 0 to 255");
        }
    }

    /**
     * {@return a route to a prefix in the main table}, without gateway or interface yet, as
     * {@code ip route add PREFIX} begins; see ip-route(8)
     *
     * {@snippet :
     * RtnlRouteSpec.to(java.net.InetAddress.getByName("2001:db8:1::"), 48)
     * RtnlRouteSpec.to(java.net.InetAddress.getByName("0.0.0.0"), 0)   // the default route
     * }
     *
     * @param destination the prefix's address
     * @param prefixLength its length: 0 to 32 for IPv4, 0 to 128 for IPv6
     * @throws IllegalArgumentException if the prefix length is out of range
     * @throws NullPointerException if {@code destination} is null
     */
    public static RtnlRouteSpec to(InetAddress destination, int prefixLength) {
        return new RtnlRouteSpec(destination, prefixLength, Optional.empty(), 0, LibC.RT_TABLE_MAIN(), 0, 0);
    }

    /**
     * {@return this route with a gateway}, as {@code via GATEWAY}; see ip-route(8)
     *
     * {@snippet :
     * spec.via(java.net.InetAddress.getByName("198.51.100.2"))
     * }
     *
     * @param gateway the next hop, of the destination's family
     * @throws IllegalArgumentException if the gateway is of another family
     * @throws NullPointerException if {@code gateway} is null
     */
    public RtnlRouteSpec via(InetAddress gateway) {
        return new RtnlRouteSpec(destination, prefixLength, Optional.of(Objects.requireNonNull(gateway, "gateway")),
                outputInterface, table, protocol, priority);
    }

    /**
     * {@return this route through an output interface}, as {@code dev DEV}; see ip-route(8)
     *
     * {@snippet :
     * spec.dev(rt.link("eth0").index())
     * }
     *
     * @param index the interface index, 1 or more
     * @throws IllegalArgumentException if {@code index} is 0 or negative
     */
    public RtnlRouteSpec dev(int index) {
        Rtnl.checkIndex(index);
        return new RtnlRouteSpec(destination, prefixLength, gateway, index, table, protocol, priority);
    }

    /**
     * {@return this route in another table}, as {@code table T}; see ip-route(8)
     *
     * {@snippet :
     * spec.table(100)
     * }
     *
     * @param table the table, unsigned: 1 to 4294967295 (254 is main, 255 local)
     * @throws IllegalArgumentException if {@code table} is 0
     */
    public RtnlRouteSpec table(int table) {
        return new RtnlRouteSpec(destination, prefixLength, gateway, outputInterface, table, protocol, priority);
    }

    /**
     * {@return this route with an installer protocol}, as {@code proto P}; see ip-route(8) and
     * {@code rtm_protocol} in rtnetlink(7)
     *
     * {@snippet :
     * spec.protocol(4)   // RTPROT_STATIC, "proto static"
     * }
     *
     * @param protocol 0 to 255, such as {@code RTPROT_STATIC} (4)
     * @throws IllegalArgumentException if {@code protocol} is outside 0 to 255
     */
    public RtnlRouteSpec protocol(int protocol) {
        return new RtnlRouteSpec(destination, prefixLength, gateway, outputInterface, table, protocol, priority);
    }

    /**
     * {@return this route with a metric}, as {@code metric M}; see ip-route(8)
     *
     * {@snippet :
     * spec.priority(100)
     * }
     *
     * @param priority the metric, unsigned
     */
    public RtnlRouteSpec priority(int priority) {
        return new RtnlRouteSpec(destination, prefixLength, gateway, outputInterface, table, protocol, priority);
    }

    /**
     * {@return the route's family}, the destination's: {@link Family#INET} or {@link Family#INET6};
     * see rtnetlink(7)
     *
     * {@snippet :
     * spec.family()   // ==> AF_INET
     * }
     */
    public Family family() {
        return Family.of(Rtnl.familyOf(destination));
    }

    /**
     * {@return the spec as {@code ip route} writes it}, such as
     * {@code RtnlRouteSpec[203.0.113.0/24 via 198.51.100.2 dev 3 table 100 proto 4 metric 5]}; see
     * ip-route(8)
     *
     * {@snippet :
     * RtnlRouteSpec.to(java.net.InetAddress.getByName("0.0.0.0"), 0).dev(2).toString()
     * // ==> "RtnlRouteSpec[default dev 2]"
     * }
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("RtnlRouteSpec[");
        b.append(prefixLength == 0 ? "default" : Rtnl.text(destination) + "/" + prefixLength);
        gateway.ifPresent(g -> b.append(" via ").append(Rtnl.text(g)));
        if (outputInterface != 0) {
            b.append(" dev ").append(outputInterface);
        }
        if (table != LibC.RT_TABLE_MAIN()) {
            b.append(" table ").append(Integer.toUnsignedString(table));
        }
        if (protocol != 0) {
            b.append(" proto ").append(protocol);
        }
        if (priority != 0) {
            b.append(" metric ").append(Integer.toUnsignedString(priority));
        }
        return b.append(']').toString();
    }
}
