package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ip_mreqn;
import io.github.panamasockets.internal.gen.ipv6_mreq;
import io.github.panamasockets.internal.gen.linger;
import io.github.panamasockets.internal.gen.tcp_info;
import io.github.panamasockets.internal.gen.timeval;
import io.github.panamasockets.internal.gen.ucred;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A socket option, typed: the level and name that
 * <a href="https://man7.org/linux/man-pages/man2/getsockopt.2.html">getsockopt(2)</a> and
 * setsockopt(2) take, the Java type of its value, whether it can be read and written, and the
 * family it belongs to. {@link Sock#get(SockOpt)} and {@link Sock#set(SockOpt, Object)} serve
 * them all; {@link Sock#getInt(int, int)} and {@link Sock#setInt(int, int, int)} reach any option
 * this table lacks.
 *
 * <p>Options print as their C names. Values are checked before the system call where the limit
 * is known, with messages that name the option and the value.
 *
 * {@snippet :
 * var s = Sock.open(Family.INET, SockType.STREAM);
 * s.set(SockOpt.SO_REUSEADDR, true).set(SockOpt.TCP_NODELAY, true);
 * s.get(SockOpt.SO_RCVBUF)      // ==> 131072, say
 * SockOpt.TCP_NODELAY           // ==> TCP_NODELAY
 * }
 *
 * @param <T> the type of the option's value
 */
public final class SockOpt<T> {

    // ------------------------------------------------------------------ the table: one line each

    /** {@code SO_REUSEADDR}: bind to an address still in TIME_WAIT; socket(7). */
    public static final SockOpt<Boolean> SO_REUSEADDR = rw("SO_REUSEADDR", LibC.SOL_SOCKET(), LibC.SO_REUSEADDR(), Codecs.BOOL, null);
    /** {@code SO_REUSEPORT}: several sockets bound to one address share its traffic; socket(7). */
    public static final SockOpt<Boolean> SO_REUSEPORT = rw("SO_REUSEPORT", LibC.SOL_SOCKET(), LibC.SO_REUSEPORT(), Codecs.BOOL, null);
    /** {@code SO_KEEPALIVE}: send keep-alive probes on an idle connection; socket(7). */
    public static final SockOpt<Boolean> SO_KEEPALIVE = rw("SO_KEEPALIVE", LibC.SOL_SOCKET(), LibC.SO_KEEPALIVE(), Codecs.BOOL, null);
    /** {@code SO_LINGER}: what close does with unsent data; socket(7). */
    public static final SockOpt<Linger> SO_LINGER = rw("SO_LINGER", LibC.SOL_SOCKET(), LibC.SO_LINGER(), Codecs.LINGER, null);
    /** {@code SO_RCVBUF}: the receive buffer size in bytes (the kernel doubles what is set); socket(7). */
    public static final SockOpt<Integer> SO_RCVBUF = rw("SO_RCVBUF", LibC.SOL_SOCKET(), LibC.SO_RCVBUF(), Codecs.SIZE, null);
    /** {@code SO_SNDBUF}: the send buffer size in bytes (the kernel doubles what is set); socket(7). */
    public static final SockOpt<Integer> SO_SNDBUF = rw("SO_SNDBUF", LibC.SOL_SOCKET(), LibC.SO_SNDBUF(), Codecs.SIZE, null);
    /** {@code SO_RCVLOWAT}: the fewest bytes a receive waits for; socket(7). */
    public static final SockOpt<Integer> SO_RCVLOWAT = rw("SO_RCVLOWAT", LibC.SOL_SOCKET(), LibC.SO_RCVLOWAT(), Codecs.POSITIVE, null);
    /** {@code SO_RCVTIMEO}: how long a receive or accept waits; {@link Duration#ZERO} is forever; socket(7). */
    public static final SockOpt<Duration> SO_RCVTIMEO = rw("SO_RCVTIMEO", LibC.SOL_SOCKET(), LibC.SO_RCVTIMEO(), Codecs.TIMEVAL, null);
    /** {@code SO_SNDTIMEO}: how long a send waits; {@link Duration#ZERO} is forever; socket(7). */
    public static final SockOpt<Duration> SO_SNDTIMEO = rw("SO_SNDTIMEO", LibC.SOL_SOCKET(), LibC.SO_SNDTIMEO(), Codecs.TIMEVAL, null);
    /** {@code SO_ERROR}: the pending error, cleared by reading it; 0 for none; socket(7). */
    public static final SockOpt<Integer> SO_ERROR = ro("SO_ERROR", LibC.SOL_SOCKET(), LibC.SO_ERROR(), Codecs.INT, null);
    /** {@code SO_TYPE}: the socket type; socket(7). */
    public static final SockOpt<SockType> SO_TYPE = ro("SO_TYPE", LibC.SOL_SOCKET(), LibC.SO_TYPE(), Codecs.TYPE, null);
    /** {@code SO_DOMAIN}: the address family; socket(7). */
    public static final SockOpt<Family> SO_DOMAIN = ro("SO_DOMAIN", LibC.SOL_SOCKET(), LibC.SO_DOMAIN(), Codecs.FAMILY, null);
    /** {@code SO_PROTOCOL}: the protocol; socket(7). */
    public static final SockOpt<Protocol> SO_PROTOCOL = ro("SO_PROTOCOL", LibC.SOL_SOCKET(), LibC.SO_PROTOCOL(), Codecs.INT_PROTOCOL, null);
    /** {@code SO_ACCEPTCONN}: whether the socket is listening; socket(7). */
    public static final SockOpt<Boolean> SO_ACCEPTCONN = ro("SO_ACCEPTCONN", LibC.SOL_SOCKET(), LibC.SO_ACCEPTCONN(), Codecs.BOOL, null);
    /** {@code SO_BROADCAST}: allow datagrams to broadcast addresses; socket(7). */
    public static final SockOpt<Boolean> SO_BROADCAST = rw("SO_BROADCAST", LibC.SOL_SOCKET(), LibC.SO_BROADCAST(), Codecs.BOOL, null);
    /** {@code SO_BINDTODEVICE}: the one interface the socket uses, by name; "" for none; socket(7). */
    public static final SockOpt<String> SO_BINDTODEVICE = rw("SO_BINDTODEVICE", LibC.SOL_SOCKET(), LibC.SO_BINDTODEVICE(), Codecs.IFNAME, null);
    /** {@code SO_PEERCRED}: the connected Unix peer's pid, uid and gid; unix(7). */
    public static final SockOpt<PeerCred> SO_PEERCRED = ro("SO_PEERCRED", LibC.SOL_SOCKET(), LibC.SO_PEERCRED(), Codecs.UCRED, Family.UNIX);
    /** {@code SO_PASSCRED}: receive the sender's credentials with each message; Unix and netlink sockets only on recent kernels (others give EOPNOTSUPP); unix(7). */
    public static final SockOpt<Boolean> SO_PASSCRED = rw("SO_PASSCRED", LibC.SOL_SOCKET(), LibC.SO_PASSCRED(), Codecs.BOOL, null);
    /** {@code SO_MARK}: the firewall mark on outgoing packets (CAP_NET_ADMIN); socket(7). */
    public static final SockOpt<Integer> SO_MARK = rw("SO_MARK", LibC.SOL_SOCKET(), LibC.SO_MARK(), Codecs.INT, null);
    /** {@code SO_PRIORITY}: the queueing priority of outgoing packets, 0 to 6 without CAP_NET_ADMIN; socket(7). */
    public static final SockOpt<Integer> SO_PRIORITY = rw("SO_PRIORITY", LibC.SOL_SOCKET(), LibC.SO_PRIORITY(), Codecs.SIZE, null);

    /** {@code TCP_NODELAY}: send small segments at once, without Nagle's delay; tcp(7). */
    public static final SockOpt<Boolean> TCP_NODELAY = rw("TCP_NODELAY", LibC.IPPROTO_TCP(), LibC.TCP_NODELAY(), Codecs.BOOL, null);
    /** {@code TCP_KEEPIDLE}: seconds idle before the first keep-alive probe; tcp(7). */
    public static final SockOpt<Integer> TCP_KEEPIDLE = rw("TCP_KEEPIDLE", LibC.IPPROTO_TCP(), LibC.TCP_KEEPIDLE(), Codecs.POSITIVE, null);
    /** {@code TCP_KEEPINTVL}: seconds between keep-alive probes; tcp(7). */
    public static final SockOpt<Integer> TCP_KEEPINTVL = rw("TCP_KEEPINTVL", LibC.IPPROTO_TCP(), LibC.TCP_KEEPINTVL(), Codecs.POSITIVE, null);
    /** {@code TCP_KEEPCNT}: probes without answer before the connection is dropped; tcp(7). */
    public static final SockOpt<Integer> TCP_KEEPCNT = rw("TCP_KEEPCNT", LibC.IPPROTO_TCP(), LibC.TCP_KEEPCNT(), Codecs.POSITIVE, null);
    /** {@code TCP_CORK}: hold partial segments until uncorked; tcp(7). */
    public static final SockOpt<Boolean> TCP_CORK = rw("TCP_CORK", LibC.IPPROTO_TCP(), LibC.TCP_CORK(), Codecs.BOOL, null);
    /** {@code TCP_USER_TIMEOUT}: milliseconds data may stay unacknowledged before the connection is dropped; tcp(7). */
    public static final SockOpt<Integer> TCP_USER_TIMEOUT = rw("TCP_USER_TIMEOUT", LibC.IPPROTO_TCP(), LibC.TCP_USER_TIMEOUT(), Codecs.SIZE, null);
    /** {@code TCP_INFO}: the kernel's view of the connection; tcp(7). */
    public static final SockOpt<TcpInfo> TCP_INFO = ro("TCP_INFO", LibC.IPPROTO_TCP(), LibC.TCP_INFO(), Codecs.TCP_INFO, null);

    /** {@code IP_TTL}: the time-to-live of outgoing packets, 1 to 255, or -1 for the sysctl's {@code ip_default_ttl} (the kernel accepts it; ip(7) does not say). */
    public static final SockOpt<Integer> IP_TTL = rw("IP_TTL", LibC.IPPROTO_IP(), LibC.IP_TTL(), Codecs.TTL, Family.INET);
    /** {@code IP_TOS}: the type-of-service byte of outgoing packets, 0 to 255; ip(7). */
    public static final SockOpt<Integer> IP_TOS = rw("IP_TOS", LibC.IPPROTO_IP(), LibC.IP_TOS(), Codecs.BYTE, Family.INET);
    /** {@code IP_MULTICAST_IF}: the local address whose interface sends multicast; ip(7). */
    public static final SockOpt<Inet4Address> IP_MULTICAST_IF = rw("IP_MULTICAST_IF", LibC.IPPROTO_IP(), LibC.IP_MULTICAST_IF(), Codecs.IN_ADDR, Family.INET);
    /** {@code IP_MULTICAST_TTL}: the time-to-live of outgoing multicast, 0 to 255, or -1 for the default, 1; ip(7). */
    public static final SockOpt<Integer> IP_MULTICAST_TTL = rw("IP_MULTICAST_TTL", LibC.IPPROTO_IP(), LibC.IP_MULTICAST_TTL(), Codecs.HOPS_OR_DEFAULT, Family.INET);
    /** {@code IP_MULTICAST_LOOP}: deliver outgoing multicast back to local members; ip(7). */
    public static final SockOpt<Boolean> IP_MULTICAST_LOOP = rw("IP_MULTICAST_LOOP", LibC.IPPROTO_IP(), LibC.IP_MULTICAST_LOOP(), Codecs.BOOL, Family.INET);
    /** {@code IP_ADD_MEMBERSHIP}: join an IPv4 multicast group; ip(7). */
    public static final SockOpt<Membership> IP_ADD_MEMBERSHIP = wo("IP_ADD_MEMBERSHIP", LibC.IPPROTO_IP(), LibC.IP_ADD_MEMBERSHIP(), Codecs.MREQN, Family.INET);
    /** {@code IP_DROP_MEMBERSHIP}: leave an IPv4 multicast group; ip(7). */
    public static final SockOpt<Membership> IP_DROP_MEMBERSHIP = wo("IP_DROP_MEMBERSHIP", LibC.IPPROTO_IP(), LibC.IP_DROP_MEMBERSHIP(), Codecs.MREQN, Family.INET);

    /** {@code IP_PKTINFO}: receive each datagram's destination and interface as {@link Cmsg.PktInfo}; ip(7). */
    public static final SockOpt<Boolean> IP_PKTINFO = rw("IP_PKTINFO", LibC.IPPROTO_IP(), LibC.IP_PKTINFO(), Codecs.BOOL, Family.INET);

    /** {@code IPV6_RECVPKTINFO}: receive each datagram's destination and interface as {@link Cmsg.PktInfo}; ipv6(7). */
    public static final SockOpt<Boolean> IPV6_RECVPKTINFO = rw("IPV6_RECVPKTINFO", LibC.IPPROTO_IPV6(), LibC.IPV6_RECVPKTINFO(), Codecs.BOOL, Family.INET6);
    /** {@code IPV6_V6ONLY}: accept only IPv6, not IPv4-mapped peers; ipv6(7). */
    public static final SockOpt<Boolean> IPV6_V6ONLY = rw("IPV6_V6ONLY", LibC.IPPROTO_IPV6(), LibC.IPV6_V6ONLY(), Codecs.BOOL, Family.INET6);
    /** {@code IPV6_UNICAST_HOPS}: the hop limit of outgoing unicast, 0 to 255, or -1 for the route's; ipv6(7). */
    public static final SockOpt<Integer> IPV6_UNICAST_HOPS = rw("IPV6_UNICAST_HOPS", LibC.IPPROTO_IPV6(), LibC.IPV6_UNICAST_HOPS(), Codecs.HOPS_OR_DEFAULT, Family.INET6);
    /** {@code IPV6_MULTICAST_HOPS}: the hop limit of outgoing multicast, 0 to 255, or -1 for 1; ipv6(7). */
    public static final SockOpt<Integer> IPV6_MULTICAST_HOPS = rw("IPV6_MULTICAST_HOPS", LibC.IPPROTO_IPV6(), LibC.IPV6_MULTICAST_HOPS(), Codecs.HOPS_OR_DEFAULT, Family.INET6);
    /** {@code IPV6_MULTICAST_LOOP}: deliver outgoing multicast back to local members; ipv6(7). */
    public static final SockOpt<Boolean> IPV6_MULTICAST_LOOP = rw("IPV6_MULTICAST_LOOP", LibC.IPPROTO_IPV6(), LibC.IPV6_MULTICAST_LOOP(), Codecs.BOOL, Family.INET6);
    /** {@code IPV6_JOIN_GROUP}: join an IPv6 multicast group; ipv6(7). */
    public static final SockOpt<Membership> IPV6_JOIN_GROUP = wo("IPV6_JOIN_GROUP", LibC.IPPROTO_IPV6(), LibC.IPV6_JOIN_GROUP(), Codecs.MREQ6, Family.INET6);
    /** {@code IPV6_LEAVE_GROUP}: leave an IPv6 multicast group; ipv6(7). */
    public static final SockOpt<Membership> IPV6_LEAVE_GROUP = wo("IPV6_LEAVE_GROUP", LibC.IPPROTO_IPV6(), LibC.IPV6_LEAVE_GROUP(), Codecs.MREQ6, Family.INET6);

    /** {@code NETLINK_ADD_MEMBERSHIP}: join a netlink multicast group by number, beyond 32 too; netlink(7). */
    public static final SockOpt<Integer> NETLINK_ADD_MEMBERSHIP = wo("NETLINK_ADD_MEMBERSHIP", LibC.SOL_NETLINK(), LibC.NETLINK_ADD_MEMBERSHIP(), Codecs.GROUP, Family.NETLINK);
    /** {@code NETLINK_DROP_MEMBERSHIP}: leave a netlink multicast group; netlink(7). */
    public static final SockOpt<Integer> NETLINK_DROP_MEMBERSHIP = wo("NETLINK_DROP_MEMBERSHIP", LibC.SOL_NETLINK(), LibC.NETLINK_DROP_MEMBERSHIP(), Codecs.GROUP, Family.NETLINK);
    /** {@code NETLINK_EXT_ACK}: errors carry the kernel's extended acknowledgement text; netlink(7). */
    public static final SockOpt<Boolean> NETLINK_EXT_ACK = rw("NETLINK_EXT_ACK", LibC.SOL_NETLINK(), LibC.NETLINK_EXT_ACK(), Codecs.BOOL, Family.NETLINK);
    /** {@code NETLINK_NO_ENOBUFS}: do not report receive-buffer overruns; netlink(7). */
    public static final SockOpt<Boolean> NETLINK_NO_ENOBUFS = rw("NETLINK_NO_ENOBUFS", LibC.SOL_NETLINK(), LibC.NETLINK_NO_ENOBUFS(), Codecs.BOOL, Family.NETLINK);

    // ------------------------------------------------------------------ the option itself

    private final String name;
    private final int level;
    private final int optname;
    private final Codec<T> codec;
    private final boolean readable;
    private final boolean writable;
    /** The family the option needs, or null for any. */
    private final Family family;
    /** Whether the option needs a TCP socket (a stream socket of either IP family). */
    private final boolean tcp;

    private SockOpt(String name, int level, int optname, Codec<T> codec, boolean readable, boolean writable,
                    Family family) {
        this.tcp = level == LibC.IPPROTO_TCP();
        this.name = name;
        this.level = level;
        this.optname = optname;
        this.codec = codec;
        this.readable = readable;
        this.writable = writable;
        this.family = family;
    }

    private static <T> SockOpt<T> rw(String name, int level, int optname, Codec<T> codec, Family family) {
        return new SockOpt<>(name, level, optname, codec, true, true, family);
    }

    private static <T> SockOpt<T> ro(String name, int level, int optname, Codec<T> codec, Family family) {
        return new SockOpt<>(name, level, optname, codec, true, false, family);
    }

    private static <T> SockOpt<T> wo(String name, int level, int optname, Codec<T> codec, Family family) {
        return new SockOpt<>(name, level, optname, codec, false, true, family);
    }

    /**
     * {@return the option level, the {@code level} argument of getsockopt(2) and setsockopt(2)},
     * such as {@code SOL_SOCKET} (1) or {@code IPPROTO_TCP} (6); with {@link #optname()} it reaches
     * the same option through {@link Sock#getInt(int, int)}.
     *
     * {@snippet :
     * SockOpt.TCP_NODELAY.level()   // ==> 6, IPPROTO_TCP
     * }
     */
    public int level() {
        return level;
    }

    /**
     * {@return the option name, the {@code optname} argument of getsockopt(2) and setsockopt(2)},
     * such as {@code SO_REUSEADDR} (2); see socket(7).
     *
     * {@snippet :
     * SockOpt.SO_REUSEADDR.optname()   // ==> 2
     * }
     */
    public int optname() {
        return optname;
    }

    /**
     * {@return whether {@link Sock#get(SockOpt)} can read it with getsockopt(2)}; false for the
     * options Linux only lets you set, such as the multicast joins of ip(7).
     *
     * {@snippet :
     * SockOpt.IP_ADD_MEMBERSHIP.isReadable()   // ==> false
     * }
     */
    public boolean isReadable() {
        return readable;
    }

    /**
     * {@return whether {@link Sock#set(SockOpt, Object)} can write it with setsockopt(2)}; false
     * for the options that report state, such as {@code SO_ERROR} of socket(7).
     *
     * {@snippet :
     * SockOpt.SO_ERROR.isWritable()   // ==> false
     * }
     */
    public boolean isWritable() {
        return writable;
    }

    /**
     * {@return the C name, such as {@code SO_REUSEADDR}}, as the man pages (socket(7), tcp(7),
     * ip(7), ipv6(7), netlink(7)) spell it.
     *
     * {@snippet :
     * SockOpt.SO_REUSEADDR.toString()   // ==> "SO_REUSEADDR"
     * }
     */
    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------ used by Sock

    /** Checks that the option applies to this socket and can be read or written. */
    void check(Sock s, boolean write) {
        if (write && !writable) {
            throw new UnsupportedOperationException(name + " can only be read");
        }
        if (!write && !readable) {
            throw new UnsupportedOperationException(name + " can only be set");
        }
        if (tcp) {
            if (!(s.family().equals(Family.INET) || s.family().equals(Family.INET6)) || !s.type().equals(SockType.STREAM)) {
                throw new IllegalArgumentException(name + " is a TCP option; this socket is " + s.family() + " " + s.type());
            }
        } else if (family != null && !family.equals(s.family())) {
            throw new IllegalArgumentException(name + " is an " + family + " option; this socket is " + s.family());
        }
    }

    /** Encodes a checked value into {@code dst}; returns its length. */
    int encode(T value, MemorySegment dst) {
        Objects.requireNonNull(value, () -> name + " value");
        return codec.encode(name, value, dst);
    }

    T decode(MemorySegment src, int length, Family socketFamily) {
        return codec.decode(src, length, socketFamily);
    }

    /** How one Java type maps to and from an option's C value. */
    private interface Codec<T> {
        int encode(String option, T value, MemorySegment dst);

        T decode(MemorySegment src, int length, Family family);
    }

    /** One codec per value type. */
    private static final class Codecs {
        private Codecs() {}

        static int putInt(MemorySegment dst, int v) {
            dst.set(ValueLayout.JAVA_INT, 0, v);
            return 4;
        }

        static int getInt(MemorySegment src) {
            return src.get(ValueLayout.JAVA_INT, 0);
        }

        static Codec<Integer> ints(int min, int max, String range) {
            return new Codec<>() {
                public int encode(String option, Integer v, MemorySegment dst) {
                    if (v < min || v > max) {
                        throw new IllegalArgumentException(option + ": " + v + " is out of range; " + range);
                    }
                    return putInt(dst, v);
                }

                public Integer decode(MemorySegment src, int length, Family family) {
                    return getInt(src);
                }
            };
        }

        static final Codec<Integer> INT = ints(Integer.MIN_VALUE, Integer.MAX_VALUE, "");
        static final Codec<Integer> SIZE = ints(0, Integer.MAX_VALUE, "it must be 0 or more");
        static final Codec<Integer> POSITIVE = ints(1, Integer.MAX_VALUE, "it must be 1 or more");
        static final Codec<Integer> BYTE = ints(0, 255, "it must be 0 to 255");
        static final Codec<Integer> TTL = new Codec<>() {
            public int encode(String option, Integer v, MemorySegment dst) {
                if (v != -1 && (v < 1 || v > 255)) {
                    throw new IllegalArgumentException(option + ": " + v + " is out of range; it must be 1 to 255, or -1 for the default");
                }
                return putInt(dst, v);
            }

            public Integer decode(MemorySegment src, int length, Family family) {
                return getInt(src);
            }
        };
        static final Codec<Integer> HOPS_OR_DEFAULT = ints(-1, 255, "it must be -1 (the default) to 255");
        static final Codec<Integer> GROUP = ints(1, Integer.MAX_VALUE, "netlink groups are numbered from 1");

        static final Codec<Boolean> BOOL = new Codec<>() {
            public int encode(String option, Boolean v, MemorySegment dst) {
                return putInt(dst, v ? 1 : 0);
            }

            public Boolean decode(MemorySegment src, int length, Family family) {
                return length == 1 ? src.get(ValueLayout.JAVA_BYTE, 0) != 0 : getInt(src) != 0;
            }
        };

        static final Codec<SockType> TYPE = new Codec<>() {
            public int encode(String option, SockType v, MemorySegment dst) {
                throw new AssertionError("read-only");
            }

            public SockType decode(MemorySegment src, int length, Family family) {
                return SockType.of(getInt(src));
            }
        };

        static final Codec<Family> FAMILY = new Codec<>() {
            public int encode(String option, Family v, MemorySegment dst) {
                throw new AssertionError("read-only");
            }

            public Family decode(MemorySegment src, int length, Family family) {
                return Family.of(getInt(src));
            }
        };

        static final Codec<Protocol> INT_PROTOCOL = new Codec<>() {
            public int encode(String option, Protocol v, MemorySegment dst) {
                throw new AssertionError("read-only");
            }

            public Protocol decode(MemorySegment src, int length, Family family) {
                return Protocol.of(family, getInt(src));
            }
        };

        static final Codec<Duration> TIMEVAL = new Codec<>() {
            public int encode(String option, Duration v, MemorySegment dst) {
                if (v.isNegative()) {
                    throw new IllegalArgumentException(option + ": " + v + " is negative");
                }
                // Round up to whole microseconds, so that a timeout under 1 µs does not become 0,
                // "forever"; carry into the seconds, since the kernel refuses tv_usec >= 1000000 (EDOM).
                long sec = v.getSeconds();
                long usec = (v.getNano() + 999) / 1000;
                if (usec == 1_000_000) {
                    if (sec == Long.MAX_VALUE) {
                        usec = 999_999;
                    } else {
                        sec++;
                        usec = 0;
                    }
                }
                timeval.tv_sec(dst, sec);
                timeval.tv_usec(dst, usec);
                return (int) timeval.layout().byteSize();
            }

            public Duration decode(MemorySegment src, int length, Family family) {
                return Duration.ofSeconds(timeval.tv_sec(src), timeval.tv_usec(src) * 1000);
            }
        };

        static final Codec<Linger> LINGER = new Codec<>() {
            public int encode(String option, Linger v, MemorySegment dst) {
                linger.l_onoff(dst, v.on() ? 1 : 0);
                linger.l_linger(dst, v.seconds());
                return (int) linger.layout().byteSize();
            }

            public Linger decode(MemorySegment src, int length, Family family) {
                return Linger.of(linger.l_onoff(src) != 0, linger.l_linger(src));
            }
        };

        static final Codec<String> IFNAME = new Codec<>() {
            public int encode(String option, String v, MemorySegment dst) {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                if (b.length >= LibC.IF_NAMESIZE() || v.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException(option + ": interface name \"" + v + "\" is " + b.length
                            + " bytes; IFNAMSIZ holds " + (LibC.IF_NAMESIZE() - 1) + " plus NUL, and no NUL inside");
                }
                MemorySegment.copy(b, 0, dst, ValueLayout.JAVA_BYTE, 0, b.length);
                dst.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
                return b.length + 1;
            }

            public String decode(MemorySegment src, int length, Family family) {
                byte[] b = src.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
                int end = 0;
                while (end < b.length && b[end] != 0) {
                    end++;
                }
                return new String(b, 0, end, StandardCharsets.UTF_8);
            }
        };

        static final Codec<PeerCred> UCRED = new Codec<>() {
            public int encode(String option, PeerCred v, MemorySegment dst) {
                throw new AssertionError("read-only");
            }

            public PeerCred decode(MemorySegment src, int length, Family family) {
                return new PeerCred(ucred.pid(src), ucred.uid(src), ucred.gid(src));
            }
        };

        static final Codec<TcpInfo> TCP_INFO = new Codec<>() {
            public int encode(String option, TcpInfo v, MemorySegment dst) {
                throw new AssertionError("read-only");
            }

            public TcpInfo decode(MemorySegment s, int length, Family family) {
                return new TcpInfo(Byte.toUnsignedInt(tcp_info.tcpi_state(s)), Byte.toUnsignedInt(tcp_info.tcpi_ca_state(s)),
                        Byte.toUnsignedInt(tcp_info.tcpi_retransmits(s)), Byte.toUnsignedInt(tcp_info.tcpi_probes(s)),
                        Byte.toUnsignedInt(tcp_info.tcpi_backoff(s)), Byte.toUnsignedInt(tcp_info.tcpi_options(s)),
                        tcp_info.tcpi_rto(s), tcp_info.tcpi_ato(s), tcp_info.tcpi_snd_mss(s), tcp_info.tcpi_rcv_mss(s),
                        tcp_info.tcpi_unacked(s), tcp_info.tcpi_sacked(s), tcp_info.tcpi_lost(s), tcp_info.tcpi_retrans(s),
                        tcp_info.tcpi_pmtu(s), tcp_info.tcpi_rcv_ssthresh(s), tcp_info.tcpi_rtt(s), tcp_info.tcpi_rttvar(s),
                        tcp_info.tcpi_snd_ssthresh(s), tcp_info.tcpi_snd_cwnd(s), tcp_info.tcpi_advmss(s),
                        tcp_info.tcpi_reordering(s), tcp_info.tcpi_total_retrans(s));
            }
        };

        static final Codec<Inet4Address> IN_ADDR = new Codec<>() {
            public int encode(String option, Inet4Address v, MemorySegment dst) {
                MemorySegment.copy(v.getAddress(), 0, dst, ValueLayout.JAVA_BYTE, 0, 4);
                return 4;
            }

            public Inet4Address decode(MemorySegment src, int length, Family family) {
                byte[] b = new byte[4];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, b, 0, 4);
                try {
                    return (Inet4Address) InetAddress.getByAddress(b);
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
        };

        static final Codec<Membership> MREQN = new Codec<>() {
            public int encode(String option, Membership v, MemorySegment dst) {
                if (v.isIpv6()) {
                    throw new IllegalArgumentException(option + ": " + v.group().getHostAddress()
                            + " is an IPv6 group; use IPV6_JOIN_GROUP");
                }
                dst.asSlice(0, ip_mreqn.layout().byteSize()).fill((byte) 0);
                MemorySegment.copy(v.group().getAddress(), 0, dst, ValueLayout.JAVA_BYTE, ip_mreqn.imr_multiaddr$offset(), 4);
                ip_mreqn.imr_ifindex(dst, v.interfaceIndex());
                return (int) ip_mreqn.layout().byteSize();
            }

            public Membership decode(MemorySegment src, int length, Family family) {
                throw new AssertionError("write-only");
            }
        };

        static final Codec<Membership> MREQ6 = new Codec<>() {
            public int encode(String option, Membership v, MemorySegment dst) {
                if (!v.isIpv6()) {
                    throw new IllegalArgumentException(option + ": " + v.group().getHostAddress()
                            + " is an IPv4 group; use IP_ADD_MEMBERSHIP");
                }
                MemorySegment.copy(v.group().getAddress(), 0, dst, ValueLayout.JAVA_BYTE, ipv6_mreq.ipv6mr_multiaddr$offset(), 16);
                ipv6_mreq.ipv6mr_interface(dst, v.interfaceIndex());
                return (int) ipv6_mreq.layout().byteSize();
            }

            public Membership decode(MemorySegment src, int length, Family family) {
                throw new AssertionError("write-only");
            }
        };
    }
}
