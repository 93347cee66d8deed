package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * iproute2 as the oracle for rtnetlink: what {@code ip -j -d link}, {@code ip -j addr} and
 * {@code ip -j -d route} print, and what the library's records say, each turned into the same
 * one-line text so that the two can be compared as lists or sets.
 */
final class IpOracle {
    private IpOracle() {}

    /** What ip printed, and what the library read between two identical ip runs. */
    record Reading<T>(String json, T ours) {}

    /**
     * Runs {@code ip} before and after reading with the library, and again until both ip runs agree,
     * so that the comparison is made against a state that held still while the library read it.
     */
    static <T> Reading<T> stable(String[] ip, Callable<T> ours) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            String before = TestSupport.run(ip);
            T value = ours.call();
            String after = TestSupport.run(ip);
            if (before.equals(after)) {
                return new Reading<>(before, value);
            }
        }
        throw new AssertionError("the state kept changing under " + String.join(" ", ip));
    }

    /** An address literal as InetAddress prints it: ip's short IPv6 form and Java's differ. */
    static String canon(String address) throws IOException {
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
    private static final Map<Integer, String> TABLES = Map.of(253, "default", 254, "main", 255, "local");
    private static final Map<String, Integer> IP_FLAGS = Map.of("UP", LibC.IFF_UP(), "BROADCAST", LibC.IFF_BROADCAST(),
            "LOOPBACK", LibC.IFF_LOOPBACK(), "POINTOPOINT", LibC.IFF_POINTOPOINT(), "NOARP", LibC.IFF_NOARP(),
            "PROMISC", LibC.IFF_PROMISC(), "MULTICAST", LibC.IFF_MULTICAST());

    static String scope(int scope) {
        return SCOPES.getOrDefault(scope, Integer.toString(scope));
    }

    static String protocol(int protocol) {
        return PROTOS.getOrDefault(protocol, Integer.toString(protocol));
    }

    static String table(int table) {
        return TABLES.getOrDefault(table, Integer.toUnsignedString(table));
    }

    static String type(int type) {
        return type < TYPES.length ? TYPES[type] : Integer.toString(type);
    }

    // ------------------------------------------------------------------------------ links

    /** What `ip -j -d link` says of a link, in the form {@link #link(RtnlLink, String)} gives it. */
    @SuppressWarnings("unchecked")
    static String link(Map<String, Object> l) {
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

    /** A link record as {@link #link(Map)} writes ip's, given ip's link_type for it. */
    static String link(RtnlLink l, String ipLinkType) {
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

    /** The links `ip -j -d link show` prints, in its order, one line each. */
    static List<String> links(String ipJson) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> l : TestSupport.jsonArray(ipJson)) {
            out.add(link(l));
        }
        return out;
    }

    /** The library's links in the form of {@link #links(String)}, with ip's link types from {@code ipJson}. */
    static List<String> links(List<RtnlLink> ours, String ipJson) {
        Map<Integer, String> types = new HashMap<>();
        for (Map<String, Object> l : TestSupport.jsonArray(ipJson)) {
            types.put(((Long) l.get("ifindex")).intValue(), String.valueOf(l.get("link_type")));
        }
        List<String> out = new ArrayList<>();
        for (RtnlLink l : ours) {
            out.add(link(l, types.getOrDefault(l.index(), "?")));
        }
        return out;
    }

    // ------------------------------------------------------------------------------ addresses

    /** The addresses `ip -j addr show` prints, one line each. */
    @SuppressWarnings("unchecked")
    static Set<String> addresses(String ipJson) throws IOException {
        Set<String> out = new TreeSet<>();
        for (Map<String, Object> l : TestSupport.jsonArray(ipJson)) {
            for (Map<String, Object> a : (List<Map<String, Object>>) l.get("addr_info")) {
                Object label = a.get("label");
                out.add(l.get("ifindex") + " " + a.get("family") + " " + canon((String) a.get("local")) + "/"
                        + a.get("prefixlen") + " scope " + a.get("scope") + " label " + (label == null ? "" : label));
            }
        }
        return out;
    }

    /** The library's addresses in the form of {@link #addresses(String)}. */
    static Set<String> addresses(List<RtnlAddr> ours) {
        Set<String> out = new TreeSet<>();
        for (RtnlAddr a : ours) {
            out.add(a.index() + " " + (a.family().equals(Family.INET) ? "inet" : "inet6") + " " + a.cidr()
                    + " scope " + scope(a.scope()) + " label " + a.label());
        }
        return out;
    }

    // ------------------------------------------------------------------------------ routes

    /** A route of `ip -j -d route show` (or of `ip -j -d route get`), one line; no table means main. */
    static String route(Map<String, Object> r) throws IOException {
        String dst = (String) r.get("dst");
        if (!dst.equals("default")) {
            String[] parts = dst.split("/");
            dst = canon(parts[0]) + (parts.length > 1 ? "/" + parts[1] : "");
        }
        return "table " + (r.get("table") == null ? "main" : r.get("table")) + " " + r.get("type") + " " + dst
                + " via " + (r.get("gateway") == null ? "-" : canon((String) r.get("gateway")))
                + " dev " + (r.get("dev") == null ? "-" : r.get("dev")) + " proto " + r.get("protocol")
                + " scope " + r.get("scope") + " src " + (r.get("prefsrc") == null ? "-" : canon((String) r.get("prefsrc")))
                + " metric " + (r.get("metric") == null ? 0 : r.get("metric"));
    }

    /** The routes `ip -j -d route show` prints. */
    static Set<String> routes(String ipJson) throws IOException {
        Set<String> out = new TreeSet<>();
        for (Map<String, Object> r : TestSupport.jsonArray(ipJson)) {
            out.add(route(r));
        }
        return out;
    }

    /** A route record in the form of {@link #route(Map)}, with interface names from {@code names}. */
    static String route(RtnlRoute r, Map<Integer, String> names) {
        return "table " + table(r.table()) + " " + type(r.type()) + " " + r.destinationText()
                + " via " + r.gateway().map(InetAddress::getHostAddress).orElse("-")
                + " dev " + (r.outputInterface() == 0 ? "-" : names.get(r.outputInterface()))
                + " proto " + protocol(r.protocol())
                + " scope " + scope(r.scope())
                + " src " + r.preferredSource().map(InetAddress::getHostAddress).orElse("-")
                + " metric " + Integer.toUnsignedLong(r.priority());
    }

    /** The library's routes in the form of {@link #routes(String)}. */
    static Set<String> routes(List<RtnlRoute> ours, Map<Integer, String> names) {
        Set<String> out = new TreeSet<>();
        for (RtnlRoute r : ours) {
            out.add(route(r, names));
        }
        return out;
    }

    /** What `ip -j -d route get` prints of a lookup: no protocol, scope or metric. */
    static String lookup(Map<String, Object> r) throws IOException {
        return "table " + r.get("table") + " " + r.get("type") + " " + canon((String) r.get("dst"))
                + " via " + (r.get("gateway") == null ? "-" : canon((String) r.get("gateway")))
                + " dev " + r.get("dev") + " src " + (r.get("prefsrc") == null ? "-" : canon((String) r.get("prefsrc")));
    }

    /** A route the library looked up, in the form of {@link #lookup(Map)}. */
    static String lookup(RtnlRoute r, Map<Integer, String> names) {
        return "table " + table(r.table()) + " " + type(r.type()) + " " + r.destinationText()
                + " via " + r.gateway().map(InetAddress::getHostAddress).orElse("-")
                + " dev " + names.get(r.outputInterface())
                + " src " + r.preferredSource().map(InetAddress::getHostAddress).orElse("-");
    }

    /** Interface index to name, from the library's link dump. */
    static Map<Integer, String> names(RouteNetlink rt) throws IOException {
        Map<Integer, String> names = new HashMap<>();
        for (RtnlLink l : rt.links()) {
            names.put(l.index(), l.name());
        }
        return names;
    }
}
