package io.github.panamasockets.address;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.sockaddr;
import io.github.panamasockets.internal.gen.sockaddr_in;
import io.github.panamasockets.internal.gen.sockaddr_in6;
import io.github.panamasockets.internal.gen.sockaddr_nl;
import io.github.panamasockets.internal.gen.sockaddr_storage;
import io.github.panamasockets.internal.gen.sockaddr_un;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Encodes and decodes the C structures. Every offset and size comes from the generated layouts,
 * which LayoutTest checks against the C compiler. Fields the kernel reads in network byte order
 * (ports, IPv4 and IPv6 addresses, flow information) are written big-endian here; the family,
 * scope id and netlink fields are in host order.
 */
final class Codec {
    private Codec() {}

    static final ValueLayout.OfShort HOST_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt HOST_INT = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfShort NET_SHORT = HOST_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt NET_INT = HOST_INT.withOrder(ByteOrder.BIG_ENDIAN);

    static final int FAMILY_SIZE = (int) sockaddr.sa_family$layout().byteSize();
    static final int STORAGE_SIZE = (int) sockaddr_storage.layout().byteSize();

    static final int UN_PATH = (int) sockaddr_un.sun_path$offset();
    static final int UN_SIZE = (int) sockaddr_un.layout().byteSize();

    static final int IN_PORT = (int) sockaddr_in.sin_port$offset();
    static final int IN_ADDR = (int) sockaddr_in.sin_addr$offset();
    static final int IN_ZERO = (int) sockaddr_in.sin_zero$offset();
    static final int IN_SIZE = (int) sockaddr_in.layout().byteSize();

    static final int IN6_PORT = (int) sockaddr_in6.sin6_port$offset();
    static final int IN6_FLOW = (int) sockaddr_in6.sin6_flowinfo$offset();
    static final int IN6_ADDR = (int) sockaddr_in6.sin6_addr$offset();
    static final int IN6_SCOPE = (int) sockaddr_in6.sin6_scope_id$offset();
    static final int IN6_SIZE = (int) sockaddr_in6.layout().byteSize();

    static final int NL_PAD = (int) sockaddr_nl.nl_pad$offset();
    static final int NL_PID = (int) sockaddr_nl.nl_pid$offset();
    static final int NL_GROUPS = (int) sockaddr_nl.nl_groups$offset();
    static final int NL_SIZE = (int) sockaddr_nl.layout().byteSize();

    static {
        if (UN_SIZE - UN_PATH != SockaddrUnix.SUN_PATH_SIZE || FAMILY_SIZE != 2) {
            throw new ExceptionInInitializerError("unexpected struct sockaddr_un layout: sun_path at "
                    + UN_PATH + " in " + UN_SIZE + " bytes");
        }
    }

    /** Set while decoding a pathname that fills all of sun_path with no NUL, which the kernel can return. */
    private static final ScopedValue<Boolean> FULL_SUN_PATH = ScopedValue.newInstance();

    static boolean decodingFullSunPath() {
        return FULL_SUN_PATH.isBound();
    }

    static void checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new InvalidSockaddrException("port " + port + " is out of range 0 to 65535");
        }
    }

    // ---------------------------------------------------------------- encoding

    /** Checks room for {@code length} bytes, zeroes them, and writes the family. */
    private static MemorySegment start(MemorySegment dst, int length, Family family) {
        Objects.requireNonNull(dst, "dst");
        if (dst.byteSize() < length) {
            throw new IndexOutOfBoundsException("the address needs " + length
                    + " bytes; the segment has " + dst.byteSize());
        }
        dst.asSlice(0, length).fill((byte) 0);
        dst.set(HOST_SHORT, 0, (short) family.value());
        return dst;
    }

    static int unixLength(SockaddrUnix a) {
        return switch (a) {
            case SockaddrUnix.Pathname p -> UN_PATH + p.raw().length + (p.raw().length < SockaddrUnix.SUN_PATH_SIZE ? 1 : 0);
            case SockaddrUnix.Abstract n -> UN_PATH + 1 + n.raw().length;
            case SockaddrUnix.Unnamed u -> UN_PATH;
        };
    }

    static int encode(Sockaddr a, MemorySegment dst) {
        return switch (a) {
            case SockaddrUnix u -> encodeUnix(u, dst);
            case SockaddrInet4 v4 -> encode(v4, dst);
            case SockaddrInet6 v6 -> encode(v6, dst);
            case SockaddrNetlink nl -> encode(nl, dst);
            case SockaddrOther o -> encode(o, dst);
        };
    }

    private static int encodeUnix(SockaddrUnix a, MemorySegment dst) {
        int length = unixLength(a);
        start(dst, length, Family.UNIX);
        switch (a) {
            case SockaddrUnix.Pathname p -> MemorySegment.copy(p.raw(), 0, dst, ValueLayout.JAVA_BYTE, UN_PATH, p.raw().length);
            case SockaddrUnix.Abstract n -> MemorySegment.copy(n.raw(), 0, dst, ValueLayout.JAVA_BYTE, UN_PATH + 1, n.raw().length);
            case SockaddrUnix.Unnamed u -> { }
        }
        return length;
    }

    private static int encode(SockaddrInet4 a, MemorySegment dst) {
        start(dst, IN_SIZE, Family.INET);
        dst.set(NET_SHORT, IN_PORT, (short) a.port());
        MemorySegment.copy(a.raw(), 0, dst, ValueLayout.JAVA_BYTE, IN_ADDR, SockaddrInet4.ADDRESS_SIZE);
        return IN_SIZE;
    }

    private static int encode(SockaddrInet6 a, MemorySegment dst) {
        start(dst, IN6_SIZE, Family.INET6);
        dst.set(NET_SHORT, IN6_PORT, (short) a.port());
        dst.set(NET_INT, IN6_FLOW, a.flowInfo());
        MemorySegment.copy(a.raw(), 0, dst, ValueLayout.JAVA_BYTE, IN6_ADDR, SockaddrInet6.ADDRESS_SIZE);
        dst.set(HOST_INT, IN6_SCOPE, a.scopeId());
        return IN6_SIZE;
    }

    private static int encode(SockaddrNetlink a, MemorySegment dst) {
        start(dst, NL_SIZE, Family.NETLINK);
        dst.set(HOST_INT, NL_PID, a.pid());
        dst.set(HOST_INT, NL_GROUPS, a.groups());
        return NL_SIZE;
    }

    private static int encode(SockaddrOther a, MemorySegment dst) {
        int length = a.encodedLength();
        start(dst, length, a.family());
        MemorySegment.copy(a.raw(), 0, dst, ValueLayout.JAVA_BYTE, FAMILY_SIZE, a.raw().length);
        return length;
    }

    // ---------------------------------------------------------------- decoding

    static Sockaddr decode(MemorySegment src, long length) {
        Objects.requireNonNull(src, "src");
        if (length < FAMILY_SIZE) {
            throw new InvalidSockaddrException("address length " + length
                    + " is shorter than the " + FAMILY_SIZE + "-byte sa_family field");
        }
        if (length > STORAGE_SIZE) {
            throw new InvalidSockaddrException("address length " + length
                    + " exceeds sockaddr_storage, " + STORAGE_SIZE + " bytes");
        }
        if (length > src.byteSize()) {
            throw new InvalidSockaddrException("address length " + length
                    + " exceeds the " + src.byteSize() + "-byte buffer that holds it");
        }
        int len = (int) length;
        Family family = Family.of(Short.toUnsignedInt(src.get(HOST_SHORT, 0)));
        if (family.equals(Family.UNIX)) {
            return decodeUnix(src, len);
        } else if (family.equals(Family.INET)) {
            expectLength(family, "sockaddr_in", len, IN_SIZE, IN_SIZE);
            return new SockaddrInet4(bytes(src, IN_ADDR, SockaddrInet4.ADDRESS_SIZE),
                    Short.toUnsignedInt(src.get(NET_SHORT, IN_PORT)));
        } else if (family.equals(Family.INET6)) {
            // RFC 2133's sockaddr_in6 had no scope id; the kernel still accepts that length.
            expectLength(family, "sockaddr_in6", len, IN6_SCOPE, IN6_SIZE);
            int flow = src.get(NET_INT, IN6_FLOW);
            if ((flow & ~SockaddrInet6.MAX_FLOW_INFO) != 0) {
                throw new InvalidSockaddrException(String.format(
                        "AF_INET6 sin6_flowinfo 0x%x has bits set above the 20-bit flow label and traffic class", flow));
            }
            return new SockaddrInet6(bytes(src, IN6_ADDR, SockaddrInet6.ADDRESS_SIZE),
                    Short.toUnsignedInt(src.get(NET_SHORT, IN6_PORT)), flow,
                    len >= IN6_SIZE ? src.get(HOST_INT, IN6_SCOPE) : 0);
        } else if (family.equals(Family.NETLINK)) {
            expectLength(family, "sockaddr_nl", len, NL_SIZE, NL_SIZE);
            return new SockaddrNetlink(src.get(HOST_INT, NL_PID), src.get(HOST_INT, NL_GROUPS));
        }
        return new SockaddrOther(family, bytes(src, FAMILY_SIZE, len - FAMILY_SIZE));
    }

    private static void expectLength(Family family, String struct, int len, int min, int max) {
        if (len < min || len > max) {
            throw new InvalidSockaddrException(family + " address length " + len + " does not fit "
                    + struct + (min == max ? ", " + max + " bytes" : ", " + min + " to " + max + " bytes"));
        }
    }

    private static SockaddrUnix decodeUnix(MemorySegment src, int len) {
        if (len > UN_SIZE) {
            throw new InvalidSockaddrException("AF_UNIX address length " + len
                    + " exceeds sockaddr_un, " + UN_SIZE + " bytes");
        }
        int pathLength = len - UN_PATH;
        if (pathLength == 0) {
            return SockaddrUnix.unnamed();
        }
        if (src.get(ValueLayout.JAVA_BYTE, UN_PATH) == 0) {
            return new SockaddrUnix.Abstract(bytes(src, UN_PATH + 1, pathLength - 1));
        }
        // A pathname ends at its first NUL; the kernel may report a length past it, or none at all
        // when the name fills sun_path.
        int end = 0;
        while (end < pathLength && src.get(ValueLayout.JAVA_BYTE, UN_PATH + end) != 0) {
            end++;
        }
        byte[] name = bytes(src, UN_PATH, end);
        if (end == SockaddrUnix.SUN_PATH_SIZE) {
            return ScopedValue.where(FULL_SUN_PATH, Boolean.TRUE).call(() -> new SockaddrUnix.Pathname(name));
        }
        return new SockaddrUnix.Pathname(name);
    }

    private static byte[] bytes(MemorySegment src, long offset, int count) {
        byte[] b = new byte[count];
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offset, b, 0, count);
        return b;
    }

    // ---------------------------------------------------------------- hex dumps

    static String dump(Sockaddr a) {
        byte[] b = a.toBytes();
        return switch (a) {
            case SockaddrUnix u -> {
                Dump d = new Dump("sockaddr_un", b, UN_SIZE).family(a.family());
                switch (u) {
                    case SockaddrUnix.Pathname p -> {
                        d.field(UN_PATH, p.raw().length, "sun_path", "\"" + Names.escape(p.raw()) + "\"");
                        if (b.length > UN_PATH + p.raw().length) {
                            d.field(UN_PATH + p.raw().length, 1, "", "terminating NUL, counted in the length");
                        }
                    }
                    case SockaddrUnix.Abstract n -> {
                        d.field(UN_PATH, 1, "sun_path", "NUL: the abstract namespace");
                        d.field(UN_PATH + 1, n.raw().length, "", "\"" + Names.escape(n.raw()) + "\", no terminating NUL");
                    }
                    case SockaddrUnix.Unnamed n -> d.note("no sun_path: the length alone says unnamed");
                }
                yield d.toString();
            }
            case SockaddrInet4 v4 -> new Dump("sockaddr_in", b, IN_SIZE).family(a.family())
                    .field(IN_PORT, 2, "sin_port", v4.port() + " (network byte order)")
                    .field(IN_ADDR, 4, "sin_addr", IpText.format4(v4.raw()))
                    .field(IN_ZERO, IN_SIZE - IN_ZERO, "sin_zero", "")
                    .toString();
            case SockaddrInet6 v6 -> new Dump("sockaddr_in6", b, IN6_SIZE).family(a.family())
                    .field(IN6_PORT, 2, "sin6_port", v6.port() + " (network byte order)")
                    .field(IN6_FLOW, 4, "sin6_flowinfo", String.format("0x%05x (network byte order)", v6.flowInfo()))
                    .field(IN6_ADDR, 16, "sin6_addr", IpText.format6(v6.raw()))
                    .field(IN6_SCOPE, 4, "sin6_scope_id", Integer.toUnsignedString(v6.scopeId()) + " (host byte order)")
                    .toString();
            case SockaddrNetlink nl -> new Dump("sockaddr_nl", b, NL_SIZE).family(a.family())
                    .field(NL_PAD, NL_PID - NL_PAD, "nl_pad", "")
                    .field(NL_PID, 4, "nl_pid", Integer.toUnsignedString(nl.pid()) + (nl.pid() == 0 ? " (the kernel, or assign on bind)" : ""))
                    .field(NL_GROUPS, 4, "nl_groups", String.format("0x%08x", nl.groups()))
                    .toString();
            case SockaddrOther o -> new Dump("sockaddr", b, STORAGE_SIZE).family(a.family())
                    .field(FAMILY_SIZE, o.raw().length, "sa_data", o.raw().length + " bytes, not decoded")
                    .toString();
        };
    }

    /** Builds the lines of a hex dump: offset, bytes, field name, meaning. */
    private static final class Dump {
        private static final int PER_LINE = 8;
        private final StringBuilder out = new StringBuilder();
        private final byte[] bytes;

        Dump(String struct, byte[] bytes, int structSize) {
            this.bytes = bytes;
            out.append("struct ").append(struct).append(", ");
            out.append(bytes.length == structSize ? bytes.length + " bytes"
                    : bytes.length + " of its " + structSize + " bytes in the address length");
        }

        Dump family(Family family) {
            return field(0, FAMILY_SIZE, family.value() == Family.UNIX.value() ? "sun_family"
                    : family.equals(Family.INET) ? "sin_family"
                    : family.equals(Family.INET6) ? "sin6_family"
                    : family.equals(Family.NETLINK) ? "nl_family" : "sa_family",
                    family + " (host byte order)");
        }

        Dump field(int offset, int size, String name, String meaning) {
            if (size == 0) {
                return note(name + " (empty)");
            }
            for (int line = 0; line * PER_LINE < size; line++) {
                int from = offset + line * PER_LINE;
                int to = Math.min(offset + size, from + PER_LINE);
                StringBuilder hex = new StringBuilder();
                for (int i = from; i < to; i++) {
                    hex.append(String.format("%02x ", bytes[i] & 0xFF));
                }
                out.append(String.format("%n%5d  %-24s %-14s %s", from, hex, line == 0 ? name : "",
                        line == 0 ? meaning : "").stripTrailing());
            }
            return this;
        }

        Dump note(String text) {
            out.append(String.format("%n       %s", text));
            return this;
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
