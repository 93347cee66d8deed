package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * rtnetlink against the real kernel, with iproute2 as the oracle: the links, addresses and routes
 * the library lists equal what {@code ip -j} prints, gets by index and name agree with the dump,
 * and, as root, a veth pair made in this (host) namespace under a unique name is created, set up
 * and down, given addresses, compared with ip, and deleted. The veth's peer is never set up, so
 * the pair has no carrier and sends nothing.
 */
class RouteNetlinkTest {
    private static RouteNetlink rt;

    @BeforeAll
    static void open() throws IOException {
        assumeTrue(TestSupport.onPath("ip"), "iproute2 (ip) is not installed: the oracle comparisons are skipped");
        rt = RouteNetlink.open();
    }

    @AfterAll
    static void close() {
        if (rt != null) {
            rt.close();
        }
    }

    /**
     * Runs {@code ip} before and after reading with the library, and again until both ip runs agree,
     * so that the comparison is made against a state that held still while the library read it.
     */
    private static <T> T stable(String[] ip, Callable<T> ours, Map<String, Object> ipOut) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            String before = TestSupport.run(ip);
            T value = ours.call();
            String after = TestSupport.run(ip);
            if (before.equals(after)) {
                ipOut.put("json", before);
                return value;
            }
        }
        throw new AssertionError("the state kept changing under " + String.join(" ", ip));
    }

    private static String canon(String address) throws IOException {
        return InetAddress.getByName(address).getHostAddress();   // a literal: no name lookup
    }

    private static final Map<Integer, String> SCOPES = Map.of(0, "global", 200, "site", 253, "link", 254, "host", 255, "nowhere");
    private static final Map<Integer, String> PROTOS = Map.ofEntries(Map.entry(0, "unspec"), Map.entry(1, "redirect"),
            Map.entry(2, "kernel"), Map.entry(3, "boot"), Map.entry(4, "static"), Map.entry(8, "gated"), Map.entry(9, "ra"),
            Map.entry(10, "mrt"), Map.entry(11, "zebra"), Map.entry(12, "bird"), Map.entry(13, "dnrouted"),
            Map.entry(14, "xorp"), Map.entry(15, "ntk"), Map.entry(16, "dhcp"), Map.entry(18, "keepalived"),
            Map.entry(42, "babel"), Map.entry(99, "openr"), Map.entry(186, "bgp"), Map.entry(187, "isis"),
            Map.entry(188, "ospf"), Map.entry(189, "rip"), Map.entry(192, "eigrp"));
    private static final String[] TYPES = {"none", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole",
        "unreachable", "prohibit", "throw", "nat", "xresolve"};
    private static final Map<String, Integer> IP_FLAGS = Map.of("UP", LibC.IFF_UP(), "BROADCAST", LibC.IFF_BROADCAST(),
            "LOOPBACK", LibC.IFF_LOOPBACK(), "POINTOPOINT", LibC.IFF_POINTOPOINT(), "NOARP", LibC.IFF_NOARP(),
            "PROMISC", LibC.IFF_PROMISC(), "MULTICAST", LibC.IFF_MULTICAST());

    /** What `ip -j -d link` says of a link, in the form the library's record gives it. */
    @SuppressWarnings("unchecked")
    private static String ipLink(Map<String, Object> l) {
        List<Object> flags = (List<Object>) l.get("flags");
        StringBuilder f = new StringBuilder();
        for (String name : new TreeSet<>(IP_FLAGS.keySet())) {
            if (flags.contains(name)) {
                f.append(name).append(' ');
            }
        }
        String type = String.valueOf(l.get("link_type"));
        Object address = type.equals("ether") || type.equals("loopback") ? l.get("address") : "-";
        Map<String, Object> info = (Map<String, Object>) l.get("linkinfo");
        String kind = info == null || info.get("info_kind") == null ? "" : (String) info.get("info_kind");
        return l.get("ifindex") + " " + l.get("ifname") + " mtu " + l.get("mtu") + " " + address + " " + l.get("operstate")
                + " [" + f.toString().trim() + "] kind=" + kind;
    }

    private static String ourLink(RtnlLink l, String ipLinkType) {
        StringBuilder f = new StringBuilder();
        for (String name : new TreeSet<>(IP_FLAGS.keySet())) {
            if ((l.flags() & IP_FLAGS.get(name)) != 0) {
                f.append(name).append(' ');
            }
        }
        String address = ipLinkType.equals("ether") || ipLinkType.equals("loopback") ? l.addressText() : "-";
        return l.index() + " " + l.name() + " mtu " + Integer.toUnsignedLong(l.mtu()) + " " + address + " "
                + l.operState().shortName() + " [" + f.toString().trim() + "] kind=" + l.kind();
    }

    @Test
    void linksEqualIpLinkShow() throws Exception {
        Map<String, Object> ip = new HashMap<>();
        List<RtnlLink> ours = stable(new String[] {"ip", "-j", "-d", "link", "show"}, rt::links, ip);
        List<Map<String, Object>> theirs = TestSupport.jsonArray((String) ip.get("json"));
        List<String> expected = new ArrayList<>();
        Map<Integer, String> types = new HashMap<>();
        for (Map<String, Object> l : theirs) {
            expected.add(ipLink(l));
            types.put(((Long) l.get("ifindex")).intValue(), String.valueOf(l.get("link_type")));
        }
        List<String> actual = new ArrayList<>();
        for (RtnlLink l : ours) {
            actual.add(ourLink(l, types.getOrDefault(l.index(), "?")));
        }
        assertEquals(expected, actual);
        assertTrue(ours.stream().anyMatch(l -> l.name().equals("lo") && (l.flags() & LibC.IFF_LOOPBACK()) != 0));
    }

    @Test
    void getByIndexAndByNameEqualTheDumpEntry() throws Exception {
        RtnlLink lo = rt.links().stream().filter(l -> l.name().equals("lo")).findFirst().orElseThrow();
        assertEquals(lo, rt.link(lo.index()));
        assertEquals(lo, rt.link("lo"));
        assertEquals(772, lo.type(), "ARPHRD_LOOPBACK");
        assertEquals(6, lo.address().length);
    }

    @Test
    void aMissingLinkIsENODEV() throws Exception {
        var e = assertThrows(NetlinkErrorException.class, () -> rt.link(999_999));
        assertEquals("ENODEV", e.errnoName());
        assertEquals(LibC.RTM_GETLINK(), e.requestType());
        e = assertThrows(NetlinkErrorException.class, () -> rt.link(TestSupport.linkName("none")));
        assertEquals("ENODEV", e.errnoName());
        // The socket carries on after an error.
        assertEquals("lo", rt.link("lo").name());
    }

    @Test
    void extendedAckPointsAtTheRejectedAttribute() throws Exception {
        // RTM_GETLINK with an IFLA_IFNAME longer than IFNAMSIZ: the kernel names the attribute's offset.
        byte[] ifinfomsg = new byte[16];
        byte[] attrs = new AttributeEncoder().string(LibC.IFLA_IFNAME(), "x".repeat(40)).encode();
        byte[] payload = new byte[16 + attrs.length];
        System.arraycopy(ifinfomsg, 0, payload, 0, 16);
        System.arraycopy(attrs, 0, payload, 16, attrs.length);
        var e = assertThrows(NetlinkErrorException.class,
                () -> rt.socket().execute(NetlinkMessage.request(LibC.RTM_GETLINK(), 0, payload)));
        assertTrue(e.extAckMessage().isPresent(), "NETLINK_EXT_ACK is on: " + e.getMessage());
        assertEquals(32, e.extAckOffset().orElseThrow(), "16-byte nlmsghdr + 16-byte ifinfomsg: " + e.getMessage());
    }

    @Test
    void badNamesAreRejectedBeforeAnyRequest() {
        assertEquals("interface name \"" + "x".repeat(16) + "\" is 16 bytes; IFNAMSIZ holds 1 to 15 plus the NUL",
                assertThrows(IllegalArgumentException.class, () -> rt.link("x".repeat(16))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> rt.link(""));
        assertThrows(IllegalArgumentException.class, () -> rt.link("a/b"));
        assertThrows(IllegalArgumentException.class, () -> rt.link(0));
        assertThrows(IllegalArgumentException.class, () -> rt.addresses(Family.UNIX));
    }

    private static String scope(int scope) {
        return SCOPES.getOrDefault(scope, Integer.toString(scope));
    }

    @Test
    @SuppressWarnings("unchecked")
    void addressesEqualIpAddrShow() throws Exception {
        Map<String, Object> ip = new HashMap<>();
        List<RtnlAddr> ours = stable(new String[] {"ip", "-j", "addr", "show"}, rt::addresses, ip);
        Set<String> expected = new TreeSet<>();
        for (Map<String, Object> l : TestSupport.jsonArray((String) ip.get("json"))) {
            for (Map<String, Object> a : (List<Map<String, Object>>) l.get("addr_info")) {
                Object label = a.get("label");
                expected.add(l.get("ifindex") + " " + a.get("family") + " " + canon((String) a.get("local")) + "/"
                        + a.get("prefixlen") + " scope " + a.get("scope") + " label " + (label == null ? "" : label));
            }
        }
        Set<String> actual = new TreeSet<>();
        for (RtnlAddr a : ours) {
            actual.add(a.index() + " " + (a.family().equals(Family.INET) ? "inet" : "inet6") + " " + a.cidr()
                    + " scope " + scope(a.scope()) + " label " + a.label());
        }
        assertEquals(expected, actual);
        assertTrue(actual.stream().anyMatch(s -> s.contains(" inet 127.0.0.1/8 scope host label lo")), actual.toString());
    }

    @Test
    void routesOfTheMainTableEqualIpRouteShow() throws Exception {
        for (Family family : List.of(Family.INET, Family.INET6)) {
            String[] cmd = family.equals(Family.INET) ? new String[] {"ip", "-j", "-d", "route", "show"}
                    : new String[] {"ip", "-j", "-d", "-6", "route", "show"};
            Map<String, Object> ip = new HashMap<>();
            List<RtnlRoute> ours = stable(cmd, () -> rt.routes(family), ip);
            Map<Integer, String> names = new HashMap<>();
            for (RtnlLink l : rt.links()) {
                names.put(l.index(), l.name());
            }
            Set<String> expected = new TreeSet<>();
            for (Map<String, Object> r : TestSupport.jsonArray((String) ip.get("json"))) {
                String dst = (String) r.get("dst");
                if (!dst.equals("default")) {
                    String[] parts = dst.split("/");
                    dst = canon(parts[0]) + (parts.length > 1 ? "/" + parts[1] : "");
                }
                expected.add(r.get("type") + " " + dst + " via " + (r.get("gateway") == null ? "-" : canon((String) r.get("gateway")))
                        + " dev " + (r.get("dev") == null ? "-" : r.get("dev")) + " proto " + r.get("protocol")
                        + " scope " + r.get("scope") + " src " + (r.get("prefsrc") == null ? "-" : canon((String) r.get("prefsrc")))
                        + " metric " + (r.get("metric") == null ? 0 : r.get("metric")));
            }
            Set<String> actual = new TreeSet<>();
            for (RtnlRoute r : ours) {
                if (r.table() != LibC.RT_TABLE_MAIN()) {
                    continue;
                }
                actual.add((r.type() < TYPES.length ? TYPES[r.type()] : Integer.toString(r.type())) + " " + r.destinationText()
                        + " via " + r.gateway().map(InetAddress::getHostAddress).orElse("-")
                        + " dev " + (r.outputInterface() == 0 ? "-" : names.get(r.outputInterface()))
                        + " proto " + PROTOS.getOrDefault(r.protocol(), Integer.toString(r.protocol()))
                        + " scope " + scope(r.scope())
                        + " src " + r.preferredSource().map(InetAddress::getHostAddress).orElse("-")
                        + " metric " + Integer.toUnsignedLong(r.priority()));
            }
            assertEquals(expected, actual, family.toString());
        }
        assertTrue(rt.routes(Family.INET).stream().anyMatch(r -> r.table() == LibC.RT_TABLE_LOCAL()),
                "the local table is listed too");
    }

    // ------------------------------------------------------------------------------ as root

    private static void deleteQuietly(String name) {
        try {
            rt.deleteLink(name);
        } catch (IOException e) {
            // already gone
        }
    }

    private static void disableIpv6(String name) {
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6"), "1");
        } catch (IOException e) {
            // no IPv6: nothing to disable
        }
    }

    @Test
    void changesWithoutPrivilegeAreEPERMAndUnknownKindsCarryTheKernelsText() throws Exception {
        String name = TestSupport.linkName("k");
        var e = assertThrows(NetlinkErrorException.class, () -> rt.createLink(name, "psk-no-such-kind"));
        if (TestSupport.isRoot()) {
            assertEquals("EOPNOTSUPP", e.errnoName());
            assertEquals("Unknown device type", e.extAckMessage().orElseThrow());
            assertEquals("netlink request type 16: EOPNOTSUPP (Operation not supported): Unknown device type", e.getMessage());
        } else {
            assertEquals("EPERM", e.errnoName());
        }
    }

    @Test
    void vethLifecycleAsRootAgreesWithIp() throws Exception {
        assumeTrue(TestSupport.isRoot(), "creating links needs root (CAP_NET_ADMIN): the veth lifecycle is skipped");
        String a = TestSupport.linkName("a");
        String b = TestSupport.linkName("b");
        deleteQuietly(a);
        try {
            rt.createVeth(a, b);
            assertEquals("EEXIST", assertThrows(NetlinkErrorException.class, () -> rt.createVeth(a, b)).errnoName());
            RtnlLink la = rt.link(a);
            RtnlLink lb = rt.link(b);
            assertEquals("veth", la.kind());
            assertEquals("veth", lb.kind());
            assertFalse(la.isUp());
            assertEquals(la, rt.link(la.index()));
            assertEquals(6, la.address().length);
            var ipA = TestSupport.jsonArray(TestSupport.run("ip", "-j", "-d", "link", "show", "dev", a)).get(0);
            assertEquals(ipLink(ipA), ourLink(la, "ether"));
            assertTrue(rt.links().contains(la));

            // IPv4 and IPv6 addresses, while the link is down.
            long pid = ProcessHandle.current().pid();
            InetAddress v4 = InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (pid % 250), 1});
            InetAddress v6 = InetAddress.getByName("fd70:736b::" + Long.toHexString(pid & 0xFFFF) + ":1");
            rt.addAddress(la.index(), v4, 24);
            rt.addAddress(la.index(), v6, 64);
            assertEquals("EEXIST", assertThrows(NetlinkErrorException.class, () -> rt.addAddress(la.index(), v4, 24)).errnoName());
            RtnlAddr got4 = rt.addresses(Family.INET).stream().filter(x -> x.index() == la.index()).findFirst().orElseThrow();
            assertEquals(v4, got4.address());
            assertEquals(24, got4.prefixLength());
            assertEquals(a, got4.label());
            assertEquals(LibC.RT_SCOPE_UNIVERSE(), got4.scope());
            assertTrue(rt.addresses(Family.INET6).stream().anyMatch(x -> x.index() == la.index() && x.address().equals(v6)
                    && x.prefixLength() == 64));
            Set<String> ipLocals = new TreeSet<>();
            for (Map<String, Object> x : ipAddrInfo(a)) {
                ipLocals.add(canon((String) x.get("local")) + "/" + x.get("prefixlen"));
            }
            assertEquals(Set.of(v4.getHostAddress() + "/24", v6.getHostAddress() + "/64"), ipLocals);
            rt.deleteAddress(la.index(), v4, 24);
            rt.deleteAddress(la.index(), v6, 64);
            assertEquals("EADDRNOTAVAIL",
                    assertThrows(NetlinkErrorException.class, () -> rt.deleteAddress(la.index(), v4, 24)).errnoName());
            assertTrue(rt.addresses().stream().noneMatch(x -> x.index() == la.index() && !x.address().isLinkLocalAddress()));

            // Up and down. The peer stays down, so the link has no carrier and sends nothing.
            disableIpv6(a);
            disableIpv6(b);
            rt.setLinkUp(la.index(), true);
            RtnlLink up = rt.link(la.index());
            assertTrue(up.isUp());
            assertNotEquals(OperState.UP, up.operState(), "no carrier without the peer");
            assertFalse(rt.link(b).isUp());
            var ipUp = TestSupport.jsonArray(TestSupport.run("ip", "-j", "-d", "link", "show", "dev", a)).get(0);
            assertEquals(ipLink(ipUp), ourLink(up, "ether"));
            rt.setLinkUp(la.index(), false);
            assertFalse(rt.link(la.index()).isUp());

            // Deleting one end deletes the pair.
            rt.deleteLink(la.index());
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.link(a)).errnoName());
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.link(b)).errnoName());
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.deleteLink(a)).errnoName());
        } finally {
            deleteQuietly(a);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> ipAddrInfo(String dev) throws Exception {
        return (List<Map<String, Object>>) TestSupport.jsonArray(TestSupport.run("ip", "-j", "addr", "show", "dev", dev))
                .get(0).get("addr_info");
    }

    @Test
    void dummyLinkIsCreatedWhereTheKernelHasIt() throws Exception {
        assumeTrue(TestSupport.isRoot(), "creating links needs root (CAP_NET_ADMIN): the dummy link is skipped");
        String name = TestSupport.linkName("d");
        deleteQuietly(name);
        try {
            rt.createLink(name, "dummy");
        } catch (NetlinkErrorException e) {
            // This kernel has no dummy driver: the refusal must say so, in the kernel's words.
            assertEquals("EOPNOTSUPP", e.errnoName(), e.getMessage());
            assertEquals("Unknown device type", e.extAckMessage().orElseThrow());
            return;
        }
        try {
            RtnlLink d = rt.link(name);
            assertEquals("dummy", d.kind());
            rt.deleteLink(name);
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.link(name)).errnoName());
        } finally {
            deleteQuietly(name);
        }
    }

    @Test
    void anotherSocketCanReadThroughTheRawRequestLayer() throws Exception {
        try (var nl = NetlinkSocket.open(Protocol.NETLINK_ROUTE)) {
            var replies = nl.execute(NetlinkMessage.request(LibC.RTM_GETLINK(), NetlinkFlags.DUMP, new byte[16]));
            assertFalse(replies.isEmpty());
            for (NetlinkMessage m : replies) {
                assertEquals(nl.pid(), m.header().pid());
                assertTrue(m.header().has(NetlinkFlags.MULTI));
            }
            assertEquals(rt.links().size(), replies.size());
        }
    }
}
