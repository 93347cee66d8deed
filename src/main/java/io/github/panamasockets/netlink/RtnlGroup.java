package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;

/**
 * An rtnetlink multicast group ({@code RTNLGRP_*}), which delivers events about links, addresses or
 * routes to the sockets that join it; see rtnetlink(7) and netlink(7).
 *
 * <p>The named constants print their C names; any other group number, including those beyond 32,
 * can be wrapped with {@link #of(int)}.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * RtnlGroup.LINK            // ==> RTNLGRP_LINK
 * RtnlGroup.LINK.value()    // ==> 1
 * RtnlGroup.of(33)          // ==> 33
 * }
 *
 * @param value the group number, 1 or more
 */
public record RtnlGroup(int value) {

    /** {@code RTNLGRP_LINK}: links appear, change and go. */
    public static final RtnlGroup LINK = new RtnlGroup(LibC.RTNLGRP_LINK());
    /** {@code RTNLGRP_IPV4_IFADDR}: IPv4 addresses are added and removed. */
    public static final RtnlGroup IPV4_IFADDR = new RtnlGroup(LibC.RTNLGRP_IPV4_IFADDR());
    /** {@code RTNLGRP_IPV6_IFADDR}: IPv6 addresses are added and removed. */
    public static final RtnlGroup IPV6_IFADDR = new RtnlGroup(LibC.RTNLGRP_IPV6_IFADDR());
    /** {@code RTNLGRP_IPV4_ROUTE}: IPv4 routes are added and removed. */
    public static final RtnlGroup IPV4_ROUTE = new RtnlGroup(LibC.RTNLGRP_IPV4_ROUTE());
    /** {@code RTNLGRP_IPV6_ROUTE}: IPv6 routes are added and removed. */
    public static final RtnlGroup IPV6_ROUTE = new RtnlGroup(LibC.RTNLGRP_IPV6_ROUTE());

    private static final RtnlGroup[] NAMED = {LINK, IPV4_IFADDR, IPV6_IFADDR, IPV4_ROUTE, IPV6_ROUTE};
    private static final String[] NAMES = {"RTNLGRP_LINK", "RTNLGRP_IPV4_IFADDR", "RTNLGRP_IPV6_IFADDR",
        "RTNLGRP_IPV4_ROUTE", "RTNLGRP_IPV6_ROUTE"};

    /**
     * Checks the number; see {@code NETLINK_ADD_MEMBERSHIP} in netlink(7).
     *
     * {@snippet :
     * new RtnlGroup(33)   // RTNLGRP_BRVLAN, beyond 32
     * }
     *
     * @throws IllegalArgumentException if {@code value} is 0 or negative
     */
    public RtnlGroup {
        if (value <= 0) {
            throw new IllegalArgumentException("multicast group " + value + " is not a group: they are numbered from 1");
        }
    }

    /**
     * {@return the group with this number}; see rtnetlink(7)
     *
     * {@snippet :
     * RtnlGroup.of(1)   // ==> RTNLGRP_LINK
     * }
     *
     * @param value the group number, 1 or more
     * @throws IllegalArgumentException if {@code value} is 0 or negative
     */
    public static RtnlGroup of(int value) {
        return new RtnlGroup(value);
    }

    /**
     * {@return the C name}, such as {@code RTNLGRP_LINK}, or the number; see rtnetlink(7)
     *
     * {@snippet :
     * RtnlGroup.IPV6_IFADDR.toString()   // ==> "RTNLGRP_IPV6_IFADDR"
     * }
     */
    @Override
    public String toString() {
        for (int i = 0; i < NAMED.length; i++) {
            if (NAMED[i].value == value) {
                return NAMES[i];
            }
        }
        return Integer.toString(value);
    }
}
