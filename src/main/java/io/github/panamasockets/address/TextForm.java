package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import java.util.HexFormat;

/** The text form of every address: what toString prints and Sockaddr.parse reads. */
final class TextForm {
    private TextForm() {}

    static final String UNNAMED = "(unnamed)";
    static final String UNIX_PREFIX = "unix:";
    static final String NETLINK_PREFIX = "netlink:";
    private static final String FLOW = " flowinfo=0x";

    static String format(SockaddrUnix.Pathname p) {
        String name = Names.escape(p.raw());
        return name.startsWith("/") || name.startsWith(".") ? name : UNIX_PREFIX + name;
    }

    static String format(SockaddrUnix.Abstract a) {
        return "@" + Names.escape(a.raw());
    }

    static String format(SockaddrInet6 a) {
        String scope = a.scopeId() == 0 ? "" : "%" + IpText.formatScope(a.scopeId());
        String flow = a.flowInfo() == 0 ? "" : FLOW + Integer.toHexString(a.flowInfo());
        return "[" + IpText.format6(a.raw()) + scope + "]:" + a.port() + flow;
    }

    static Sockaddr parse(String text) {
        if (text.isEmpty()) {
            throw new InvalidSockaddrException("empty address text; expected a form such as"
                    + " 127.0.0.1:80, [::1]:80, /run/app.sock, @name or netlink:0/0");
        }
        if (text.equals(UNNAMED)) {
            return SockaddrUnix.unnamed();
        }
        if (text.startsWith("@")) {
            return new SockaddrUnix.Abstract(Names.unescape(text.substring(1), "abstract name"));
        }
        if (text.startsWith("/") || text.startsWith(".")) {
            return new SockaddrUnix.Pathname(Names.unescape(text, "pathname"));
        }
        if (text.startsWith(UNIX_PREFIX)) {
            return new SockaddrUnix.Pathname(Names.unescape(text.substring(UNIX_PREFIX.length()), "pathname"));
        }
        if (text.startsWith(NETLINK_PREFIX)) {
            return parseNetlink(text);
        }
        if (text.startsWith("[")) {
            return parseInet6(text);
        }
        if (text.startsWith("AF_")) {
            return parseOther(text);
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidSockaddrException("no port in \"" + text
                    + "\"; an IPv4 address is written 127.0.0.1:80, and a relative Unix path unix:"
                    + text);
        }
        return new SockaddrInet4(IpText.parse4(text.substring(0, colon)), port(text.substring(colon + 1), text));
    }

    private static int port(String s, String text) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidSockaddrException("bad port \"" + s + "\" in \"" + text
                    + "\"; expected a decimal number 0 to 65535");
        }
        int port = Integer.parseInt(s);
        Codec.checkPort(port);
        return port;
    }

    private static SockaddrInet6 parseInet6(String text) {
        int close = text.indexOf(']');
        if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
            throw new InvalidSockaddrException("bad IPv6 address \"" + text
                    + "\"; expected [address]:port, such as [::1]:80 or [fe80::1%lo]:80");
        }
        String rest = text.substring(close + 2);
        int flow = 0;
        int f = rest.indexOf(FLOW);
        if (f >= 0) {
            String hex = rest.substring(f + FLOW.length());
            try {
                flow = Integer.parseUnsignedInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new InvalidSockaddrException("bad flow info \"" + hex + "\" in \"" + text
                        + "\"; expected hex, 0 to 0xfffff");
            }
            rest = rest.substring(0, f);
        }
        SockaddrInet6 a = SockaddrInet6.of(text.substring(1, close), port(rest, text));
        return a.withFlowInfo(flow);
    }

    private static SockaddrNetlink parseNetlink(String text) {
        String body = text.substring(NETLINK_PREFIX.length());
        int slash = body.indexOf('/');
        try {
            if (slash < 0) {
                return new SockaddrNetlink(Integer.parseUnsignedInt(body), 0);
            }
            return new SockaddrNetlink(Integer.parseUnsignedInt(body.substring(0, slash)),
                    parseU32(body.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new InvalidSockaddrException("bad netlink address \"" + text
                    + "\"; expected netlink:pid/groups with unsigned 32-bit numbers, such as netlink:0/0");
        }
    }

    /** An unsigned 32-bit number in decimal, or in hex after {@code 0x}. */
    private static int parseU32(String s) {
        if (s.startsWith("0x") || s.startsWith("0X")) {
            long v = Long.parseLong(s.substring(2), 16);
            if (v < 0 || v > 0xFFFFFFFFL || s.length() == 2 || s.charAt(2) == '-' || s.charAt(2) == '+') {
                throw new NumberFormatException(s);
            }
            return (int) v;
        }
        return Integer.parseUnsignedInt(s);
    }

    private static SockaddrOther parseOther(String text) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        String hex = colon < 0 ? "" : text.substring(colon + 1);
        Family family = null;
        for (Family f : new Family[] {Family.UNSPEC, Family.UNIX, Family.INET, Family.INET6, Family.NETLINK, Family.PACKET}) {
            if (f.cName().equals(name)) {
                family = f;
            }
        }
        try {
            if (family == null) {
                family = Family.of(Integer.parseInt(name.substring(3)));
            }
            return new SockaddrOther(family, HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            if (e instanceof InvalidSockaddrException ise) {
                throw ise;
            }
            throw new InvalidSockaddrException("bad address \"" + text
                    + "\"; expected AF_<name or number>:<hex bytes>, such as AF_PACKET:0003");
        }
    }
}
