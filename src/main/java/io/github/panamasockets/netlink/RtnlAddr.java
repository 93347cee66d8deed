package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifaddrmsg;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP address assigned to an interface, as rtnetlink describes it in {@code RTM_NEWADDR}: the
 * {@code struct ifaddrmsg} and its {@code IFA_*} attributes; see rtnetlink(7).
 *
 * <p>{@link #address()} is the interface's own address: {@code IFA_LOCAL} where the kernel sends it
 * (IPv4), otherwise {@code IFA_ADDRESS} (IPv6); on a point-to-point link {@code IFA_ADDRESS} is the
 * peer's, which this record leaves out. The record is immutable.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     for (RtnlAddr a : rt.addresses()) {
 *         System.out.println(a);   // RtnlAddr[family=AF_INET, index=1, 127.0.0.1/8, label=lo, ...]
 *     }
 * }
 * }
 *
 * @param family {@code AF_INET} or {@code AF_INET6} ({@code ifa_family})
 * @param index the interface index ({@code ifa_index})
 * @param prefixLength the prefix length ({@code ifa_prefixlen}), 0 to 32 or 128
 * @param address the interface's address ({@code IFA_LOCAL}, else {@code IFA_ADDRESS})
 * @param label the IPv4 label ({@code IFA_LABEL}), such as {@code eth0:1}; empty for IPv6
 * @param scope the scope ({@code ifa_scope}): {@code RT_SCOPE_UNIVERSE} (0) is global,
 *        {@code RT_SCOPE_LINK} (253), {@code RT_SCOPE_HOST} (254)
 * @param flags the {@code IFA_F_*} flags ({@code IFA_FLAGS} where sent, else {@code ifa_flags})
 */
public record RtnlAddr(Family family, int index, int prefixLength, InetAddress address, String label, int scope,
        int flags) {

    /**
     * Checks the fields against each other; see rtnetlink(7).
     *
     * {@snippet :
     * new RtnlAddr(io.github.panamasockets.Family.INET, 1, 8, java.net.InetAddress.getByName("127.0.0.1"), "lo", 254, 0x80)
     * }
     *
     * @throws IllegalArgumentException if the family is not {@code AF_INET} or {@code AF_INET6}, the
     *         address is of the other family, or the prefix length is out of range for it
     * @throws NullPointerException if {@code family}, {@code address} or {@code label} is null
     */
    public RtnlAddr {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(label, "label");
        int len = Rtnl.addressLength(family.value());
        if (len < 0) {
            throw new IllegalArgumentException("address family " + family + " is not AF_INET or AF_INET6");
        }
        if (address.getAddress().length != len) {
            throw new IllegalArgumentException("address " + address.getHostAddress() + " is not of family " + family);
        }
        if (prefixLength < 0 || prefixLength > len * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 0 to " + len * 8
                    + " for " + family);
        }
    }

    /**
     * Decodes an {@code RTM_NEWADDR} or {@code RTM_DELADDR} message of family {@code AF_INET} or
     * {@code AF_INET6}, as an address dump or an event delivers it; see rtnetlink(7).
     *
     * {@snippet :
     * try (var nl = NetlinkSocket.open(io.github.panamasockets.Protocol.NETLINK_ROUTE)) {
     *     byte[] ifaddrmsg = {2, 0, 0, 0, 0, 0, 0, 0};    // AF_INET
     *     var replies = nl.execute(NetlinkMessage.request(22, NetlinkFlags.DUMP, ifaddrmsg));   // RTM_GETADDR
     *     RtnlAddr.from(replies.get(0))   // ==> RtnlAddr[family=AF_INET, index=1, 127.0.0.1/8, ...]
     * }
     * }
     *
     * @param message the message
     * @return the address
     * @throws NetlinkMalformedException if the message is of another type or family, shorter than
     *         {@code struct ifaddrmsg}, has an attribute of the wrong size, or has no address
     * @throws NullPointerException if {@code message} is null
     */
    public static RtnlAddr from(NetlinkMessage message) throws NetlinkMalformedException {
        int t = message.type();
        if (t != LibC.RTM_NEWADDR() && t != LibC.RTM_DELADDR()) {
            throw new NetlinkMalformedException("message type " + t + " is not RTM_NEWADDR (" + LibC.RTM_NEWADDR()
                    + ") or RTM_DELADDR (" + LibC.RTM_DELADDR() + ")");
        }
        message.requirePayload(ifaddrmsg.sizeof(), "struct ifaddrmsg");
        byte[] p = message.raw();
        int fam = Wire.u8(p, (int) ifaddrmsg.ifa_family$offset());
        Family family = Rtnl.ipFamily(fam, "address message");
        int prefix = Wire.u8(p, (int) ifaddrmsg.ifa_prefixlen$offset());
        int flags = Wire.u8(p, (int) ifaddrmsg.ifa_flags$offset());
        int scope = Wire.u8(p, (int) ifaddrmsg.ifa_scope$offset());
        int index = Wire.u32(p, (int) ifaddrmsg.ifa_index$offset());
        if (prefix > Rtnl.addressLength(fam) * 8) {
            throw new NetlinkMalformedException("ifa_prefixlen " + prefix + " is more than the " + Rtnl.addressLength(fam) * 8
                    + " bits of an " + family + " address");
        }
        InetAddress local = null;
        InetAddress address = null;
        String label = "";
        AttributeDecoder d = message.attributes((int) ifaddrmsg.sizeof());
        while (d.next()) {
            int a = d.type();
            if (a == LibC.IFA_LOCAL()) {
                local = Rtnl.address(d.bytes(), fam, "IFA_LOCAL");
            } else if (a == LibC.IFA_ADDRESS()) {
                address = Rtnl.address(d.bytes(), fam, "IFA_ADDRESS");
            } else if (a == LibC.IFA_LABEL()) {
                label = d.string();
            } else if (a == LibC.IFA_FLAGS()) {
                flags = d.u32();
            }
        }
        InetAddress own = local != null ? local : address;
        if (own == null) {
            throw new NetlinkMalformedException("address message for interface " + index + " has neither IFA_LOCAL nor IFA_ADDRESS");
        }
        return new RtnlAddr(family, index, prefix, own, label, scope, flags);
    }

    /**
     * {@return the address and prefix length}, such as {@code 127.0.0.1/8} or {@code ::1/128}; see
     * rtnetlink(7)
     *
     * {@snippet :
     * rt.addresses().get(0).cidr()   // ==> "127.0.0.1/8"
     * }
     */
    public String cidr() {
        return Rtnl.text(address) + "/" + prefixLength;
    }

    /**
     * {@return the fields, with the address in CIDR form and the scope's name}; see rtnetlink(7)
     *
     * {@snippet :
     * rt.addresses().get(0).toString()
     * // ==> "RtnlAddr[family=AF_INET, index=1, 127.0.0.1/8, label=lo, scope=RT_SCOPE_HOST, flags=0x80]"
     * }
     */
    @Override
    public String toString() {
        return "RtnlAddr[family=" + family + ", index=" + index + ", " + cidr() + ", label=" + label + ", scope="
                + Rtnl.scopeName(scope) + ", flags=0x" + Integer.toHexString(flags) + "]";
    }
}
