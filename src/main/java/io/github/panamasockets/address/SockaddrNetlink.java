package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import java.net.SocketAddress;

/**
 * An {@code AF_NETLINK} address ({@code struct sockaddr_nl}): a port id and a multicast group
 * mask; see netlink(7).
 *
 * <p>The port id ({@code nl_pid}) names a netlink socket: 0 is the kernel, and binding with 0 lets
 * the kernel assign a unique id. The group mask ({@code nl_groups}) subscribes to groups 1 to 32;
 * later groups are joined with the {@code NETLINK_ADD_MEMBERSHIP} option. Both are unsigned 32-bit
 * values held in an {@code int}.
 *
 * {@snippet :
 * import io.github.panamasockets.address.*;
 * SockaddrNetlink.kernel()               // ==> netlink:0/0
 * new SockaddrNetlink(0, 1).groups()     // ==> 1, RTNLGRP_LINK's bit
 * }
 *
 * @param pid the port id, unsigned; 0 is the kernel, or "assign one" when binding
 * @param groups the multicast group bit mask, unsigned
 */
public record SockaddrNetlink(int pid, int groups) implements Sockaddr {

    /**
     * {@return the kernel's address, port id 0 and no groups}: where requests are sent
     *
     * {@snippet :
     * SockaddrNetlink.kernel()   // ==> netlink:0/0
     * }
     */
    public static SockaddrNetlink kernel() {
        return new SockaddrNetlink(0, 0);
    }

    /** {@return {@link Family#NETLINK}} */
    @Override
    public Family family() {
        return Family.NETLINK;
    }

    /** {@return 12, {@code sizeof(struct sockaddr_nl)}} */
    @Override
    public int encodedLength() {
        return Codec.NL_SIZE;
    }

    /**
     * {@inheritDoc}
     *
     * @throws UnsupportedOperationException always: {@code java.net} has no netlink addresses
     */
    @Override
    public SocketAddress toSocketAddress() {
        throw new UnsupportedOperationException("java.net has no netlink addresses: " + this);
    }

    /** {@return the text form, {@code netlink:pid/groups}, both unsigned decimal} */
    @Override
    public String toString() {
        return "netlink:" + Integer.toUnsignedString(pid) + "/" + Integer.toUnsignedString(groups);
    }
}
