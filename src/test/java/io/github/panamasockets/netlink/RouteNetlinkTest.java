package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * rtnetlink against the real kernel in the host's namespace, read only, with iproute2 as the
 * oracle: the links, addresses and routes (main table and every table) the library lists equal
 * what {@code ip -j} prints, gets by index and name agree with the dump, a route lookup equals
 * {@code ip route get}, and errors carry the kernel's errno and text. Nothing here changes the
 * host; the changes are tested in a namespace of their own, by RouteNetlinkNamespaceTest.
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

    @Test
    void linksEqualIpLinkShow() throws Exception {
        var r = IpOracle.stable(new String[] {"ip", "-j", "-d", "link", "show"}, rt::links);
        assertEquals(IpOracle.links(r.json()), IpOracle.links(r.ours(), r.json()));
        assertTrue(r.ours().stream().anyMatch(l -> l.name().equals("lo") && (l.flags() & LibC.IFF_LOOPBACK()) != 0));
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

    @Test
    void badRoutesAndPrefixesAreRejectedBeforeAnyRequest() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.0");
        InetAddress v6 = InetAddress.getByName("2001:db8::");
        assertEquals("prefix length 33 is out of range 0 to 32 for 192.0.2.0",
                assertThrows(IllegalArgumentException.class, () -> RtnlRouteSpec.to(v4, 33)).getMessage());
        assertEquals("prefix length 129 is out of range 0 to 128 for 2001:db8:0:0:0:0:0:0",
                assertThrows(IllegalArgumentException.class, () -> RtnlRouteSpec.to(v6, 129)).getMessage());
        assertEquals("prefix length -1 is out of range 0 to 32 for 192.0.2.0",
                assertThrows(IllegalArgumentException.class, () -> rt.addAddress(1, v4, -1)).getMessage());
        assertEquals("gateway 2001:db8:0:0:0:0:0:1 is AF_INET6 but the destination 192.0.2.0 is AF_INET",
                assertThrows(IllegalArgumentException.class,
                        () -> RtnlRouteSpec.to(v4, 24).via(InetAddress.getByName("2001:db8::1"))).getMessage());
        assertEquals("routing table 0 is RT_TABLE_UNSPEC; tables are 1 to 4294967295, main is 254",
                assertThrows(IllegalArgumentException.class, () -> RtnlRouteSpec.to(v4, 24).table(0)).getMessage());
        assertEquals("route protocol 256 is out of range 0 to 255",
                assertThrows(IllegalArgumentException.class, () -> RtnlRouteSpec.to(v4, 24).protocol(256)).getMessage());
        assertEquals("interface index 0 is not an index: they start at 1",
                assertThrows(IllegalArgumentException.class, () -> RtnlRouteSpec.to(v4, 24).dev(0)).getMessage());
        assertEquals("output interface index -2 is negative; 0 means none",
                assertThrows(IllegalArgumentException.class,
                        () -> new RtnlRouteSpec(v4, 24, java.util.Optional.empty(), -2, 254, 0, 0)).getMessage());
        assertThrows(NullPointerException.class, () -> rt.addRoute(null));
        assertThrows(NullPointerException.class, () -> rt.route(null));
        // Large tables and metrics are unsigned, as the kernel's are.
        RtnlRouteSpec big = RtnlRouteSpec.to(v4, 24).dev(2).table(-1).priority(-1).protocol(4);
        assertEquals("RtnlRouteSpec[192.0.2.0/24 dev 2 table 4294967295 proto 4 metric 4294967295]", big.toString());
        assertEquals(Family.INET, big.family());
        assertEquals("RtnlRouteSpec[default via 2001:db8:0:0:0:0:0:1]",
                RtnlRouteSpec.to(InetAddress.getByName("::"), 0).via(InetAddress.getByName("2001:db8::1")).toString());
    }

    @Test
    void addressesEqualIpAddrShow() throws Exception {
        var r = IpOracle.stable(new String[] {"ip", "-j", "addr", "show"}, rt::addresses);
        Set<String> actual = IpOracle.addresses(r.ours());
        assertEquals(IpOracle.addresses(r.json()), actual);
        assertTrue(actual.stream().anyMatch(s -> s.contains(" inet 127.0.0.1/8 scope host label lo")), actual.toString());
    }

    @Test
    void routesOfTheMainTableEqualIpRouteShow() throws Exception {
        for (Family family : List.of(Family.INET, Family.INET6)) {
            String[] cmd = {"ip", family.equals(Family.INET) ? "-4" : "-6", "-j", "-d", "route", "show"};
            var r = IpOracle.stable(cmd, () -> rt.routes(family));
            List<RtnlRoute> main = r.ours().stream().filter(x -> x.table() == LibC.RT_TABLE_MAIN()).toList();
            assertEquals(IpOracle.routes(r.json()), IpOracle.routes(main, IpOracle.names(rt)), family.toString());
        }
    }

    @Test
    void routesOfEveryTableEqualIpRouteShowTableAll() throws Exception {
        for (Family family : List.of(Family.INET, Family.INET6)) {
            String[] cmd = {"ip", family.equals(Family.INET) ? "-4" : "-6", "-j", "-d", "route", "show", "table", "all"};
            var r = IpOracle.stable(cmd, () -> rt.routes(family));
            assertEquals(IpOracle.routes(r.json()), IpOracle.routes(r.ours(), IpOracle.names(rt)), family.toString());
        }
        assertTrue(rt.routes(Family.INET).stream().anyMatch(r -> r.table() == LibC.RT_TABLE_LOCAL()),
                "the local table is listed too");
    }

    @Test
    void aLookupOfLoopbackEqualsIpRouteGet() throws Exception {
        // RTM_GETROUTE without NLM_F_DUMP is a lookup in the kernel: nothing is sent anywhere.
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        RtnlRoute got = rt.route(lo);
        var ip = TestSupport.jsonArray(TestSupport.run("ip", "-j", "-d", "route", "get", "127.0.0.1")).get(0);
        assertEquals(IpOracle.lookup(ip), IpOracle.lookup(got, IpOracle.names(rt)));
        assertEquals(LibC.RTN_LOCAL(), got.type());
        assertEquals(lo, got.destination());
        assertEquals(32, got.destinationLength());
        assertEquals(rt.link("lo").index(), got.outputInterface());
    }

    @Test
    void changesWithoutPrivilegeAreEPERM() throws Exception {
        assumeFalse(TestSupport.isRoot(), "as root the kernel would make the change: the refusal without "
                + "CAP_NET_ADMIN is tested only when not root, and changes as root only in a namespace (RouteNetlinkNamespaceTest)");
        var e = assertThrows(NetlinkErrorException.class, () -> rt.createLink(TestSupport.linkName("k"), "bridge"));
        assertEquals("EPERM", e.errnoName());
        e = assertThrows(NetlinkErrorException.class, () -> rt.setLinkUp(rt.link("lo").index(), false));
        assertEquals("EPERM", e.errnoName());
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
