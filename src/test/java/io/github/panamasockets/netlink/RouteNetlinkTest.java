package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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
 * oracle: the links, addresses and routes the library lists equal what {@code ip -j} prints,
 * gets by index and name agree with the dump, and errors carry the kernel's errno and text. Nothing here changes the
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
