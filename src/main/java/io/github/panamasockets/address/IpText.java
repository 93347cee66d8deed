package io.github.panamasockets.address;

import io.github.panamasockets.internal.sys.Interfaces;

import java.util.OptionalInt;

/**
 * IPv4 and IPv6 text, parsed and printed here so that no name is ever looked up, and so that
 * IPv6 prints in the RFC 5952 form {@code ip} and {@code ss} use.
 */
final class IpText {
    private IpText() {}

    /** Parses a dotted quad as inet_pton(3) does: four decimal parts, no leading zeros. */
    static byte[] parse4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        while (true) {
            int start = i;
            int value = 0;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 4) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                throw bad4(s);
            }
            out[part++] = (byte) value;
            if (part == 4) {
                if (i != s.length()) {
                    throw bad4(s);
                }
                return out;
            }
            if (i >= s.length() || s.charAt(i) != '.') {
                throw bad4(s);
            }
            i++;
        }
    }

    private static InvalidSockaddrException bad4(String s) {
        return new InvalidSockaddrException("not an IPv4 address: \"" + s
                + "\"; expected four numbers 0 to 255 without leading zeros, such as 127.0.0.1");
    }

    static String format4(byte[] b) {
        return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
    }

    /** Parses RFC 4291 text: up to eight hex groups, one {@code ::}, an optional trailing IPv4 part. */
    static byte[] parse6(String s) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (s.startsWith(":")) {
            throw bad6(s);
        }
        while (i < s.length()) {
            int dot = s.indexOf('.', i);
            int colon = s.indexOf(':', i);
            if (dot >= 0 && (colon < 0 || dot < colon)) {
                // The last 32 bits as a dotted quad.
                if (count > 6) {
                    throw bad6(s);
                }
                byte[] v4;
                try {
                    v4 = parse4(s.substring(i));
                } catch (InvalidSockaddrException e) {
                    throw bad6(s);
                }
                groups[count++] = ((v4[0] & 0xFF) << 8) | (v4[1] & 0xFF);
                groups[count++] = ((v4[2] & 0xFF) << 8) | (v4[3] & 0xFF);
                i = s.length();
                break;
            }
            int end = colon < 0 ? s.length() : colon;
            if (end == i || end - i > 4 || count == 8) {
                throw bad6(s);
            }
            int value = 0;
            for (int k = i; k < end; k++) {
                int d = hexDigit(s.charAt(k));
                if (d < 0) {
                    throw bad6(s);
                }
                value = (value << 4) | d;
            }
            groups[count++] = value;
            if (colon < 0) {
                i = s.length();
            } else if (colon + 1 < s.length() && s.charAt(colon + 1) == ':') {
                if (gap >= 0) {
                    throw bad6(s);
                }
                gap = count;
                i = colon + 2;
            } else if (colon + 1 == s.length()) {
                throw bad6(s);
            } else {
                i = colon + 1;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            throw bad6(s);
        }
        byte[] out = new byte[16];
        int tail = gap < 0 ? 0 : count - gap;
        for (int g = 0; g < count; g++) {
            int pos = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
            out[pos * 2] = (byte) (groups[g] >> 8);
            out[pos * 2 + 1] = (byte) groups[g];
        }
        return out;
    }

    private static int hexDigit(char c) {
        return c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static InvalidSockaddrException bad6(String s) {
        return new InvalidSockaddrException("not an IPv6 address: \"" + s + "\"; expected RFC 4291 text such as ::1 or fe80::1");
    }

    /** Prints RFC 5952 text: lower case, the longest run of two or more zero groups as {@code ::}. */
    static String format6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        boolean mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF;
        int groups = mapped ? 6 : 8;
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < groups && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < groups; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        if (mapped) {
            if (out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(format4(new byte[] {b[12], b[13], b[14], b[15]}));
        }
        return out.toString();
    }

    /** A scope: an interface index in decimal, or an interface name. */
    static int parseScope(String scope) {
        if (scope.isEmpty()) {
            throw new InvalidSockaddrException("empty IPv6 scope after %; expected an interface name or index");
        }
        if (scope.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Integer.parseUnsignedInt(scope);
            } catch (NumberFormatException e) {
                throw new InvalidSockaddrException("IPv6 scope id " + scope + " does not fit in 32 bits");
            }
        }
        OptionalInt index = Interfaces.indexOf(scope);
        if (index.isEmpty()) {
            throw new InvalidSockaddrException("no network interface named \"" + scope + "\" for the IPv6 scope");
        }
        return index.getAsInt();
    }

    /** The interface name of a scope id where one exists, else the number. */
    static String formatScope(int scopeId) {
        return Interfaces.nameOf(scopeId).orElse(Integer.toUnsignedString(scopeId));
    }
}
