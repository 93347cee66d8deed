package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifinfomsg;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A network interface as rtnetlink describes it in {@code RTM_NEWLINK}: the
 * {@code struct ifinfomsg} and its {@code IFLA_*} attributes; see rtnetlink(7).
 *
 * <p>The record holds what {@code ip link} shows first: index, name, {@code ARPHRD_*} type,
 * {@code IFF_*} flags, MTU, hardware address, operational state and, for virtual links, the kind
 * ({@code IFLA_INFO_KIND}, such as {@code veth}). It is immutable: the address is copied in and
 * out.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     RtnlLink lo = rt.link("lo");
 *     lo.index();      // ==> 1
 *     lo.isUp();       // ==> true
 *     lo.operState();  // ==> IF_OPER_UNKNOWN
 * }
 * }
 *
 * @param index the interface index ({@code ifi_index}), 1 or more
 * @param name the name ({@code IFLA_IFNAME}), such as {@code eth0}
 * @param type the hardware type ({@code ifi_type}), an {@code ARPHRD_*} number such as 1 for
 *        Ethernet or 772 for loopback
 * @param flags the {@code IFF_*} flags ({@code ifi_flags}), such as {@code IFF_UP}
 * @param mtu the MTU ({@code IFLA_MTU}), in bytes; 0 if not given
 * @param address the hardware address ({@code IFLA_ADDRESS}), empty if the link has none
 * @param operState the operational state ({@code IFLA_OPERSTATE})
 * @param kind the kind of virtual link ({@code IFLA_LINKINFO}/{@code IFLA_INFO_KIND}), such as
 *        {@code veth}, or empty for a physical or loopback link
 */
public record RtnlLink(int index, String name, int type, int flags, int mtu, byte[] address, OperState operState,
        String kind) {

    private static final int[] FLAGS = {LibC.IFF_UP(), LibC.IFF_BROADCAST(), LibC.IFF_LOOPBACK(),
        LibC.IFF_POINTOPOINT(), LibC.IFF_RUNNING(), LibC.IFF_NOARP(), LibC.IFF_PROMISC(), LibC.IFF_MULTICAST()};
    private static final int RTM_NEWLINK = LibC.RTM_NEWLINK();
    private static final int RTM_DELLINK = LibC.RTM_DELLINK();
    private static final int IFINFOMSG = (int) ifinfomsg.sizeof();
    private static final int IFI_TYPE = (int) ifinfomsg.ifi_type$offset();
    private static final int IFI_INDEX = (int) ifinfomsg.ifi_index$offset();
    private static final int IFI_FLAGS = (int) ifinfomsg.ifi_flags$offset();
    private static final int IFLA_IFNAME = LibC.IFLA_IFNAME();
    private static final int IFLA_MTU = LibC.IFLA_MTU();
    private static final int IFLA_ADDRESS = LibC.IFLA_ADDRESS();
    private static final int IFLA_OPERSTATE = LibC.IFLA_OPERSTATE();
    private static final int IFLA_LINKINFO = LibC.IFLA_LINKINFO();
    private static final int IFLA_INFO_KIND = LibC.IFLA_INFO_KIND();
    private static final byte[] NO_ADDRESS = new byte[0];
    private static final String[] FLAG_NAMES = {"IFF_UP", "IFF_BROADCAST", "IFF_LOOPBACK", "IFF_POINTOPOINT",
        "IFF_RUNNING", "IFF_NOARP", "IFF_PROMISC", "IFF_MULTICAST"};

    /**
     * Checks for nulls and copies the address; see rtnetlink(7).
     *
     * {@snippet :
     * new RtnlLink(7, "psk0", 1, 0, 1500, new byte[6], OperState.DOWN, "veth")
     * }
     *
     * @throws NullPointerException if {@code name}, {@code address}, {@code operState} or
     *         {@code kind} is null
     */
    public RtnlLink {
        Objects.requireNonNull(name, "name");
        address = Objects.requireNonNull(address, "address").clone();
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * Decodes an {@code RTM_NEWLINK} or {@code RTM_DELLINK} message, as a link dump, a get or an
     * event delivers it; see rtnetlink(7).
     *
     * {@snippet :
     * try (var nl = NetlinkSocket.open(io.github.panamasockets.Protocol.NETLINK_ROUTE)) {
     *     var replies = nl.execute(NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[16]));
     *     RtnlLink.from(replies.get(0)).name()   // ==> "lo"
     * }
     * }
     *
     * @param message the message
     * @return the link
     * @throws NetlinkMalformedException if the message is of another type, shorter than
     *         {@code struct ifinfomsg}, or has an attribute of the wrong size
     * @throws NullPointerException if {@code message} is null
     */
    public static RtnlLink from(NetlinkMessage message) throws NetlinkMalformedException {
        byte[] p = message.raw();
        return decode(message.type(), p, 0, p.length);
    }

    /**
     * Decodes the message of {@code length} bytes at {@code offset} of an array, its header first,
     * as {@link #from(NetlinkMessage)} does: for a socket's copy of a datagram, from which only the
     * name, address and kind are copied.
     */
    static RtnlLink from(byte[] data, int offset, int length) throws NetlinkMalformedException {
        return decode(Wire.u16(data, offset + Wire.NLMSG_TYPE), data, offset + NetlinkHeader.SIZE,
                length - NetlinkHeader.SIZE);
    }

    /** Decodes the payload of {@code length} bytes at {@code p} of {@code data}. */
    private static RtnlLink decode(int t, byte[] data, int p, int length) throws NetlinkMalformedException {
        if (t != RTM_NEWLINK && t != RTM_DELLINK) {
            throw new NetlinkMalformedException("message type " + t + " is not RTM_NEWLINK (" + RTM_NEWLINK
                    + ") or RTM_DELLINK (" + RTM_DELLINK + ")");
        }
        NetlinkMessage.requirePayload(t, length, IFINFOMSG, "struct ifinfomsg");
        int type = Wire.u16(data, p + IFI_TYPE);
        int index = Wire.u32(data, p + IFI_INDEX);
        int flags = Wire.u32(data, p + IFI_FLAGS);
        String name = "";
        int mtu = 0;
        byte[] address = NO_ADDRESS;
        OperState oper = OperState.UNKNOWN;
        String kind = "";
        int start = Math.min(Wire.nlmsgAlign(IFINFOMSG), length);
        AttributeDecoder d = new AttributeDecoder(data, p + start, length - start);
        while (d.next()) {
            int a = d.type();
            if (a == IFLA_IFNAME) {
                name = d.string();
            } else if (a == IFLA_MTU) {
                mtu = d.u32();
            } else if (a == IFLA_ADDRESS) {
                address = d.bytes();
            } else if (a == IFLA_OPERSTATE) {
                oper = OperState.of(d.u8());
            } else if (a == IFLA_LINKINFO) {
                kind = kind(d.nested(), kind);
            }
        }
        return new RtnlLink(index, name, type, flags, mtu, address, oper, kind);
    }

    /** IFLA_INFO_KIND in IFLA_LINKINFO, else {@code kind}; a method apart, so that the loop above compiles small. */
    private static String kind(AttributeDecoder info, String kind) throws NetlinkMalformedException {
        while (info.next()) {
            if (info.type() == IFLA_INFO_KIND) {
                kind = info.string();
            }
        }
        return kind;
    }

    /**
     * {@return a copy of the hardware address}, {@code IFLA_ADDRESS}; see rtnetlink(7)
     *
     * {@snippet :
     * rt.link("lo").address().length   // ==> 6
     * }
     */
    @Override
    public byte[] address() {
        return address.clone();
    }

    /**
     * {@return whether the link is administratively up ({@code IFF_UP})}; see netdevice(7)
     *
     * {@snippet :
     * rt.link("lo").isUp()   // ==> true
     * }
     */
    public boolean isUp() {
        return (flags & LibC.IFF_UP()) != 0;
    }

    /**
     * {@return the hardware address as colon-separated hex}, such as {@code 02:00:00:00:00:01}, or
     * empty; see rtnetlink(7)
     *
     * {@snippet :
     * rt.link("lo").addressText()   // ==> "00:00:00:00:00:00"
     * }
     */
    public String addressText() {
        return HexFormat.ofDelimiter(":").formatHex(address);
    }

    /**
     * {@return the names of {@code IFF_*} flags joined by {@code |}}; bits without a name here print
     * in hex. See netdevice(7).
     *
     * {@snippet :
     * RtnlLink.flagNames(0x49)   // ==> "IFF_UP|IFF_LOOPBACK|IFF_RUNNING"
     * }
     *
     * @param flags {@code ifi_flags}
     */
    public static String flagNames(int flags) {
        StringBuilder s = new StringBuilder();
        int rest = flags;
        for (int i = 0; i < FLAGS.length; i++) {
            if ((rest & FLAGS[i]) != 0) {
                s.append(s.isEmpty() ? "" : "|").append(FLAG_NAMES[i]);
                rest &= ~FLAGS[i];
            }
        }
        if (rest != 0) {
            s.append(s.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(rest));
        }
        return s.isEmpty() ? "0" : s.toString();
    }

    /**
     * {@return whether {@code o} is a link with equal fields and the same address bytes}; see
     * rtnetlink(7)
     *
     * {@snippet :
     * rt.link(1).equals(rt.link("lo"))   // ==> true
     * }
     *
     * @param o the object to compare with
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof RtnlLink l && l.index == index && l.name.equals(name) && l.type == type && l.flags == flags
                && l.mtu == mtu && Arrays.equals(l.address, address) && l.operState.equals(operState) && l.kind.equals(kind);
    }

    /**
     * {@return a hash of the fields}; see rtnetlink(7)
     *
     * {@snippet :
     * rt.link(1).hashCode() == rt.link("lo").hashCode()   // ==> true
     * }
     */
    @Override
    public int hashCode() {
        return Objects.hash(index, name, type, flags, mtu, Arrays.hashCode(address), operState, kind);
    }

    /**
     * {@return the fields, with flag names and the address in hex}; see rtnetlink(7)
     *
     * {@snippet :
     * rt.link("lo").toString()
     * // ==> "RtnlLink[index=1, name=lo, type=772, flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING|0x10000, mtu=65536, address=00:00:00:00:00:00, operState=IF_OPER_UNKNOWN, kind=]"
     * }
     */
    @Override
    public String toString() {
        return "RtnlLink[index=" + index + ", name=" + name + ", type=" + type + ", flags=" + flagNames(flags)
                + ", mtu=" + Integer.toUnsignedString(mtu) + ", address=" + addressText() + ", operState=" + operState
                + ", kind=" + kind + "]";
    }
}
