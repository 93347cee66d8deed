package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Helpers shared by the rtnetlink records: addresses by family, names of scopes and protocols. */
final class Rtnl {
    private Rtnl() {}

    static final int AF_INET = LibC.AF_INET();
    static final int AF_INET6 = LibC.AF_INET6();

    /** The address length of an IP family, or -1 for another family. */
    static int addressLength(int family) {
        return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
    }

    static Family ipFamily(int family, String what) throws NetlinkMalformedException {
        if (addressLength(family) < 0) {
            throw new NetlinkMalformedException(what + " of family " + Family.of(family) + "; only AF_INET and AF_INET6 are decoded");
        }
        return Family.of(family);
    }

    /** The address in an attribute, checked against the family's length. */
    static InetAddress address(byte[] bytes, int family, String attribute) throws NetlinkMalformedException {
        int need = addressLength(family);
        if (bytes.length != need) {
            throw new NetlinkMalformedException(attribute + " is " + bytes.length + " bytes; an "
                    + Family.of(family) + " address needs " + need);
        }
        try {
            return of(bytes);
        } catch (UnknownHostException e) {
            throw new NetlinkMalformedException(attribute + ": " + e.getMessage());
        }
    }

    /**
     * The address of these 4 or 16 bytes, of the family their length says: InetAddress.getByAddress
     * would turn an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into an Inet4Address.
     */
    static InetAddress of(byte[] bytes) throws UnknownHostException {
        return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
    }

    /** The all-zero address of a family: the destination of a default route. */
    static InetAddress any(int family) {
        try {
            return of(new byte[addressLength(family)]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** AF_INET or AF_INET6, by the address's class. */
    static int familyOf(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    /** A prefix length must fit the address: 0 to 32 for IPv4, 0 to 128 for IPv6. */
    static void checkPrefix(InetAddress address, int prefixLength) {
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 0 to " + bits
                    + " for " + address.getHostAddress());
        }
    }

    static void checkIndex(int index) {
        if (index <= 0) {
            throw new IllegalArgumentException("interface index " + index + " is not an index: they start at 1");
        }
    }

    static String scopeName(int scope) {
        if (scope == LibC.RT_SCOPE_UNIVERSE()) {
            return "RT_SCOPE_UNIVERSE";
        } else if (scope == LibC.RT_SCOPE_LINK()) {
            return "RT_SCOPE_LINK";
        } else if (scope == LibC.RT_SCOPE_HOST()) {
            return "RT_SCOPE_HOST";
        } else if (scope == LibC.RT_SCOPE_NOWHERE()) {
            return "RT_SCOPE_NOWHERE";
        }
        return Integer.toString(scope);
    }

    static String text(InetAddress a) {
        return a.getHostAddress();
    }
}
