package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;

/**
 * A protocol number, the third argument of
 * <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>: an
 * {@code IPPROTO_*} value for {@code AF_INET} and {@code AF_INET6}, a {@code NETLINK_*} value for
 * {@code AF_NETLINK}.
 *
 * <p>Numbers mean different things in different families ({@code NETLINK_ROUTE} and
 * {@code IPPROTO_IP} are both 0), so a protocol carries the name it was made with, and two
 * protocols are equal when their numbers are. {@link #DEFAULT} (0) lets the kernel choose.
 *
 * {@snippet :
 * Protocol.TCP                 // ==> IPPROTO_TCP
 * Protocol.NETLINK_ROUTE       // ==> NETLINK_ROUTE
 * Protocol.of(17)              // ==> 17
 * }
 *
 * @param value the protocol number
 * @param cName the C name it prints as
 */
public record Protocol(int value, String cName) {

    /** 0: the family's default protocol for the type. */
    public static final Protocol DEFAULT = new Protocol(0, "0");
    /** {@code IPPROTO_TCP}. */
    public static final Protocol TCP = new Protocol(LibC.IPPROTO_TCP(), "IPPROTO_TCP");
    /** {@code IPPROTO_UDP}. */
    public static final Protocol UDP = new Protocol(LibC.IPPROTO_UDP(), "IPPROTO_UDP");
    /** {@code IPPROTO_ICMP}: ICMP for IPv4, with {@link SockType#RAW} (root) or {@link SockType#DGRAM} (ping sockets). */
    public static final Protocol ICMP = new Protocol(LibC.IPPROTO_ICMP(), "IPPROTO_ICMP");
    /** {@code IPPROTO_ICMPV6}. */
    public static final Protocol ICMPV6 = new Protocol(LibC.IPPROTO_ICMPV6(), "IPPROTO_ICMPV6");
    /** {@code IPPROTO_RAW}: send IP packets with your own header. */
    public static final Protocol RAW = new Protocol(LibC.IPPROTO_RAW(), "IPPROTO_RAW");
    /** {@code NETLINK_ROUTE}: links, addresses, routes (rtnetlink(7)). */
    public static final Protocol NETLINK_ROUTE = new Protocol(LibC.NETLINK_ROUTE(), "NETLINK_ROUTE");
    /** {@code NETLINK_SOCK_DIAG}: socket listings, as ss(8) uses (sock_diag(7)). */
    public static final Protocol NETLINK_SOCK_DIAG = new Protocol(LibC.NETLINK_SOCK_DIAG(), "NETLINK_SOCK_DIAG");
    /** {@code NETLINK_GENERIC}: generic netlink families. */
    public static final Protocol NETLINK_GENERIC = new Protocol(LibC.NETLINK_GENERIC(), "NETLINK_GENERIC");

    private static final Protocol[] IP = {TCP, UDP, ICMP, ICMPV6, RAW};
    private static final Protocol[] NETLINK = {NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_GENERIC};

    /**
     * Checks the value.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     * @throws NullPointerException if {@code cName} is null
     */
    public Protocol {
        if (value < 0) {
            throw new IllegalArgumentException("protocol " + value + " is negative");
        }
        java.util.Objects.requireNonNull(cName, "cName");
    }

    /**
     * {@return a protocol with this number}, printed as the number
     *
     * @param value the protocol number, 0 or more
     * @throws IllegalArgumentException if it is negative
     */
    public static Protocol of(int value) {
        return value == 0 ? DEFAULT : new Protocol(value, Integer.toString(value));
    }

    /**
     * {@return the protocol with this number in a family}, with the family's C name where it has
     * one, as read back from {@code SO_PROTOCOL}
     *
     * {@snippet :
     * Protocol.of(Family.INET, 6)   // ==> IPPROTO_TCP
     * }
     *
     * @param family the socket's family
     * @param value the protocol number
     * @throws IllegalArgumentException if it is negative
     */
    public static Protocol of(Family family, int value) {
        Protocol[] named = family.equals(Family.NETLINK) ? NETLINK
                : family.equals(Family.INET) || family.equals(Family.INET6) ? IP : new Protocol[0];
        for (Protocol p : named) {
            if (p.value == value) {
                return p;
            }
        }
        return of(value);
    }

    /**
     * {@return whether {@code o} is a protocol with the same number}
     *
     * @param o the object to compare with
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Protocol p && p.value == value;
    }

    /** {@return the number} */
    @Override
    public int hashCode() {
        return value;
    }

    /** {@return the C name} */
    @Override
    public String toString() {
        return cName;
    }
}
