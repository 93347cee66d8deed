package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.rtmsg;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A route, as rtnetlink describes it in {@code RTM_NEWROUTE}: the {@code struct rtmsg} and its
 * {@code RTA_*} attributes; see rtnetlink(7).
 *
 * <p>A default route has the all-zero destination and a destination length of 0. Multipath routes
 * ({@code RTA_MULTIPATH}) are listed with their first-level fields only: no gateway, no output
 * interface. The record is immutable.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     for (RtnlRoute r : rt.routes(io.github.panamasockets.Family.INET)) {
 *         if (r.table() == 254) {             // RT_TABLE_MAIN, what `ip route` shows
 *             System.out.println(r);
 *         }
 *     }
 * }
 * }
 *
 * @param family {@code AF_INET} or {@code AF_INET6} ({@code rtm_family})
 * @param table the routing table ({@code RTA_TABLE}, else {@code rtm_table}): 254 is main, 255 local
 * @param destination the destination prefix ({@code RTA_DST}); all zeros for a default route
 * @param destinationLength the prefix length ({@code rtm_dst_len})
 * @param gateway the next hop ({@code RTA_GATEWAY}), if the route has one
 * @param outputInterface the output interface index ({@code RTA_OIF}), 0 if none
 * @param protocol who installed it ({@code rtm_protocol}): {@code RTPROT_KERNEL} (2),
 *        {@code RTPROT_BOOT} (3), {@code RTPROT_STATIC} (4), or a daemon's number
 * @param scope the scope ({@code rtm_scope}): {@code RT_SCOPE_UNIVERSE} (0), {@code RT_SCOPE_LINK}
 *        (253), {@code RT_SCOPE_HOST} (254)
 * @param type the route type ({@code rtm_type}): {@code RTN_UNICAST} (1), {@code RTN_LOCAL} (2), ...
 * @param priority the metric ({@code RTA_PRIORITY}), 0 if none
 * @param preferredSource the preferred source address ({@code RTA_PREFSRC}), if set
 */
public record RtnlRoute(Family family, int table, InetAddress destination, int destinationLength,
        Optional<InetAddress> gateway, int outputInterface, int protocol, int scope, int type, int priority,
        Optional<InetAddress> preferredSource) {

    /**
     * Checks for nulls; see rtnetlink(7).
     *
     * {@snippet :
     * new RtnlRoute(io.github.panamasockets.Family.INET, 254, java.net.InetAddress.getByName("0.0.0.0"), 0,
     *         java.util.Optional.of(java.net.InetAddress.getByName("192.0.2.1")), 2, 3, 0, 1, 0, java.util.Optional.empty())
     * }
     *
     * @throws NullPointerException if an object field is null
     */
    public RtnlRoute {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(preferredSource, "preferredSource");
    }

    /**
     * Decodes an {@code RTM_NEWROUTE} or {@code RTM_DELROUTE} message of family {@code AF_INET} or
     * {@code AF_INET6}, as a route dump or an event delivers it; see rtnetlink(7).
     *
     * {@snippet :
     * try (var nl = NetlinkSocket.open(io.github.panamasockets.Protocol.NETLINK_ROUTE)) {
     *     byte[] rtmsg = new byte[12];
     *     rtmsg[0] = 2;   // AF_INET
     *     var replies = nl.execute(NetlinkMessage.request(26, NetlinkFlags.DUMP, rtmsg));   // RTM_GETROUTE
     *     RtnlRoute.from(replies.get(0))
     * }
     * }
     *
     * @param message the message
     * @return the route
     * @throws NetlinkMalformedException if the message is of another type or family, shorter than
     *         {@code struct rtmsg}, or has an attribute of the wrong size
     * @throws NullPointerException if {@code message} is null
     */
    public static RtnlRoute from(NetlinkMessage message) throws NetlinkMalformedException {
        int t = message.type();
        if (t != LibC.RTM_NEWROUTE() && t != LibC.RTM_DELROUTE()) {
            throw new NetlinkMalformedException("message type " + t + " is not RTM_NEWROUTE (" + LibC.RTM_NEWROUTE()
                    + ") or RTM_DELROUTE (" + LibC.RTM_DELROUTE() + ")");
        }
        message.requirePayload(rtmsg.sizeof(), "struct rtmsg");
        byte[] p = message.raw();
        int fam = Wire.u8(p, (int) rtmsg.rtm_family$offset());
        Family family = Rtnl.ipFamily(fam, "route message");
        int dstLen = Wire.u8(p, (int) rtmsg.rtm_dst_len$offset());
        if (dstLen > Rtnl.addressLength(fam) * 8) {
            throw new NetlinkMalformedException("rtm_dst_len " + dstLen + " is more than the " + Rtnl.addressLength(fam) * 8
                    + " bits of an " + family + " address");
        }
        int table = Wire.u8(p, (int) rtmsg.rtm_table$offset());
        int protocol = Wire.u8(p, (int) rtmsg.rtm_protocol$offset());
        int scope = Wire.u8(p, (int) rtmsg.rtm_scope$offset());
        int type = Wire.u8(p, (int) rtmsg.rtm_type$offset());
        InetAddress dst = Rtnl.any(fam);
        InetAddress gateway = null;
        InetAddress prefsrc = null;
        int oif = 0;
        int priority = 0;
        AttributeDecoder d = message.attributes((int) rtmsg.sizeof());
        while (d.next()) {
            int a = d.type();
            if (a == LibC.RTA_DST()) {
                dst = Rtnl.address(d.bytes(), fam, "RTA_DST");
            } else if (a == LibC.RTA_GATEWAY()) {
                gateway = Rtnl.address(d.bytes(), fam, "RTA_GATEWAY");
            } else if (a == LibC.RTA_PREFSRC()) {
                prefsrc = Rtnl.address(d.bytes(), fam, "RTA_PREFSRC");
            } else if (a == LibC.RTA_OIF()) {
                oif = d.u32();
            } else if (a == LibC.RTA_PRIORITY()) {
                priority = d.u32();
            } else if (a == LibC.RTA_TABLE()) {
                table = d.u32();
            }
        }
        return new RtnlRoute(family, table, dst, dstLen, Optional.ofNullable(gateway), oif, protocol, scope, type,
                priority, Optional.ofNullable(prefsrc));
    }

    /**
     * {@return whether this is a default route}: destination length 0; see rtnetlink(7)
     *
     * {@snippet :
     * route.isDefault()   // ==> true for "default via 192.0.2.1"
     * }
     */
    public boolean isDefault() {
        return destinationLength == 0;
    }

    /**
     * {@return the destination as {@code ip route} prints it}: {@code default}, a prefix such as
     * {@code 192.0.2.0/24}, or a host address without {@code /32} or {@code /128}; see rtnetlink(7)
     *
     * {@snippet :
     * route.destinationText()   // ==> "192.0.2.0/24"
     * }
     */
    public String destinationText() {
        if (destinationLength == 0) {
            return "default";
        }
        String a = Rtnl.text(destination);
        return destinationLength == destination.getAddress().length * 8 ? a : a + "/" + destinationLength;
    }

    /**
     * {@return the fields, with the destination as {@code ip route} prints it}; see rtnetlink(7)
     *
     * {@snippet :
     * route.toString()
     * // ==> "RtnlRoute[family=AF_INET, table=254, default, gateway=192.0.2.1, oif=4, protocol=3, scope=RT_SCOPE_UNIVERSE, type=1, priority=0]"
     * }
     */
    @Override
    public String toString() {
        return "RtnlRoute[family=" + family + ", table=" + Integer.toUnsignedString(table) + ", " + destinationText()
                + gateway.map(g -> ", gateway=" + Rtnl.text(g)).orElse("") + ", oif=" + outputInterface
                + ", protocol=" + protocol + ", scope=" + Rtnl.scopeName(scope) + ", type=" + type + ", priority="
                + Integer.toUnsignedString(priority) + preferredSource.map(s -> ", prefsrc=" + Rtnl.text(s)).orElse("")
                + "]";
    }
}
