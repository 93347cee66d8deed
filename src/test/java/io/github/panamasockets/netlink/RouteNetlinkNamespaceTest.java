package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifinfomsg;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rtnetlink changes, each test in a network namespace of its own that it makes and deletes
 * (TestNamespace), with {@code ip -n NS -j} as the oracle: veth pairs and links of other kinds are
 * created, set up and down and deleted; addresses are added and removed; routes are added to the
 * main table and others, looked up and deleted; and what the library lists afterwards equals what
 * ip prints, in every table. Nothing outside the namespace is touched. The veth peers stay down, so
 * no link has a carrier and nothing is sent.
 */
class RouteNetlinkNamespaceTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);   // a literal: no name lookup
    }

    /** Adds {@code pairs} veth pairs psk-aN and psk-bN in one {@code ip -batch}. */
    private static void addVethPairs(TestNamespace t, int pairs) throws Exception {
        Path batch = Files.createTempFile("psk-links", ".batch");
        try {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < pairs; i++) {
                b.append("link add psk-a").append(i).append(" type veth peer name psk-b").append(i).append('\n');
            }
            Files.writeString(batch, b);
            t.ip("-batch", batch.toString());
        } finally {
            Files.delete(batch);
        }
    }

    @Test
    void aListingOfManyDatagramsAgreesWithIpAndWithTheMessages() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            addVethPairs(t, 100);
            var all = IpOracle.stable(new String[] {"ip", "-n", t.name, "-j", "-d", "link", "show"}, rt::links);
            assertEquals(201, all.ours().size());
            assertEquals(IpOracle.links(all.json()), IpOracle.links(all.ours(), all.json()));
            // The same dump as messages: several buffers' worth, decoded as copies, the same links.
            List<NetlinkMessage> replies = rt.socket().execute(NetlinkMessage.request(LibC.RTM_GETLINK(),
                    NetlinkFlags.DUMP, new byte[(int) ifinfomsg.sizeof()]));
            long bytes = replies.stream().mapToLong(m -> m.header().length()).sum();
            assertTrue(bytes > 2 * NetlinkSocket.INITIAL_BUFFER, bytes + " bytes");
            List<RtnlLink> decoded = new ArrayList<>();
            for (NetlinkMessage m : replies) {
                decoded.add(RtnlLink.from(m));
            }
            assertEquals(decoded, rt.links());
        }
    }

    @Test
    void aListingWhoseDatagramsOutgrowTheBufferIsRepeatedWithALargerOne() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            addVethPairs(t, 20);
            rt.socket().maxBuffer(1024);                       // a small buffer ...
            rt.socket().maxBuffer(NetlinkSocket.MAX_BUFFER);   // ... that may grow again
            assertEquals(1024, rt.socket().bufferSize());
            var all = IpOracle.stable(new String[] {"ip", "-n", t.name, "-j", "-d", "link", "show"}, rt::links);
            assertEquals(41, all.ours().size());
            assertEquals(IpOracle.links(all.json()), IpOracle.links(all.ours(), all.json()));
            assertTrue(rt.socket().bufferSize() > 1024, "grown to " + rt.socket().bufferSize());
        }
    }

    @Test
    void vethLifecycleAgreesWithIp() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            rt.createVeth("psk-a", "psk-b");
            assertEquals("EEXIST", assertThrows(NetlinkErrorException.class, () -> rt.createVeth("psk-a", "psk-b")).errnoName());
            RtnlLink a = rt.link("psk-a");
            assertEquals("veth", a.kind());
            assertEquals("veth", rt.link("psk-b").kind());
            assertFalse(a.isUp());
            assertEquals(a, rt.link(a.index()));
            assertEquals(6, a.address().length);
            var ipA = TestSupport.jsonArray(t.ip("-j", "-d", "link", "show", "dev", "psk-a")).get(0);
            assertEquals(IpOracle.link(ipA), IpOracle.link(a, "ether"));
            var all = IpOracle.stable(new String[] {"ip", "-n", t.name, "-j", "-d", "link", "show"}, rt::links);
            assertEquals(IpOracle.links(all.json()), IpOracle.links(all.ours(), all.json()));
            assertEquals(List.of("lo", "psk-b", "psk-a"), all.ours().stream().map(RtnlLink::name).toList());

            // Addresses, while the link is down.
            InetAddress v4 = ip("198.51.100.1");
            InetAddress v6 = ip("2001:db8::1");
            rt.addAddress(a.index(), v4, 24);
            rt.addAddress(a.index(), v6, 64);
            assertEquals("EEXIST", assertThrows(NetlinkErrorException.class, () -> rt.addAddress(a.index(), v4, 24)).errnoName());
            RtnlAddr got4 = rt.addresses(Family.INET).stream().filter(x -> x.index() == a.index()).findFirst().orElseThrow();
            assertEquals(v4, got4.address());
            assertEquals(24, got4.prefixLength());
            assertEquals("psk-a", got4.label());
            assertEquals(LibC.RT_SCOPE_UNIVERSE(), got4.scope());
            var addrs = IpOracle.stable(new String[] {"ip", "-n", t.name, "-j", "addr", "show"}, rt::addresses);
            Set<String> listed = IpOracle.addresses(addrs.ours());
            assertEquals(IpOracle.addresses(addrs.json()), listed);
            assertEquals(Set.of(a.index() + " inet 198.51.100.1/24 scope global label psk-a",
                    a.index() + " inet6 2001:db8:0:0:0:0:0:1/64 scope global label "), listed);
            rt.deleteAddress(a.index(), v4, 24);
            rt.deleteAddress(a.index(), v6, 64);
            assertEquals("EADDRNOTAVAIL",
                    assertThrows(NetlinkErrorException.class, () -> rt.deleteAddress(a.index(), v4, 24)).errnoName());
            assertEquals(List.of(), rt.addresses());

            // Up and down. The peer stays down, so the link has no carrier.
            rt.setLinkUp(a.index(), true);
            RtnlLink up = rt.link(a.index());
            assertTrue(up.isUp());
            assertNotEquals(OperState.UP, up.operState(), "no carrier without the peer");
            assertFalse(rt.link("psk-b").isUp());
            var ipUp = TestSupport.jsonArray(t.ip("-j", "-d", "link", "show", "dev", "psk-a")).get(0);
            assertEquals(IpOracle.link(ipUp), IpOracle.link(up, "ether"));
            rt.setLinkUp(a.index(), false);
            assertFalse(rt.link(a.index()).isUp());

            // Deleting one end deletes the pair.
            rt.deleteLink(a.index());
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.link("psk-a")).errnoName());
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.link("psk-b")).errnoName());
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.deleteLink("psk-a")).errnoName());
            assertEquals(List.of("lo"), rt.links().stream().map(RtnlLink::name).toList());
        }
    }

    @Test
    void linksOfOtherKindsAreCreatedByKindAndAgreeWithIp() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            for (String kind : List.of("bridge", "veth")) {
                String name = "psk-" + kind;
                rt.createLink(name, kind);
                RtnlLink l = rt.link(name);
                assertEquals(kind, l.kind());
                var ipL = TestSupport.jsonArray(t.ip("-j", "-d", "link", "show", "dev", name)).get(0);
                assertEquals(IpOracle.link(ipL), IpOracle.link(l, "ether"));
                assertEquals("EEXIST", assertThrows(NetlinkErrorException.class, () -> rt.createLink(name, kind)).errnoName());
                rt.deleteLink(name);
                assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.link(name)).errnoName());
            }
            // A veth made without a peer gets one the kernel names; deleting the link took it too.
            assertEquals(List.of("lo"), rt.links().stream().map(RtnlLink::name).toList());
        }
    }

    @Test
    void anUnknownKindIsRefusedInTheKernelsWords() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            var e = assertThrows(NetlinkErrorException.class, () -> rt.createLink("psk-k", "psk-no-such-kind"));
            assertEquals("EOPNOTSUPP", e.errnoName());
            assertEquals("Unknown device type", e.extAckMessage().orElseThrow());
            assertEquals("netlink request type 16: EOPNOTSUPP (Operation not supported): Unknown device type", e.getMessage());
            assertEquals(List.of("lo"), rt.links().stream().map(RtnlLink::name).toList());
        }
    }

    @Test
    void aDummyLinkWhereTheKernelHasTheDriver() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            try {
                rt.createLink("psk-dummy", "dummy");
            } catch (NetlinkErrorException e) {
                assertEquals("EOPNOTSUPP", e.errnoName(), e.getMessage());
                assertEquals("Unknown device type", e.extAckMessage().orElseThrow());
                Assumptions.abort("this kernel has no dummy driver (" + e.getMessage() + "): the veth and bridge tests "
                        + "create links instead");
            }
            RtnlLink d = rt.link("psk-dummy");
            assertEquals("dummy", d.kind());
            var ipD = TestSupport.jsonArray(t.ip("-j", "-d", "link", "show", "dev", "psk-dummy")).get(0);
            assertEquals(IpOracle.link(ipD), IpOracle.link(d, "ether"));
            rt.deleteLink("psk-dummy");
            assertEquals("ENODEV", assertThrows(NetlinkErrorException.class, () -> rt.link("psk-dummy")).errnoName());
        }
    }

    /** Every route of both families, in every table, as the library lists them and as ip does. */
    private static void routesEqualIp(TestNamespace t, RouteNetlink rt) throws Exception {
        Map<Integer, String> names = IpOracle.names(rt);
        for (Family family : List.of(Family.INET, Family.INET6)) {
            String[] cmd = {"ip", "-n", t.name, family.equals(Family.INET) ? "-4" : "-6", "-j", "-d", "route", "show", "table", "all"};
            var r = IpOracle.stable(cmd, () -> rt.routes(family));
            assertEquals(IpOracle.routes(r.json()), IpOracle.routes(r.ours(), names), family.toString());
        }
    }

    /** The routes of one family in one table, in IpOracle's one-line form. */
    private static Set<String> table(RouteNetlink rt, Family family, int table) throws Exception {
        Map<Integer, String> names = IpOracle.names(rt);
        Set<String> out = new TreeSet<>();
        for (RtnlRoute r : rt.routes(family)) {
            if (r.table() == table) {
                out.add(IpOracle.route(r, names));
            }
        }
        return out;
    }

    /** Makes veth psk-r (its peer down), sets it up and gives it 198.51.100.1/24; returns its index. */
    private static int upWithAddress(RouteNetlink rt) throws Exception {
        rt.createVeth("psk-r", "psk-rp");
        int dev = rt.link("psk-r").index();
        rt.setLinkUp(dev, true);
        rt.addAddress(dev, ip("198.51.100.1"), 24);
        return dev;
    }

    @Test
    void routesAreAddedLookedUpAndDeletedInEveryTable() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            int dev = upWithAddress(rt);
            rt.addAddress(dev, ip("2001:db8::1"), 64);
            routesEqualIp(t, rt);

            RtnlRouteSpec viaGateway = RtnlRouteSpec.to(ip("203.0.113.0"), 24).via(ip("198.51.100.2"));
            RtnlRouteSpec onLink = RtnlRouteSpec.to(ip("192.0.2.0"), 24).dev(dev).table(100).protocol(LibC.RTPROT_STATIC())
                    .priority(7);
            RtnlRouteSpec defaultRoute = RtnlRouteSpec.to(ip("0.0.0.0"), 0).via(ip("198.51.100.254")).dev(dev).table(1000);
            RtnlRouteSpec v6 = RtnlRouteSpec.to(ip("2001:db8:1::"), 48).via(ip("2001:db8::2")).dev(dev).table(200);
            for (RtnlRouteSpec r : List.of(viaGateway, onLink, defaultRoute, v6)) {
                rt.addRoute(r);
            }
            assertEquals("EEXIST", assertThrows(NetlinkErrorException.class, () -> rt.addRoute(viaGateway)).errnoName());
            routesEqualIp(t, rt);
            assertEquals(Set.of("table main unicast 203.0.113.0/24 via 198.51.100.2 dev psk-r proto boot scope global src - metric 0",
                    "table main unicast 198.51.100.0/24 via - dev psk-r proto kernel scope link src 198.51.100.1 metric 0"),
                    table(rt, Family.INET, LibC.RT_TABLE_MAIN()));
            assertEquals(Set.of("table 100 unicast 192.0.2.0/24 via - dev psk-r proto static scope link src - metric 7"),
                    table(rt, Family.INET, 100));
            assertEquals(Set.of("table 1000 unicast default via 198.51.100.254 dev psk-r proto boot scope global src - metric 0"),
                    table(rt, Family.INET, 1000));
            assertEquals(Set.of("table 200 unicast 2001:db8:1:0:0:0:0:0/48 via 2001:db8:0:0:0:0:0:2 dev psk-r proto boot scope global src - metric 1024"),
                    table(rt, Family.INET6, 200));

            // A lookup, as `ip route get`: the main table's route through the gateway.
            RtnlRoute found = rt.route(ip("203.0.113.9"));
            var ipFound = TestSupport.jsonArray(t.ip("-j", "-d", "route", "get", "203.0.113.9")).get(0);
            assertEquals(IpOracle.lookup(ipFound), IpOracle.lookup(found, IpOracle.names(rt)));
            assertEquals(ip("198.51.100.2"), found.gateway().orElseThrow());
            assertEquals(dev, found.outputInterface());
            // Tables 100 and 1000 are not consulted without a rule, so nothing reaches 192.0.2.5.
            var unreachable = assertThrows(NetlinkErrorException.class, () -> rt.route(ip("192.0.2.5")));
            assertEquals("ENETUNREACH", unreachable.errnoName());

            // Deleting matches the protocol only when one is given.
            var wrongProto = assertThrows(NetlinkErrorException.class, () -> rt.deleteRoute(onLink.protocol(LibC.RTPROT_BOOT())));
            assertEquals("ESRCH", wrongProto.errnoName());
            rt.deleteRoute(RtnlRouteSpec.to(ip("192.0.2.0"), 24).table(100));
            rt.deleteRoute(viaGateway);
            rt.deleteRoute(defaultRoute);
            rt.deleteRoute(v6);
            assertEquals("ESRCH", assertThrows(NetlinkErrorException.class, () -> rt.deleteRoute(viaGateway)).errnoName());
            assertEquals(Set.of(), table(rt, Family.INET, 100));
            assertEquals(Set.of(), table(rt, Family.INET, 1000));
            assertEquals(Set.of(), table(rt, Family.INET6, 200));
            routesEqualIp(t, rt);
        }
    }

    @Test
    void routesTheKernelRefusesCarryItsText() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            int dev = upWithAddress(rt);
            var hostBits = assertThrows(NetlinkErrorException.class, () -> rt.addRoute(RtnlRouteSpec.to(ip("203.0.113.1"), 24).dev(dev)));
            assertEquals("EINVAL", hostBits.errnoName());
            assertEquals("Invalid prefix for given prefix length", hostBits.extAckMessage().orElseThrow());
            var offLink = assertThrows(NetlinkErrorException.class,
                    () -> rt.addRoute(RtnlRouteSpec.to(ip("203.0.113.0"), 24).via(ip("192.0.2.1"))));
            assertEquals("ENETUNREACH", offLink.errnoName(), offLink.getMessage());
            var noDev = assertThrows(NetlinkErrorException.class, () -> rt.addRoute(RtnlRouteSpec.to(ip("203.0.113.0"), 24).dev(999)));
            assertEquals("ENODEV", noDev.errnoName(), noDev.getMessage());
            assertEquals(Set.of("table main unicast 198.51.100.0/24 via - dev psk-r proto kernel scope link src 198.51.100.1 metric 0"),
                    table(rt, Family.INET, LibC.RT_TABLE_MAIN()), "none of them was added");
        }
    }
}
