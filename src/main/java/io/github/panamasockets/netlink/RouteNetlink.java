package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.SockClosedException;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifaddrmsg;
import io.github.panamasockets.internal.gen.ifinfomsg;
import io.github.panamasockets.internal.gen.rtmsg;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An rtnetlink client: lists, gets and changes links, addresses and routes as {@code ip(8)} does,
 * over a {@code NETLINK_ROUTE} {@link NetlinkSocket}; see
 * <a href="https://man7.org/linux/man-pages/man7/rtnetlink.7.html">rtnetlink(7)</a>.
 *
 * <p>Reading needs no privilege; changes need {@code CAP_NET_ADMIN} and fail with {@code EPERM}
 * without it. Every change asks for an acknowledgement, so it returns only once the kernel has
 * applied it, and a refusal throws {@link NetlinkErrorException} with the kernel's explanation.
 * The socket turns on {@code NETLINK_GET_STRICT_CHK} where the kernel has it, as {@code ip} does,
 * so that requests are checked strictly. A client lists and changes the network namespace it was
 * opened in: the caller's, or the one given to {@link #open(NetNamespace)}. Thread-safety is that
 * of {@link NetlinkSocket}.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     for (RtnlLink l : rt.links()) {
 *         System.out.println(l.index() + ": " + l.name() + " mtu " + l.mtu() + " " + l.operState().shortName());
 *     }
 *     rt.addresses().forEach(System.out::println);
 *     rt.routes(io.github.panamasockets.Family.INET).forEach(System.out::println);
 *     System.out.println(rt.route(java.net.InetAddress.getByName("127.0.0.1")));   // ip route get
 * }
 * }
 */
public final class RouteNetlink implements AutoCloseable {
    private static final int IFNAMSIZ = LibC.IF_NAMESIZE();
    private static final int IFINFOMSG = (int) ifinfomsg.sizeof();
    private static final int IFADDRMSG = (int) ifaddrmsg.sizeof();
    private static final int RTMSG = (int) rtmsg.sizeof();

    private final NetlinkSocket socket;

    private RouteNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Opens an rtnetlink socket; see {@link NetlinkSocket#open} and rtnetlink(7).
     *
     * {@snippet :
     * var rt = RouteNetlink.open();
     * }
     *
     * @return the client
     * @throws java.net.SocketException if the kernel refuses the socket
     * @throws IOException if another I/O error occurs
     */
    public static RouteNetlink open() throws IOException {
        NetlinkSocket s = NetlinkSocket.open(Protocol.NETLINK_ROUTE);
        try {
            s.setOption("NETLINK_GET_STRICT_CHK", LibC.NETLINK_GET_STRICT_CHK(), 1, true);
            return new RouteNetlink(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Opens an rtnetlink socket inside a network namespace, so that it lists and changes that
     * namespace's links, addresses and routes: {@link #open()} run by {@link NetNamespace#call};
     * see rtnetlink(7) and setns(2).
     *
     * {@snippet :
     * try (var ns = NetNamespace.open("blue"); var rt = RouteNetlink.open(ns)) {
     *     rt.links()   // the namespace's links
     * }
     * }
     *
     * @param namespace the namespace
     * @return the client, whose socket stays in the namespace
     * @throws NetNamespaceException if entering the namespace fails
     * @throws java.net.SocketException if the kernel refuses the socket
     * @throws IOException if another I/O error occurs
     * @throws IllegalStateException if the namespace is closed
     * @throws NullPointerException if {@code namespace} is null
     */
    public static RouteNetlink open(NetNamespace namespace) throws IOException {
        return Objects.requireNonNull(namespace, "namespace").call(RouteNetlink::open);
    }

    /**
     * Opens a socket subscribed to rtnetlink multicast groups, whose
     * {@link RtnlSubscription#receive()} returns typed events; {@code NETLINK_ADD_MEMBERSHIP},
     * see rtnetlink(7) and netlink(7). Subscribing needs no privilege.
     *
     * {@snippet :
     * try (var events = RouteNetlink.subscribe(RtnlGroup.LINK, RtnlGroup.IPV4_IFADDR, RtnlGroup.IPV6_IFADDR)) {
     *     events.receive().forEach(System.out::println);
     * }
     * }
     *
     * @param groups the groups to join
     * @return the subscription
     * @throws java.net.SocketException if the kernel refuses the socket or a group
     * @throws IOException if another I/O error occurs
     * @throws NullPointerException if {@code groups} or an element is null
     */
    public static RtnlSubscription subscribe(RtnlGroup... groups) throws IOException {
        for (RtnlGroup g : groups) {
            Objects.requireNonNull(g, "group");
        }
        NetlinkSocket s = NetlinkSocket.open(Protocol.NETLINK_ROUTE);
        try {
            for (RtnlGroup g : groups) {
                s.joinGroup(g.value());
            }
            return new RtnlSubscription(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * {@return the netlink socket underneath}, for requests this class does not make; see
     * rtnetlink(7)
     *
     * {@snippet :
     * rt.socket().pid()   // ==> 4242
     * }
     */
    public NetlinkSocket socket() {
        return socket;
    }

    /**
     * Opens a socket inside a network namespace subscribed to rtnetlink multicast groups, so that
     * it receives that namespace's events: {@link #subscribe(RtnlGroup...)} run by
     * {@link NetNamespace#call}; see rtnetlink(7) and setns(2).
     *
     * {@snippet :
     * try (var ns = NetNamespace.open("blue");
     *      var events = RouteNetlink.subscribe(ns, RtnlGroup.LINK, RtnlGroup.IPV4_IFADDR)) {
     *     events.receive().forEach(System.out::println);
     * }
     * }
     *
     * @param namespace the namespace
     * @param groups the groups to join
     * @return the subscription, whose socket stays in the namespace
     * @throws NetNamespaceException if entering the namespace fails
     * @throws java.net.SocketException if the kernel refuses the socket or a group
     * @throws IOException if another I/O error occurs
     * @throws IllegalStateException if the namespace is closed
     * @throws NullPointerException if an argument or a group is null
     */
    public static RtnlSubscription subscribe(NetNamespace namespace, RtnlGroup... groups) throws IOException {
        Objects.requireNonNull(namespace, "namespace");
        RtnlGroup[] copy = groups.clone();
        return namespace.call(() -> subscribe(copy));
    }

    // ------------------------------------------------------------------------------ links

    private static byte[] ifinfo(int family, int index, int flags, int change, byte[] attributes) {
        byte[] p = new byte[Wire.nlmsgAlign(IFINFOMSG) + attributes.length];
        p[(int) ifinfomsg.ifi_family$offset()] = (byte) family;
        Wire.put32(p, (int) ifinfomsg.ifi_index$offset(), index);
        Wire.put32(p, (int) ifinfomsg.ifi_flags$offset(), flags);
        Wire.put32(p, (int) ifinfomsg.ifi_change$offset(), change);
        System.arraycopy(attributes, 0, p, Wire.nlmsgAlign(IFINFOMSG), attributes.length);
        return p;
    }

    /**
     * Lists every link: an {@code RTM_GETLINK} dump, as {@code ip link show} makes; see rtnetlink(7).
     *
     * {@snippet :
     * rt.links().get(0).name()   // ==> "lo"
     * }
     *
     * @return the links, in the kernel's order (by index)
     * @throws NetlinkException if the dump fails or a reply is malformed; repeat it after a
     *         {@link NetlinkDumpInterruptedException}
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     */
    public List<RtnlLink> links() throws IOException {
        return dump(NetlinkMessage.request(LibC.RTM_GETLINK(), NetlinkFlags.DUMP, ifinfo(LibC.AF_UNSPEC(), 0, 0, 0,
                new byte[0])), LibC.RTM_NEWLINK(), RtnlLink::from);
    }

    /** Decodes the message of {@code length} bytes at {@code offset} of the socket's copy of a datagram. */
    @FunctionalInterface
    private interface InPlace<T> {
        T decode(byte[] data, int offset, int length) throws NetlinkMalformedException;
    }

    /**
     * Runs a dump and decodes its messages of type {@code type} in the socket's copy of each
     * datagram, so that only the records are made, not a message each. A dump reads and changes nothing, so when a
     * datagram did not fit the buffer, which then grew, it is run again.
     */
    private <T> List<T> dump(NetlinkMessage request, int type, InPlace<T> decoder) throws IOException {
        while (true) {
            List<T> out = new ArrayList<>();
            long size = socket.bufferSize();
            int[] count = new int[1];
            try {
                boolean interrupted = socket.executeInPlace(request, (data, offset, length) -> {
                    count[0]++;
                    if (Wire.u16(data, offset + Wire.NLMSG_TYPE) == type) {
                        out.add(decoder.decode(data, offset, length));
                    }
                });
                if (interrupted) {
                    throw new NetlinkDumpInterruptedException(count[0]);
                }
                return out;
            } catch (NetlinkTruncatedException e) {
                if (socket.bufferSize() == size) {
                    throw e;
                }
            }
        }
    }

    /**
     * Gets one link by index: an {@code RTM_GETLINK} request; see rtnetlink(7).
     *
     * {@snippet :
     * rt.link(1).name()   // ==> "lo"
     * }
     *
     * @param index the interface index, 1 or more
     * @return the link
     * @throws NetlinkErrorException with {@code ENODEV} if there is no such link
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if {@code index} is 0 or negative
     */
    public RtnlLink link(int index) throws IOException {
        Rtnl.checkIndex(index);
        return single(NetlinkMessage.request(LibC.RTM_GETLINK(), 0, ifinfo(LibC.AF_UNSPEC(), index, 0, 0, new byte[0])));
    }

    /**
     * Gets one link by name: an {@code RTM_GETLINK} request with {@code IFLA_IFNAME}; see
     * rtnetlink(7).
     *
     * {@snippet :
     * rt.link("lo").index()   // ==> 1
     * }
     *
     * @param name the interface name, 1 to 15 bytes
     * @return the link
     * @throws NetlinkErrorException with {@code ENODEV} if there is no such link
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the name is empty, longer than 15 bytes, or holds a NUL or
     *         a slash
     * @throws NullPointerException if {@code name} is null
     */
    public RtnlLink link(String name) throws IOException {
        checkName(name);
        byte[] attrs = new AttributeEncoder().string(LibC.IFLA_IFNAME(), name).encode();
        return single(NetlinkMessage.request(LibC.RTM_GETLINK(), 0, ifinfo(LibC.AF_UNSPEC(), 0, 0, 0, attrs)));
    }

    private RtnlLink single(NetlinkMessage request) throws IOException {
        return RtnlLink.from(single(request, LibC.RTM_NEWLINK(), "RTM_GETLINK", "RTM_NEWLINK"));
    }

    /** Executes a get that the kernel answers with exactly one message of the reply type. */
    private NetlinkMessage single(NetlinkMessage request, int replyType, String requestName, String replyName)
            throws IOException {
        List<NetlinkMessage> replies = socket.execute(request);
        if (replies.size() != 1 || replies.get(0).type() != replyType) {
            throw new NetlinkMalformedException(requestName + " answered with " + replies.size()
                    + " messages; one " + replyName + " was expected: " + replies);
        }
        return replies.get(0);
    }

    /**
     * Sets a link administratively up or down, as {@code ip link set dev NAME up} does: an
     * {@code RTM_NEWLINK} changing {@code IFF_UP}; see rtnetlink(7). Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.setLinkUp(rt.link("psk0").index(), true);
     * }
     *
     * @param index the interface index, 1 or more
     * @param up true to set {@code IFF_UP}, false to clear it
     * @throws NetlinkErrorException if the kernel refuses: {@code EPERM} without privilege,
     *         {@code ENODEV} for no such link
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if {@code index} is 0 or negative
     */
    public void setLinkUp(int index, boolean up) throws IOException {
        Rtnl.checkIndex(index);
        int iffUp = LibC.IFF_UP();
        socket.execute(NetlinkMessage.request(LibC.RTM_NEWLINK(), NetlinkFlags.ACK,
                ifinfo(LibC.AF_UNSPEC(), index, up ? iffUp : 0, iffUp, new byte[0])));
    }

    /**
     * Creates a virtual link of a kind that needs no further settings, such as {@code dummy} or
     * {@code bridge}, as {@code ip link add NAME type KIND} does: an {@code RTM_NEWLINK} with
     * {@code NLM_F_CREATE | NLM_F_EXCL} and {@code IFLA_LINKINFO}; see rtnetlink(7). The link is
     * created down. Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.createLink("br0", "bridge");
     * }
     *
     * @param name the new link's name, 1 to 15 bytes
     * @param kind the {@code IFLA_INFO_KIND}, such as {@code dummy}
     * @throws NetlinkErrorException if the kernel refuses: {@code EEXIST} for a taken name,
     *         {@code EOPNOTSUPP} ("Unknown device type") for a kind the kernel lacks, {@code EPERM}
     *         without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the name is empty, longer than 15 bytes, or holds a NUL or
     *         a slash, or the kind is empty
     * @throws NullPointerException if an argument is null
     */
    public void createLink(String name, String kind) throws IOException {
        checkName(name);
        if (Objects.requireNonNull(kind, "kind").isEmpty()) {
            throw new IllegalArgumentException("link kind is empty; give one such as \"dummy\"");
        }
        byte[] attrs = new AttributeEncoder()
                .string(LibC.IFLA_IFNAME(), name)
                .nested(LibC.IFLA_LINKINFO(), info -> info.string(LibC.IFLA_INFO_KIND(), kind))
                .encode();
        socket.execute(NetlinkMessage.request(LibC.RTM_NEWLINK(),
                NetlinkFlags.ACK | NetlinkFlags.CREATE | NetlinkFlags.EXCL, ifinfo(LibC.AF_UNSPEC(), 0, 0, 0, attrs)));
    }

    /**
     * Creates a veth pair, two links connected back to back, as
     * {@code ip link add NAME type veth peer name PEER} does: an {@code RTM_NEWLINK} whose
     * {@code IFLA_INFO_DATA} holds {@code VETH_INFO_PEER}; see rtnetlink(7). Both ends are created
     * down. Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.createVeth("psk-a", "psk-b");
     * }
     *
     * @param name the first end's name, 1 to 15 bytes
     * @param peerName the other end's name, 1 to 15 bytes
     * @throws NetlinkErrorException if the kernel refuses: {@code EEXIST} for a taken name,
     *         {@code EPERM} without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if a name is empty, longer than 15 bytes, or holds a NUL or a
     *         slash
     * @throws NullPointerException if an argument is null
     */
    public void createVeth(String name, String peerName) throws IOException {
        checkName(name);
        checkName(peerName);
        // VETH_INFO_PEER holds a struct ifinfomsg followed by the peer's attributes.
        byte[] peer = ifinfo(LibC.AF_UNSPEC(), 0, 0, 0, new AttributeEncoder().string(LibC.IFLA_IFNAME(), peerName).encode());
        byte[] attrs = new AttributeEncoder()
                .string(LibC.IFLA_IFNAME(), name)
                .nested(LibC.IFLA_LINKINFO(), info -> info
                        .string(LibC.IFLA_INFO_KIND(), "veth")
                        .nested(LibC.IFLA_INFO_DATA(), data -> data.bytes(LibC.VETH_INFO_PEER(), peer)))
                .encode();
        socket.execute(NetlinkMessage.request(LibC.RTM_NEWLINK(),
                NetlinkFlags.ACK | NetlinkFlags.CREATE | NetlinkFlags.EXCL, ifinfo(LibC.AF_UNSPEC(), 0, 0, 0, attrs)));
    }

    /**
     * Deletes a link by index, as {@code ip link del} does: an {@code RTM_DELLINK}; see rtnetlink(7).
     * Deleting one end of a veth pair deletes both. Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.deleteLink(rt.link("psk-a").index());
     * }
     *
     * @param index the interface index, 1 or more
     * @throws NetlinkErrorException if the kernel refuses: {@code ENODEV} for no such link,
     *         {@code EOPNOTSUPP} for a physical one, {@code EPERM} without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if {@code index} is 0 or negative
     */
    public void deleteLink(int index) throws IOException {
        Rtnl.checkIndex(index);
        socket.execute(NetlinkMessage.request(LibC.RTM_DELLINK(), NetlinkFlags.ACK,
                ifinfo(LibC.AF_UNSPEC(), index, 0, 0, new byte[0])));
    }

    /**
     * Deletes a link by name: an {@code RTM_DELLINK} with {@code IFLA_IFNAME}; see rtnetlink(7).
     * Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.deleteLink("psk-a");
     * }
     *
     * @param name the interface name, 1 to 15 bytes
     * @throws NetlinkErrorException if the kernel refuses: {@code ENODEV} for no such link,
     *         {@code EPERM} without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the name is empty, longer than 15 bytes, or holds a NUL or
     *         a slash
     * @throws NullPointerException if {@code name} is null
     */
    public void deleteLink(String name) throws IOException {
        checkName(name);
        byte[] attrs = new AttributeEncoder().string(LibC.IFLA_IFNAME(), name).encode();
        socket.execute(NetlinkMessage.request(LibC.RTM_DELLINK(), NetlinkFlags.ACK, ifinfo(LibC.AF_UNSPEC(), 0, 0, 0, attrs)));
    }

    // ------------------------------------------------------------------------------ addresses

    private static byte[] ifaddr(int family, int prefix, int scope, int index, byte[] attributes) {
        byte[] p = new byte[Wire.nlmsgAlign(IFADDRMSG) + attributes.length];
        p[(int) ifaddrmsg.ifa_family$offset()] = (byte) family;
        p[(int) ifaddrmsg.ifa_prefixlen$offset()] = (byte) prefix;
        p[(int) ifaddrmsg.ifa_scope$offset()] = (byte) scope;
        Wire.put32(p, (int) ifaddrmsg.ifa_index$offset(), index);
        System.arraycopy(attributes, 0, p, Wire.nlmsgAlign(IFADDRMSG), attributes.length);
        return p;
    }

    /**
     * Lists every IPv4 and IPv6 address: {@code RTM_GETADDR} dumps, as {@code ip addr show} makes;
     * see rtnetlink(7).
     *
     * {@snippet :
     * rt.addresses().get(0).cidr()   // ==> "127.0.0.1/8"
     * }
     *
     * @return the IPv4 addresses, then the IPv6 ones
     * @throws NetlinkException if a dump fails or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     */
    public List<RtnlAddr> addresses() throws IOException {
        List<RtnlAddr> out = new ArrayList<>(addresses(Family.INET));
        out.addAll(addresses(Family.INET6));
        return out;
    }

    /**
     * Lists the addresses of one family: an {@code RTM_GETADDR} dump; see rtnetlink(7).
     *
     * {@snippet :
     * rt.addresses(io.github.panamasockets.Family.INET6)   // ==> [RtnlAddr[family=AF_INET6, index=1, ::1/128, ...], ...]
     * }
     *
     * @param family {@link Family#INET} or {@link Family#INET6}
     * @return the addresses, by interface
     * @throws NetlinkException if the dump fails or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the family is not INET or INET6
     * @throws NullPointerException if {@code family} is null
     */
    public List<RtnlAddr> addresses(Family family) throws IOException {
        checkFamily(family);
        List<RtnlAddr> out = new ArrayList<>();
        for (NetlinkMessage m : socket.execute(NetlinkMessage.request(LibC.RTM_GETADDR(), NetlinkFlags.DUMP,
                ifaddr(family.value(), 0, 0, 0, new byte[0])))) {
            if (m.type() == LibC.RTM_NEWADDR()) {
                out.add(RtnlAddr.from(m));
            }
        }
        return out;
    }

    /**
     * Adds an address to a link, as {@code ip addr add ADDRESS/PREFIX dev NAME} does: an
     * {@code RTM_NEWADDR} with {@code IFA_LOCAL} and {@code IFA_ADDRESS} and global scope; see
     * rtnetlink(7). Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.addAddress(rt.link("psk-a").index(), java.net.InetAddress.getByName("198.18.0.1"), 24);
     * }
     *
     * @param index the interface index, 1 or more
     * @param address an IPv4 or IPv6 address
     * @param prefixLength the prefix length, 0 to 32 for IPv4 or 128 for IPv6
     * @throws NetlinkErrorException if the kernel refuses: {@code EEXIST} if the link has it,
     *         {@code ENODEV} for no such link, {@code EPERM} without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the index or prefix length is out of range
     * @throws NullPointerException if {@code address} is null
     */
    public void addAddress(int index, InetAddress address, int prefixLength) throws IOException {
        socket.execute(addressRequest(LibC.RTM_NEWADDR(), NetlinkFlags.ACK | NetlinkFlags.CREATE | NetlinkFlags.EXCL,
                index, address, prefixLength));
    }

    /**
     * Removes an address from a link, as {@code ip addr del ADDRESS/PREFIX dev NAME} does: an
     * {@code RTM_DELADDR}; see rtnetlink(7). Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.deleteAddress(rt.link("psk-a").index(), java.net.InetAddress.getByName("198.18.0.1"), 24);
     * }
     *
     * @param index the interface index, 1 or more
     * @param address the address
     * @param prefixLength its prefix length
     * @throws NetlinkErrorException if the kernel refuses: {@code EADDRNOTAVAIL} if the link does
     *         not have it, {@code EPERM} without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the index or prefix length is out of range
     * @throws NullPointerException if {@code address} is null
     */
    public void deleteAddress(int index, InetAddress address, int prefixLength) throws IOException {
        socket.execute(addressRequest(LibC.RTM_DELADDR(), NetlinkFlags.ACK, index, address, prefixLength));
    }

    private static NetlinkMessage addressRequest(int type, int flags, int index, InetAddress address, int prefixLength) {
        Rtnl.checkIndex(index);
        Objects.requireNonNull(address, "address");
        Rtnl.checkPrefix(address, prefixLength);
        byte[] bytes = address.getAddress();
        byte[] attrs = new AttributeEncoder()
                .bytes(LibC.IFA_LOCAL(), bytes)
                .bytes(LibC.IFA_ADDRESS(), bytes)
                .encode();
        return NetlinkMessage.request(type, flags, ifaddr(Rtnl.familyOf(address), prefixLength, LibC.RT_SCOPE_UNIVERSE(), index, attrs));
    }

    // ------------------------------------------------------------------------------ routes

    private static byte[] rtmsg(int family, int dstLen, int table, int protocol, int scope, int type, byte[] attributes) {
        byte[] p = new byte[Wire.nlmsgAlign(RTMSG) + attributes.length];
        p[(int) rtmsg.rtm_family$offset()] = (byte) family;
        p[(int) rtmsg.rtm_dst_len$offset()] = (byte) dstLen;
        p[(int) rtmsg.rtm_table$offset()] = (byte) table;
        p[(int) rtmsg.rtm_protocol$offset()] = (byte) protocol;
        p[(int) rtmsg.rtm_scope$offset()] = (byte) scope;
        p[(int) rtmsg.rtm_type$offset()] = (byte) type;
        System.arraycopy(attributes, 0, p, Wire.nlmsgAlign(RTMSG), attributes.length);
        return p;
    }

    /**
     * Lists the IPv4 and IPv6 routes of every table: {@code RTM_GETROUTE} dumps; see rtnetlink(7).
     * {@code ip route show} lists the main table's ({@link RtnlRoute#table()} 254).
     *
     * {@snippet :
     * rt.routes().stream().filter(RtnlRoute::isDefault).toList()
     * }
     *
     * @return the IPv4 routes, then the IPv6 ones
     * @throws NetlinkException if a dump fails or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     */
    public List<RtnlRoute> routes() throws IOException {
        List<RtnlRoute> out = new ArrayList<>(routes(Family.INET));
        out.addAll(routes(Family.INET6));
        return out;
    }

    /**
     * Lists the routes of one family in every table: an {@code RTM_GETROUTE} dump; see rtnetlink(7).
     *
     * {@snippet :
     * rt.routes(io.github.panamasockets.Family.INET)
     * }
     *
     * @param family {@link Family#INET} or {@link Family#INET6}
     * @return the routes
     * @throws NetlinkException if the dump fails or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the family is not INET or INET6
     * @throws NullPointerException if {@code family} is null
     */
    public List<RtnlRoute> routes(Family family) throws IOException {
        checkFamily(family);
        byte[] p = rtmsg(family.value(), 0, 0, 0, 0, 0, new byte[0]);
        List<RtnlRoute> out = new ArrayList<>();
        for (NetlinkMessage m : socket.execute(NetlinkMessage.request(LibC.RTM_GETROUTE(), NetlinkFlags.DUMP, p))) {
            if (m.type() == LibC.RTM_NEWROUTE()) {
                out.add(RtnlRoute.from(m));
            }
        }
        return out;
    }

    /**
     * Looks up the route the kernel would use to reach an address, as {@code ip route get ADDRESS}
     * does: an {@code RTM_GETROUTE} request (not a dump) with {@code RTA_DST}; see rtnetlink(7) and
     * ip-route(8). Nothing is sent to the address. The answer is the resolved route: the address
     * itself as a host destination, with its output interface, gateway and preferred source.
     *
     * {@snippet :
     * rt.route(java.net.InetAddress.getByName("127.0.0.1")).outputInterface()   // ==> 1, lo
     * }
     *
     * @param destination the address to reach
     * @return the route, as {@link RtnlRoute}
     * @throws NetlinkErrorException if there is no route: {@code ENETUNREACH} ("Network is
     *         unreachable")
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws NullPointerException if {@code destination} is null
     */
    public RtnlRoute route(InetAddress destination) throws IOException {
        byte[] bytes = Objects.requireNonNull(destination, "destination").getAddress();
        byte[] attrs = new AttributeEncoder().bytes(LibC.RTA_DST(), bytes).encode();
        NetlinkMessage request = NetlinkMessage.request(LibC.RTM_GETROUTE(), 0,
                rtmsg(Rtnl.familyOf(destination), bytes.length * 8, 0, 0, 0, 0, attrs));
        return RtnlRoute.from(single(request, LibC.RTM_NEWROUTE(), "RTM_GETROUTE", "RTM_NEWROUTE"));
    }

    /**
     * Adds a route, as {@code ip route add} does: an {@code RTM_NEWROUTE} with
     * {@code NLM_F_CREATE | NLM_F_EXCL}, a unicast route of global scope when it has a gateway and
     * of link scope when it has none, protocol {@code RTPROT_BOOT} unless the spec names one; see
     * rtnetlink(7) and ip-route(8). Needs {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.addRoute(RtnlRouteSpec.to(java.net.InetAddress.getByName("203.0.113.0"), 24)
     *         .via(java.net.InetAddress.getByName("198.51.100.2")));
     * }
     *
     * @param route the route
     * @throws NetlinkErrorException if the kernel refuses: {@code EEXIST} for a route already
     *         there, {@code ENETUNREACH} or {@code EINVAL} ("Nexthop has invalid gateway") for a
     *         gateway no route reaches, {@code ENODEV} for no such interface, {@code EINVAL}
     *         ("Invalid prefix for given prefix length") for an IPv4 destination with host bits,
     *         {@code EPERM} without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws NullPointerException if {@code route} is null
     */
    public void addRoute(RtnlRouteSpec route) throws IOException {
        Objects.requireNonNull(route, "route");
        int protocol = route.protocol() != 0 ? route.protocol() : LibC.RTPROT_BOOT();
        int scope = route.gateway().isPresent() ? LibC.RT_SCOPE_UNIVERSE() : LibC.RT_SCOPE_LINK();
        socket.execute(routeRequest(LibC.RTM_NEWROUTE(), NetlinkFlags.ACK | NetlinkFlags.CREATE | NetlinkFlags.EXCL,
                route, protocol, scope, LibC.RTN_UNICAST()));
    }

    /**
     * Deletes a route, as {@code ip route del} does: an {@code RTM_DELROUTE} that matches the
     * destination, table and whatever else the spec gives (gateway, interface, and the protocol and
     * metric when not 0), in any scope; see rtnetlink(7) and ip-route(8). Needs
     * {@code CAP_NET_ADMIN}.
     *
     * {@snippet :
     * rt.deleteRoute(RtnlRouteSpec.to(java.net.InetAddress.getByName("203.0.113.0"), 24));
     * }
     *
     * @param route the route to match
     * @throws NetlinkErrorException if the kernel refuses: {@code ESRCH} ("No such process") when
     *         no route matches, {@code EPERM} without privilege
     * @throws NetlinkException if a reply is malformed or unexpected
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws NullPointerException if {@code route} is null
     */
    public void deleteRoute(RtnlRouteSpec route) throws IOException {
        Objects.requireNonNull(route, "route");
        socket.execute(routeRequest(LibC.RTM_DELROUTE(), NetlinkFlags.ACK, route, route.protocol(),
                LibC.RT_SCOPE_NOWHERE(), 0));
    }

    private static NetlinkMessage routeRequest(int type, int flags, RtnlRouteSpec route, int protocol, int scope,
            int routeType) {
        AttributeEncoder attrs = new AttributeEncoder();
        if (route.prefixLength() > 0) {
            attrs.bytes(LibC.RTA_DST(), route.destination().getAddress());
        }
        route.gateway().ifPresent(g -> attrs.bytes(LibC.RTA_GATEWAY(), g.getAddress()));
        if (route.outputInterface() != 0) {
            attrs.u32(LibC.RTA_OIF(), route.outputInterface());
        }
        if (route.priority() != 0) {
            attrs.u32(LibC.RTA_PRIORITY(), route.priority());
        }
        // rtm_table holds 8 bits; RTA_TABLE the whole number, which the kernel prefers.
        attrs.u32(LibC.RTA_TABLE(), route.table());
        int table8 = Integer.compareUnsigned(route.table(), 0xFF) <= 0 ? route.table() : LibC.RT_TABLE_UNSPEC();
        return NetlinkMessage.request(type, flags, rtmsg(Rtnl.familyOf(route.destination()), route.prefixLength(), table8,
                protocol, scope, routeType, attrs.encode()));
    }

    // ------------------------------------------------------------------------------ checks

    private static void checkFamily(Family family) {
        Objects.requireNonNull(family, "family");
        if (!family.equals(Family.INET) && !family.equals(Family.INET6)) {
            throw new IllegalArgumentException("address family " + family + " is not AF_INET or AF_INET6");
        }
    }

    static void checkName(String name) {
        byte[] b = Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > IFNAMSIZ - 1) {
            throw new IllegalArgumentException("interface name \"" + name + "\" is " + b.length
                    + " bytes; IFNAMSIZ holds 1 to " + (IFNAMSIZ - 1) + " plus the NUL");
        }
        if (name.indexOf('\0') >= 0 || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("interface name \"" + name.replace("\0", "\\0")
                    + "\" holds a NUL or a slash, which the kernel does not accept");
        }
    }

    // ------------------------------------------------------------------------------ life cycle

    /**
     * Closes the socket; see {@link NetlinkSocket#close()} and
     * <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>.
     *
     * {@snippet :
     * rt.close();
     * }
     */
    @Override
    public void close() {
        socket.close();
    }

    /**
     * {@return a description with the socket}; see rtnetlink(7)
     *
     * {@snippet :
     * rt.toString()   // ==> "RouteNetlink[NetlinkSocket[NETLINK_ROUTE, pid 4242]]"
     * }
     */
    @Override
    public String toString() {
        return "RouteNetlink[" + socket + "]";
    }
}
