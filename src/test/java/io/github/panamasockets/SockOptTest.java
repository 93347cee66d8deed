package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every option in the table is set where it can be and read back from the kernel; read-only ones
 * report what the socket is; bad values are refused before the system call with a message that
 * names the option and the value.
 */
class SockOptTest {

    private static int[] ids() throws IOException {
        int uid = -1;
        int gid = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                uid = Integer.parseInt(line.split("\\s+")[2]);
            } else if (line.startsWith("Gid:")) {
                gid = Integer.parseInt(line.split("\\s+")[2]);
            }
        }
        return new int[] {uid, gid};
    }

    @Test
    void socketLevelOptionsRoundTrip() throws IOException {
        try (var s = Sock.open(Family.INET, SockType.STREAM)) {
            for (SockOpt<Boolean> o : List.of(SockOpt.SO_REUSEADDR, SockOpt.SO_REUSEPORT, SockOpt.SO_KEEPALIVE,
                    SockOpt.SO_BROADCAST)) {
                s.set(o, true);
                assertTrue(s.get(o), o + " on");
                s.set(o, false);
                assertFalse(s.get(o), o + " off");
            }
            s.set(SockOpt.SO_RCVBUF, 65536).set(SockOpt.SO_SNDBUF, 65536);
            assertTrue(s.get(SockOpt.SO_RCVBUF) >= 65536, "the kernel doubles it");
            assertTrue(s.get(SockOpt.SO_SNDBUF) >= 65536);
            s.set(SockOpt.SO_RCVLOWAT, 10);
            assertEquals(10, s.get(SockOpt.SO_RCVLOWAT));
            s.set(SockOpt.SO_RCVTIMEO, Duration.ofMillis(1500)).set(SockOpt.SO_SNDTIMEO, Duration.ofSeconds(2));
            assertEquals(Duration.ofMillis(1500), s.get(SockOpt.SO_RCVTIMEO));
            assertEquals(Duration.ofSeconds(2), s.get(SockOpt.SO_SNDTIMEO));
            s.set(SockOpt.SO_RCVTIMEO, Duration.ZERO);
            assertEquals(Duration.ZERO, s.get(SockOpt.SO_RCVTIMEO));
        }
    }

    @Test
    void timeoutsRoundUpToWholeMicrosecondsAndCarryIntoSeconds() throws IOException {
        try (var s = Sock.open(Family.INET, SockType.STREAM)) {
            // 1.999999999 s rounds up to tv_usec 1000000, which the kernel refuses (EDOM): it must carry.
            s.set(SockOpt.SO_RCVTIMEO, Duration.ofSeconds(1, 999_999_999));
            assertEquals(Duration.ofSeconds(2), s.get(SockOpt.SO_RCVTIMEO));
            // A nanosecond rounds up to a microsecond, never down to 0, which would mean "forever".
            s.set(SockOpt.SO_SNDTIMEO, Duration.ofNanos(1));
            assertFalse(s.get(SockOpt.SO_SNDTIMEO).isZero(), "1 ns must not become no timeout");
            s.set(SockOpt.SO_LINGER, Linger.seconds(7));
            assertEquals(Linger.seconds(7), s.get(SockOpt.SO_LINGER));
            s.set(SockOpt.SO_LINGER, Linger.OFF);
            assertFalse(s.get(SockOpt.SO_LINGER).on());
            s.set(SockOpt.SO_PRIORITY, 3);
            assertEquals(3, s.get(SockOpt.SO_PRIORITY));
            assertEquals(0, s.get(SockOpt.SO_ERROR));
        }
    }

    @Test
    void passCredOnAUnixSocket() throws IOException {
        try (var s = Sock.open(Family.UNIX, SockType.DGRAM)) {
            s.set(SockOpt.SO_PASSCRED, true);
            assertTrue(s.get(SockOpt.SO_PASSCRED));
        }
    }

    @Test
    void readOnlyOptionsSayWhatTheSocketIs() throws IOException {
        try (var tcp = Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0));
             var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE)) {
            assertEquals(SockType.STREAM, tcp.get(SockOpt.SO_TYPE));
            assertEquals(Family.INET6, tcp.get(SockOpt.SO_DOMAIN));
            assertEquals(Protocol.TCP, tcp.get(SockOpt.SO_PROTOCOL));
            assertFalse(tcp.get(SockOpt.SO_ACCEPTCONN));
            tcp.listen();
            assertTrue(tcp.get(SockOpt.SO_ACCEPTCONN));
            assertEquals("NETLINK_ROUTE", nl.get(SockOpt.SO_PROTOCOL).toString());
        }
    }

    @Test
    void peerCredentialsAreOurOwn() throws IOException {
        int[] ids = ids();
        try (var pair = Sock.pair(SockType.STREAM)) {
            assertEquals(new PeerCred((int) ProcessHandle.current().pid(), ids[0], ids[1]), pair.first().peerCredentials());
            assertEquals(pair.first().peerCredentials(), pair.second().get(SockOpt.SO_PEERCRED));
        }
    }

    @Test
    void tcpOptionsAndInfo() throws IOException {
        try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             var c = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
             var conn = server.accept()) {
            c.set(SockOpt.TCP_NODELAY, true).set(SockOpt.TCP_CORK, true);
            assertTrue(c.get(SockOpt.TCP_NODELAY));
            assertTrue(c.get(SockOpt.TCP_CORK));
            c.set(SockOpt.TCP_CORK, false);
            c.set(SockOpt.TCP_KEEPIDLE, 30).set(SockOpt.TCP_KEEPINTVL, 5).set(SockOpt.TCP_KEEPCNT, 4)
                    .set(SockOpt.TCP_USER_TIMEOUT, 10_000);
            assertEquals(30, c.get(SockOpt.TCP_KEEPIDLE));
            assertEquals(5, c.get(SockOpt.TCP_KEEPINTVL));
            assertEquals(4, c.get(SockOpt.TCP_KEEPCNT));
            assertEquals(10_000, c.get(SockOpt.TCP_USER_TIMEOUT));
            TcpInfo info = c.get(SockOpt.TCP_INFO);
            assertEquals(1, info.state(), "TCP_ESTABLISHED");
            assertTrue(info.sndMss() > 0 && info.pmtu() > 0, info.toString());
            assertEquals(10, server.get(SockOpt.TCP_INFO).state(), "TCP_LISTEN");
        }
    }

    @Test
    void ipv4Options() throws IOException {
        try (var udp = Sock.open(Family.INET, SockType.DGRAM)) {
            udp.set(SockOpt.IP_TTL, 17).set(SockOpt.IP_TOS, 0x10).set(SockOpt.IP_MULTICAST_TTL, 3)
                    .set(SockOpt.IP_MULTICAST_LOOP, false);
            assertEquals(17, udp.get(SockOpt.IP_TTL));
            assertEquals(0x10, udp.get(SockOpt.IP_TOS));
            assertEquals(3, udp.get(SockOpt.IP_MULTICAST_TTL));
            assertFalse(udp.get(SockOpt.IP_MULTICAST_LOOP));
            Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
            udp.set(SockOpt.IP_MULTICAST_IF, lo);
            assertEquals(lo, udp.get(SockOpt.IP_MULTICAST_IF));
            udp.set(SockOpt.IP_PKTINFO, true);
            assertTrue(udp.get(SockOpt.IP_PKTINFO));
            // -1 is Linux's "back to the default" for both TTLs, though ip(7) only hints at it.
            udp.set(SockOpt.IP_TTL, -1).set(SockOpt.IP_MULTICAST_TTL, -1);
            assertEquals(sysctl("net/ipv4/ip_default_ttl"), udp.get(SockOpt.IP_TTL));
            assertEquals(1, udp.get(SockOpt.IP_MULTICAST_TTL));
        }
    }

    @Test
    void ipv6Options() throws IOException {
        try (var udp = Sock.open(Family.INET6, SockType.DGRAM)) {
            udp.set(SockOpt.IPV6_V6ONLY, true).set(SockOpt.IPV6_UNICAST_HOPS, 9).set(SockOpt.IPV6_MULTICAST_HOPS, 2)
                    .set(SockOpt.IPV6_MULTICAST_LOOP, false);
            assertTrue(udp.get(SockOpt.IPV6_V6ONLY));
            assertEquals(9, udp.get(SockOpt.IPV6_UNICAST_HOPS));
            assertEquals(2, udp.get(SockOpt.IPV6_MULTICAST_HOPS));
            assertFalse(udp.get(SockOpt.IPV6_MULTICAST_LOOP));
            udp.set(SockOpt.IPV6_RECVPKTINFO, true);
            assertTrue(udp.get(SockOpt.IPV6_RECVPKTINFO));
            udp.set(SockOpt.IPV6_UNICAST_HOPS, -1).set(SockOpt.IPV6_MULTICAST_HOPS, -1);
            assertEquals(sysctl("net/ipv6/conf/all/hop_limit"), udp.get(SockOpt.IPV6_UNICAST_HOPS),
                    "-1 restores the default hop limit");
            assertEquals(1, udp.get(SockOpt.IPV6_MULTICAST_HOPS));
        }
    }

    @Test
    void bindToDeviceNamesTheInterface() throws IOException {
        try (var udp = Sock.open(Family.INET, SockType.DGRAM)) {
            assertEquals("", udp.get(SockOpt.SO_BINDTODEVICE), "no device yet");
            try {
                udp.set(SockOpt.SO_BINDTODEVICE, "lo");
            } catch (SyscallException e) {
                // Before Linux 5.7 even the first binding needed CAP_NET_RAW.
                assumeTrue(e.errno() != Errno.EPERM.value(), "SO_BINDTODEVICE needs CAP_NET_RAW on this kernel: " + e.getMessage());
                throw e;
            }
            assertEquals("lo", udp.get(SockOpt.SO_BINDTODEVICE));
            assumeTrue(RawAndNetlinkTest.isRoot(), "changing a bound device needs CAP_NET_RAW: clearing it is skipped when not root");
            udp.set(SockOpt.SO_BINDTODEVICE, "");
            assertEquals("", udp.get(SockOpt.SO_BINDTODEVICE));
        }
    }

    @Test
    void markAndHighPriorityNeedRoot() throws IOException {
        assumeTrue(RawAndNetlinkTest.isRoot(), "SO_MARK and SO_PRIORITY above 6 need CAP_NET_ADMIN: skipped when not root");
        try (var s = Sock.open(Family.INET, SockType.DGRAM)) {
            s.set(SockOpt.SO_MARK, 42).set(SockOpt.SO_PRIORITY, 7);
            assertEquals(42, s.get(SockOpt.SO_MARK));
            assertEquals(7, s.get(SockOpt.SO_PRIORITY));
        }
    }

    @Test
    void multicastOnLoopbackIsReceived() throws Exception {
        InetAddress group = InetAddress.getByName("239.255.42.99");
        try (var rx = Sock.open(Family.INET, SockType.DGRAM).set(SockOpt.SO_REUSEADDR, true)
                .bind(SockaddrInet4.any(0));
             var tx = Sock.open(Family.INET, SockType.DGRAM)) {
            try {
                rx.set(SockOpt.IP_ADD_MEMBERSHIP, new Membership(group, 1));
            } catch (SyscallException e) {
                assumeTrue(!noMulticastOnLo(e), "the kernel refused the loopback multicast join: " + e.getMessage());
                throw e;
            }
            tx.set(SockOpt.IP_MULTICAST_IF, (Inet4Address) InetAddress.getByName("127.0.0.1"))
                    .set(SockOpt.IP_MULTICAST_LOOP, true);
            int port = ((SockaddrInet4) rx.localAddress()).port();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                rx.set(SockOpt.SO_RCVTIMEO, Duration.ofSeconds(5));
                tx.sendTo("to the group".getBytes(), 0, 12, SockaddrInet4.of(group, port));
                byte[] b = new byte[64];
                var r = rx.recvFrom(b, 0, b.length);
                assertEquals("to the group", new String(b, 0, r.length()));
            });
            rx.set(SockOpt.IP_DROP_MEMBERSHIP, new Membership(group, 1));
        }
        try (var rx6 = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.any(0))) {
            var g6 = new Membership(InetAddress.getByName("ff02::1:2"), 1);
            try {
                rx6.set(SockOpt.IPV6_JOIN_GROUP, g6);
            } catch (SyscallException e) {
                assumeTrue(!noMulticastOnLo(e), "the kernel refused the IPv6 join on lo: " + e.getMessage());
                throw e;
            }
            rx6.set(SockOpt.IPV6_LEAVE_GROUP, g6);
        }
    }

    @Test
    void netlinkOptions() throws IOException {
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel())) {
            nl.set(SockOpt.NETLINK_ADD_MEMBERSHIP, 1).set(SockOpt.NETLINK_DROP_MEMBERSHIP, 1);
            nl.set(SockOpt.NETLINK_EXT_ACK, true).set(SockOpt.NETLINK_NO_ENOBUFS, true);
            assertTrue(nl.get(SockOpt.NETLINK_EXT_ACK));
            assertTrue(nl.get(SockOpt.NETLINK_NO_ENOBUFS));
        }
    }

    @Test
    void rawIntsAndBytesReachAnyOption() throws IOException {
        try (var s = Sock.open(Family.INET, SockType.STREAM)) {
            s.setInt(6, 1, 1);                                      // IPPROTO_TCP, TCP_NODELAY
            assertEquals(1, s.getInt(6, 1));
            assertTrue(s.get(SockOpt.TCP_NODELAY));
            s.setBytes(1, 2, new byte[] {1, 0, 0, 0});              // SOL_SOCKET, SO_REUSEADDR
            assertTrue(s.get(SockOpt.SO_REUSEADDR));
            assertEquals(4, s.getBytes(1, 2, 16).length);
        }
    }

    @Test
    void acceptFromServesOnlyAllowedUids() throws Exception {
        int uid = ids()[0];
        var name = SockaddrUnix.abstractName("uid-guard-" + ProcessHandle.current().pid());
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen()) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                // Refusing our own uid: the connection is closed, the client reads end of stream.
                try (var refused = Sock.open(Family.UNIX, SockType.STREAM).connect(name);
                     var allowed = Sock.open(Family.UNIX, SockType.STREAM).connect(name)) {
                    var seen = new AtomicInteger();
                    var conn = server.acceptFrom(u -> seen.incrementAndGet() > 1 && u == uid);
                    assertEquals(2, seen.get());
                    assertEquals(-1, refused.recv(new byte[1]), "the refused client was closed");
                    conn.socket().send(new byte[] {1});
                    assertEquals(1, allowed.recv(new byte[1]));
                    conn.close();
                }
            });
        }
    }

    @Test
    void acceptFromClosesARefusedPeerAndKeepsWaiting() throws Exception {
        int uid = ids()[0];
        var name = SockaddrUnix.abstractName("uid-guard-wait-" + ProcessHandle.current().pid());
        var pool = Executors.newSingleThreadExecutor();
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen()) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                // Only the second peer is let in, though both are our own uid.
                var seen = new AtomicInteger();
                Future<Accepted> pending = pool.submit(() -> server.acceptFrom(u -> seen.incrementAndGet() > 1 && u == uid));
                try (var refused = Sock.open(Family.UNIX, SockType.STREAM).connect(name)) {
                    assertEquals(-1, refused.recv(new byte[1]), "the refused client reads end of stream");
                }
                assertEquals(1, seen.get());
                assertFalse(pending.isDone(), "acceptFrom keeps waiting after refusing a peer");
                try (var allowed = Sock.open(Family.UNIX, SockType.STREAM).connect(name);
                     var conn = pending.get()) {
                    assertEquals(2, seen.get());
                    allowed.send(new byte[] {7});
                    byte[] b = new byte[1];
                    assertEquals(1, conn.socket().recv(b));
                    assertEquals(7, b[0]);
                }
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void acceptFromOurOwnUidReturnsTheConnection() throws Exception {
        int uid = ids()[0];
        var name = SockaddrUnix.abstractName("uid-guard-own-" + ProcessHandle.current().pid());
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen();
             var client = Sock.open(Family.UNIX, SockType.STREAM).connect(name)) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try (var conn = server.acceptFrom(u -> u == uid)) {
                    assertEquals(uid, conn.socket().peerCredentials().uid());
                }
            });
        }
    }

    /** The table's one-line declarations: each prints its field's name, and no two share a level and name. */
    @Test
    void everyOptionInTheTablePrintsItsCNameAndIsDistinct() throws Exception {
        var seen = new HashSet<String>();
        int count = 0;
        for (Field f : SockOpt.class.getFields()) {
            if (f.getType() != SockOpt.class) {
                continue;
            }
            SockOpt<?> o = (SockOpt<?>) f.get(null);
            count++;
            assertEquals(f.getName(), o.toString());
            assertTrue(o.isReadable() || o.isWritable(), o + " is neither readable nor writable");
            assertTrue(seen.add(o.level() + "/" + o.optname()), o + " repeats another option's level and name");
        }
        assertTrue(count >= 45, "options in the table: " + count);
    }

    /** Every readable option of the table reads without error from a fresh socket of its kind. */
    @Test
    void everyReadableOptionReadsFromASocketOfItsKind() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM);
             var tcp = Sock.open(Family.INET, SockType.STREAM);
             var udp = Sock.open(Family.INET, SockType.DGRAM);
             var udp6 = Sock.open(Family.INET6, SockType.DGRAM);
             var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE)) {
            for (Field f : SockOpt.class.getFields()) {
                if (f.getType() != SockOpt.class || !((SockOpt<?>) f.get(null)).isReadable()) {
                    continue;
                }
                SockOpt<?> o = (SockOpt<?>) f.get(null);
                Sock s = switch (o.level()) {
                    case 1 -> o == SockOpt.SO_PEERCRED || o == SockOpt.SO_PASSCRED ? pair.first() : tcp;   // SOL_SOCKET
                    case 6 -> tcp;                                              // IPPROTO_TCP
                    case 0 -> udp;                                              // IPPROTO_IP
                    case 41 -> udp6;                                            // IPPROTO_IPV6
                    case 270 -> nl;                                             // SOL_NETLINK
                    default -> throw new AssertionError(o + ": level " + o.level());
                };
                assertNotNull(s.get(o), o.toString());
            }
            assertEquals(7, tcp.get(SockOpt.TCP_INFO).state(), "TCP_CLOSE before connecting");
        }
    }

    private static int sysctl(String name) throws IOException {
        // readAllLines, not readString: this procfs answers a read sized for a 0-byte file with 1 byte.
        return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys", name)).get(0).strip());
    }

    /** Joining a group on lo fails with these where the kernel or the namespace has no multicast there. */
    private static boolean noMulticastOnLo(SyscallException e) {
        return e.errno() == Errno.ENODEV.value() || e.errno() == Errno.EADDRNOTAVAIL.value();
    }

    private static final List<Sock> OPENED = new ArrayList<>();

    private static Sock open(Family family, SockType type) throws IOException {
        Sock s = Sock.open(family, type);
        OPENED.add(s);
        return s;
    }

    @AfterAll
    static void closeTheBadValueSockets() {
        OPENED.forEach(Sock::close);
    }

    static Stream<Arguments> badValues() throws IOException {
        Sock tcp = open(Family.INET, SockType.STREAM);
        Sock unix = open(Family.UNIX, SockType.DGRAM);
        Sock udp6 = open(Family.INET6, SockType.DGRAM);
        Sock udp = open(Family.INET, SockType.DGRAM);
        Sock netlink = open(Family.NETLINK, SockType.RAW);
        return Stream.of(
                bad("a negative SO_RCVBUF", IllegalArgumentException.class, () -> tcp.set(SockOpt.SO_RCVBUF, -1), "SO_RCVBUF", "-1"),
                bad("a negative SO_SNDBUF", IllegalArgumentException.class, () -> tcp.set(SockOpt.SO_SNDBUF, -4096), "SO_SNDBUF", "-4096"),
                bad("IP_TTL 0", IllegalArgumentException.class, () -> tcp.set(SockOpt.IP_TTL, 0), "IP_TTL", "0", "1 to 255"),
                bad("IP_TTL -2", IllegalArgumentException.class, () -> tcp.set(SockOpt.IP_TTL, -2), "IP_TTL", "-2", "-1 for the default"),
                bad("IP_MULTICAST_TTL 256", IllegalArgumentException.class, () -> udp.set(SockOpt.IP_MULTICAST_TTL, 256),
                        "IP_MULTICAST_TTL", "256"),
                bad("IP_TTL 256", IllegalArgumentException.class, () -> tcp.set(SockOpt.IP_TTL, 256), "IP_TTL", "256"),
                bad("IP_TOS 300", IllegalArgumentException.class, () -> tcp.set(SockOpt.IP_TOS, 300), "IP_TOS", "300"),
                bad("IPV6_UNICAST_HOPS -2", IllegalArgumentException.class, () -> udp6.set(SockOpt.IPV6_UNICAST_HOPS, -2), "-2"),
                bad("a negative timeout", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.SO_RCVTIMEO, Duration.ofSeconds(-1)), "SO_RCVTIMEO", "PT-1S"),
                bad("a negative linger", IllegalArgumentException.class, () -> Linger.seconds(-3), "SO_LINGER", "-3"),
                bad("an interface name too long", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.SO_BINDTODEVICE, "an-interface-name-too-long"), "an-interface-name-too-long", "15"),
                bad("an interface name of exactly IFNAMSIZ bytes", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.SO_BINDTODEVICE, "sixteen-bytes-xx"), "SO_BINDTODEVICE", "16 bytes"),
                bad("an interface name with a NUL inside", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.SO_BINDTODEVICE, "l\0o"), "SO_BINDTODEVICE", "NUL"),
                bad("a group that is not multicast", IllegalArgumentException.class,
                        () -> new Membership(InetAddress.getByName("10.0.0.1"), 0), "10.0.0.1", "224.0.0.0/4"),
                bad("an IPv6 group for IP_ADD_MEMBERSHIP", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.IP_ADD_MEMBERSHIP, new Membership(InetAddress.getByName("ff02::1"), 0)),
                        "IP_ADD_MEMBERSHIP", "ff02", "IPV6_JOIN_GROUP"),
                bad("an IPv4 option on a Unix socket", IllegalArgumentException.class,
                        () -> unix.set(SockOpt.IP_TTL, 5), "IP_TTL", "AF_INET", "AF_UNIX"),
                bad("an IPv6 option on an IPv4 socket", IllegalArgumentException.class,
                        () -> udp.get(SockOpt.IPV6_V6ONLY), "IPV6_V6ONLY", "AF_INET6", "this socket is AF_INET"),
                bad("a netlink option on a TCP socket", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.NETLINK_EXT_ACK, true), "NETLINK_EXT_ACK", "AF_NETLINK", "AF_INET"),
                bad("a TCP option on a Unix stream socket", IllegalArgumentException.class,
                        () -> unix.get(SockOpt.TCP_INFO), "TCP_INFO", "AF_UNIX"),
                bad("a TCP option on a UDP socket", IllegalArgumentException.class,
                        () -> udp6.get(SockOpt.TCP_NODELAY), "TCP_NODELAY", "SOCK_DGRAM"),
                bad("SO_PEERCRED of a TCP socket", IllegalArgumentException.class,
                        () -> tcp.peerCredentials(), "SO_PEERCRED", "AF_INET"),
                bad("setting a read-only option", UnsupportedOperationException.class,
                        () -> tcp.set(SockOpt.SO_ERROR, 0), "SO_ERROR", "only be read"),
                bad("reading a write-only option", UnsupportedOperationException.class,
                        () -> udp6.get(SockOpt.IPV6_JOIN_GROUP), "IPV6_JOIN_GROUP", "only be set"),
                bad("netlink group 0", IllegalArgumentException.class,
                        () -> netlink.set(SockOpt.NETLINK_ADD_MEMBERSHIP, 0), "NETLINK_ADD_MEMBERSHIP", "0"),
                bad("a negative interface index", IllegalArgumentException.class,
                        () -> new Membership(InetAddress.getByName("239.1.2.3"), -1), "interface index", "-1"),
                bad("a null value", NullPointerException.class, () -> tcp.set(SockOpt.TCP_NODELAY, null), "TCP_NODELAY"),
                bad("a null option", NullPointerException.class, () -> tcp.get(null), "option"),
                bad("a null group", NullPointerException.class, () -> new Membership(null, 0), "group"),
                bad("a value the kernel refuses", SyscallException.class,
                        () -> tcp.setInt(6, 9999, 1), "setsockopt(6, 9999, 1)", "ENOPROTOOPT"),
                bad("too many bytes", IllegalArgumentException.class, () -> tcp.setBytes(1, 2, new byte[300]), "300"));
    }

    private static Arguments bad(String name, Class<? extends Throwable> type, Executable call, String... inMessage) {
        return Arguments.of(Named.of(name, call), type, inMessage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesAreRefusedWithTheOptionAndValueNamed(Executable call, Class<? extends Throwable> type, String[] inMessage) {
        Throwable t = assertThrows(Throwable.class, call);
        assertEquals(type, t.getClass(), () -> "wrong type: " + t);
        for (String s : inMessage) {
            assertTrue(t.getMessage().contains(s), () -> "\"" + s + "\" not in: " + t.getMessage());
        }
    }
}
