package io.github.panamasockets;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A multicast group and the interface to join it on: the value of {@code IP_ADD_MEMBERSHIP},
 * {@code IP_DROP_MEMBERSHIP} ({@code struct ip_mreqn}) and {@code IPV6_JOIN_GROUP},
 * {@code IPV6_LEAVE_GROUP} ({@code struct ipv6_mreq}); see ip(7) and ipv6(7).
 *
 * {@snippet :
 * var group = new Membership(java.net.InetAddress.getByName("239.1.2.3"), 1);   // on lo, index 1
 * udp.set(SockOpt.IP_ADD_MEMBERSHIP, group);
 * }
 *
 * @param group the multicast group: 224.0.0.0/4 for IPv4, ff00::/8 for IPv6
 * @param interfaceIndex the interface index; 0 lets the kernel choose by route
 */
public record Membership(InetAddress group, int interfaceIndex) {

    /**
     * Checks the group and the index of a {@code struct ip_mreqn} or {@code struct ipv6_mreq} for
     * setsockopt(2); see ip(7) and ipv6(7).
     *
     * {@snippet :
     * new Membership(java.net.InetAddress.getByName("ff02::1:2"), 0)   // the kernel picks the interface
     * new Membership(java.net.InetAddress.getByName("10.0.0.1"), 0)    // IllegalArgumentException: not multicast
     * }
     *
     * @throws IllegalArgumentException if the group is not a multicast address, or the index is
     *         negative
     * @throws NullPointerException if {@code group} is null
     */
    public Membership {
        Objects.requireNonNull(group, "group");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not a multicast address ("
                    + (group instanceof Inet4Address ? "224.0.0.0/4" : "ff00::/8") + ")");
        }
        if (interfaceIndex < 0) {
            throw new IllegalArgumentException("interface index " + interfaceIndex + " is negative");
        }
    }

    boolean isIpv6() {
        return group instanceof Inet6Address;
    }
}
