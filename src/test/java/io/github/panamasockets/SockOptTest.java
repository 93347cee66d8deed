package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            for (SockOpt<Boolean> o : java.util.List.of(SockOpt.SO_REUSEADDR, SockOpt.SO_REUSEPORT, SockOpt.SO_KEEPALIVE,
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
            udp.set(SockOpt.IPV6_UNICAST_HOPS, -1);
            assertEquals(64, udp.get(SockOpt.IPV6_UNICAST_HOPS), "-1 restores the route's default");
        }
    }

    @Test
    void bindToDeviceNamesTheInterface() throws IOException {
        assumeTrue(RawAndNetlinkTest.isRoot(), "SO_BINDTODEVICE needs CAP_NET_RAW: skipped when not root");
        try (var udp = Sock.open(Family.INET, SockType.DGRAM)) {
            udp.set(SockOpt.SO_BINDTODEVICE, "lo");
            assertEquals("lo", udp.get(SockOpt.SO_BINDTODEVICE));
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
                assumeTrue(false, "the kernel refused the loopback multicast join: " + e.getMessage());
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
                rx6.set(SockOpt.IPV6_LEAVE_GROUP, g6);
            } catch (SyscallException e) {
                assumeTrue(false, "the kernel refused the IPv6 join on lo: " + e.getMessage());
            }
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
                    var seen = new java.util.concurrent.atomic.AtomicInteger();
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

    static Stream<Arguments> badValues() throws IOException {
        Sock tcp = Sock.open(Family.INET, SockType.STREAM);
        Sock unix = Sock.open(Family.UNIX, SockType.DGRAM);
        Sock udp6 = Sock.open(Family.INET6, SockType.DGRAM);
        return Stream.of(
                bad("a negative SO_RCVBUF", IllegalArgumentException.class, () -> tcp.set(SockOpt.SO_RCVBUF, -1), "SO_RCVBUF", "-1"),
                bad("IP_TTL 0", IllegalArgumentException.class, () -> tcp.set(SockOpt.IP_TTL, 0), "IP_TTL", "0", "1 to 255"),
                bad("IP_TTL 256", IllegalArgumentException.class, () -> tcp.set(SockOpt.IP_TTL, 256), "IP_TTL", "256"),
                bad("IP_TOS 300", IllegalArgumentException.class, () -> tcp.set(SockOpt.IP_TOS, 300), "IP_TOS", "300"),
                bad("IPV6_UNICAST_HOPS -2", IllegalArgumentException.class, () -> udp6.set(SockOpt.IPV6_UNICAST_HOPS, -2), "-2"),
                bad("a negative timeout", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.SO_RCVTIMEO, Duration.ofSeconds(-1)), "SO_RCVTIMEO", "PT-1S"),
                bad("a negative linger", IllegalArgumentException.class, () -> Linger.seconds(-3), "SO_LINGER", "-3"),
                bad("an interface name too long", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.SO_BINDTODEVICE, "an-interface-name-too-long"), "an-interface-name-too-long", "15"),
                bad("a group that is not multicast", IllegalArgumentException.class,
                        () -> new Membership(InetAddress.getByName("10.0.0.1"), 0), "10.0.0.1", "224.0.0.0/4"),
                bad("an IPv6 group for IP_ADD_MEMBERSHIP", IllegalArgumentException.class,
                        () -> tcp.set(SockOpt.IP_ADD_MEMBERSHIP, new Membership(InetAddress.getByName("ff02::1"), 0)),
                        "IP_ADD_MEMBERSHIP", "ff02", "IPV6_JOIN_GROUP"),
                bad("an IPv4 option on a Unix socket", IllegalArgumentException.class,
                        () -> unix.set(SockOpt.IP_TTL, 5), "IP_TTL", "AF_INET", "AF_UNIX"),
                bad("a TCP option on a UDP socket", IllegalArgumentException.class,
                        () -> udp6.get(SockOpt.TCP_NODELAY), "TCP_NODELAY", "SOCK_DGRAM"),
                bad("SO_PEERCRED of a TCP socket", IllegalArgumentException.class,
                        () -> tcp.peerCredentials(), "SO_PEERCRED", "AF_INET"),
                bad("setting a read-only option", UnsupportedOperationException.class,
                        () -> tcp.set(SockOpt.SO_ERROR, 0), "SO_ERROR", "only be read"),
                bad("reading a write-only option", UnsupportedOperationException.class,
                        () -> udp6.get(SockOpt.IPV6_JOIN_GROUP), "IPV6_JOIN_GROUP", "only be set"),
                bad("netlink group 0", IllegalArgumentException.class,
                        () -> Sock.open(Family.NETLINK, SockType.RAW).set(SockOpt.NETLINK_ADD_MEMBERSHIP, 0), "NETLINK_ADD_MEMBERSHIP", "0"),
                bad("a null value", NullPointerException.class, () -> tcp.set(SockOpt.TCP_NODELAY, null), "TCP_NODELAY"),
                bad("a null option", NullPointerException.class, () -> tcp.get(null), "option"),
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
