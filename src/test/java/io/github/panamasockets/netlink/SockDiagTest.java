package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * sock_diag against the real kernel: the test's own TCP, UDP and Unix sockets appear in the
 * listing with the inode /proc/self/fd shows for them and that ss prints, with their addresses and
 * states, and the state and family filters select them. In a network namespace the test makes,
 * where its own sockets are the only ones, the whole listing equals what
 * {@code ss -a -x -t -u -n -p} prints there, queues and owning descriptors included.
 */
class SockDiagTest {
    private static SockDiag diag;

    @TempDir
    static Path dir;

    @BeforeAll
    static void open() throws IOException {
        diag = SockDiag.open();
    }

    @AfterAll
    static void close() {
        diag.close();
    }

    private static InetSockInfo find(List<InetSockInfo> list, long inode) {
        return list.stream().filter(s -> s.inode() == inode).findFirst()
                .orElseThrow(() -> new AssertionError("inode " + inode + " is not listed: " + list));
    }

    private static UnixSockInfo findUnix(List<UnixSockInfo> list, long inode) {
        return list.stream().filter(s -> s.inode() == inode).findFirst()
                .orElseThrow(() -> new AssertionError("inode " + inode + " is not listed"));
    }

    @Test
    void aTcpListenerIsListedWithItsInodeAddressAndState() throws IOException {
        try (Sock server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(7)) {
            long inode = TestSupport.inodeOf(server.fd());
            InetSockInfo s = find(diag.tcp(Family.INET, TcpState.LISTEN), inode);
            assertEquals(server.localAddress(), s.local());
            assertEquals(SockaddrInet4.any(0), s.remote());
            assertEquals(TcpState.LISTEN, s.state());
            assertEquals(Family.INET, s.family());
            assertEquals(7, s.sendQueue(), "a listener's wqueue is its backlog");
            assertEquals(0, s.receiveQueue());
            assertTrue(diag.tcp(Family.INET, TcpState.ESTABLISHED).stream().noneMatch(x -> x.inode() == inode),
                    "the state filter leaves it out");
            assertTrue(diag.tcp(Family.INET6).stream().noneMatch(x -> x.inode() == inode), "the family filter leaves it out");
            assertTrue(diag.udp(Family.INET).stream().noneMatch(x -> x.inode() == inode), "the protocol filter leaves it out");
        }
    }

    @Test
    void bothEndsOfATcpConnectionAreListedEstablished() throws IOException {
        try (Sock server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             Sock client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
             Sock accepted = server.accept().socket()) {
            client.send(new byte[] {1, 2, 3});
            List<InetSockInfo> est = diag.tcp(Family.INET, TcpState.ESTABLISHED);
            InetSockInfo c = find(est, TestSupport.inodeOf(client.fd()));
            InetSockInfo a = find(est, TestSupport.inodeOf(accepted.fd()));
            assertEquals(client.localAddress(), c.local());
            assertEquals(server.localAddress(), c.remote());
            assertEquals(c.local(), a.remote());
            assertEquals(c.remote(), a.local());
            assertEquals(3, a.receiveQueue(), "three bytes sent, not yet read");
            long listener = TestSupport.inodeOf(server.fd());
            assertTrue(est.stream().noneMatch(x -> x.inode() == listener));
        }
    }

    @Test
    void anIpv6ListenerIsListedUnderInet6() throws IOException {
        Sock server;
        try {
            server = Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0)).listen();
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (server) {
            InetSockInfo s = find(diag.tcp(Family.INET6, TcpState.LISTEN), TestSupport.inodeOf(server.fd()));
            assertEquals(server.localAddress(), s.local());
            assertEquals(Family.INET6, s.family());
        }
    }

    @Test
    void aBoundUdpSocketIsListedUnconnected() throws IOException {
        try (Sock udp = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0))) {
            InetSockInfo s = find(diag.udp(Family.INET), TestSupport.inodeOf(udp.fd()));
            assertEquals(TcpState.CLOSE, s.state(), "ss prints UNCONN");
            assertEquals(udp.localAddress(), s.local());
            assertTrue(diag.udp(Family.INET, TcpState.ESTABLISHED).stream().noneMatch(x -> x.inode() == s.inode()));
        }
    }

    @Test
    void unixSocketsAreListedWithNamesPeersAndStates() throws IOException {
        SockaddrUnix abs = SockaddrUnix.abstractName("psk-diag-" + ProcessHandle.current().pid());
        SockaddrUnix path = SockaddrUnix.of(dir.resolve("diag.sock"));
        try (Sock listener = Sock.open(Family.UNIX, SockType.STREAM).bind(abs).listen(5);
             Sock pathSock = Sock.open(Family.UNIX, SockType.DGRAM).bind(path);
             var pair = Sock.pair(SockType.SEQPACKET)) {
            List<UnixSockInfo> all = diag.unix();
            UnixSockInfo l = findUnix(all, TestSupport.inodeOf(listener.fd()));
            assertEquals(abs, l.name());
            assertEquals(TcpState.LISTEN, l.state());
            assertEquals(SockType.STREAM, l.type());
            assertEquals(5, l.sendQueue(), "a listener's wqueue is its backlog");
            UnixSockInfo p = findUnix(all, TestSupport.inodeOf(pathSock.fd()));
            assertEquals(path, p.name());
            assertEquals(SockType.DGRAM, p.type());
            assertEquals(TcpState.CLOSE, p.state());
            long first = TestSupport.inodeOf(pair.first().fd());
            long second = TestSupport.inodeOf(pair.second().fd());
            pair.first().send(new byte[] {1});
            UnixSockInfo one = findUnix(all = diag.unix(TcpState.ESTABLISHED), first);
            UnixSockInfo two = findUnix(all, second);
            assertEquals(second, one.peerInode());
            assertEquals(first, two.peerInode());
            assertEquals(SockaddrUnix.unnamed(), one.name());
            assertEquals(SockType.SEQPACKET, one.type());
            assertEquals(1, two.receiveQueue(), "one message queued");
            assertTrue(all.stream().noneMatch(x -> x.inode() == l.inode()), "the state filter leaves the listener out");
        }
    }

    private static final Pattern INODE = Pattern.compile("ino:(\\d+)");

    /** ss's view: inode to local address, for TCP, UDP and Unix sockets. */
    private static Map<Long, String> ss() throws Exception {
        Map<Long, String> out = new HashMap<>();
        String[] lines = TestSupport.run("ss", "-a", "-x", "-t", "-u", "-n", "-e").split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 6) {
                continue;
            }
            if (f[0].startsWith("u_")) {
                out.put(Long.parseLong(f[5]), f[4]);
            } else {
                Matcher m = INODE.matcher(lines[i]);
                if (m.find()) {
                    out.put(Long.parseLong(m.group(1)), f[4]);
                }
            }
        }
        return out;
    }

    @Test
    void inodesAgreeWithSs() throws Exception {
        assumeTrue(TestSupport.onPath("ss"), "ss (iproute2) is not installed: the comparison with it is skipped");
        SockaddrUnix abs = SockaddrUnix.abstractName("psk-ss-" + ProcessHandle.current().pid());
        try (Sock tcp = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             Sock udp = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
             Sock unix = Sock.open(Family.UNIX, SockType.STREAM).bind(abs).listen()) {
            Map<Long, String> ss = ss();
            InetSockInfo t = find(diag.tcp(Family.INET), TestSupport.inodeOf(tcp.fd()));
            InetSockInfo u = find(diag.udp(Family.INET), TestSupport.inodeOf(udp.fd()));
            UnixSockInfo x = findUnix(diag.unix(), TestSupport.inodeOf(unix.fd()));
            assertEquals(t.local().toString(), ss.get(t.inode()));
            assertEquals(u.local().toString(), ss.get(u.inode()));
            assertEquals(abs.toString(), ss.get(x.inode()));
        }
    }

    private static final Map<TcpState, String> SS_STATES = Map.of(TcpState.ESTABLISHED, "ESTAB", TcpState.LISTEN, "LISTEN",
            TcpState.CLOSE, "UNCONN", TcpState.SYN_SENT, "SYN-SENT", TcpState.SYN_RECV, "SYN-RECV",
            TcpState.FIN_WAIT1, "FIN-WAIT-1", TcpState.FIN_WAIT2, "FIN-WAIT-2", TcpState.TIME_WAIT, "TIME-WAIT",
            TcpState.CLOSE_WAIT, "CLOSE-WAIT", TcpState.LAST_ACK, "LAST-ACK");
    private static final Map<SockType, String> SS_UNIX = Map.of(SockType.STREAM, "u_str", SockType.DGRAM, "u_dgr",
            SockType.SEQPACKET, "u_seq");
    private static final Pattern USER = Pattern.compile("pid=(\\d+),fd=(\\d+)");

    /** An IP socket address as ss prints it: port 0 is "*". */
    private static String ssAddress(Sockaddr a) {
        String s = a.toString();
        return s.endsWith(":0") ? s.substring(0, s.length() - 1) + "*" : s;
    }

    /** A listed socket as `ss -a -x -t -u -n -p` prints it, spaces collapsed; its process from our fds. */
    private static String ssLine(String netid, TcpState state, long rq, long sq, String local, String peer, long inode,
            Map<Long, Integer> fds) {
        return netid + " " + SS_STATES.getOrDefault(state, state.toString()) + " " + rq + " " + sq + " " + local + " " + peer
                + " pid=" + ProcessHandle.current().pid() + ",fd=" + fds.get(inode);
    }

    /** This process's socket descriptors by inode, from /proc/self/fd. */
    private static Map<Long, Integer> socketFds() throws IOException {
        Map<Long, Integer> out = new HashMap<>();
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : entries.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        out.put(Long.parseLong(link.substring(8, link.length() - 1)), Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // closed while listed: not one of the test's sockets
                }
            }
        }
        return out;
    }

    /** Every TCP, UDP and Unix socket the namespace's sock_diag lists, as ss lines. */
    private static Set<String> listing(SockDiag diag) throws IOException {
        Map<Long, Integer> fds = socketFds();
        Set<String> out = new TreeSet<>();
        for (Family f : List.of(Family.INET, Family.INET6)) {
            for (InetSockInfo s : diag.tcp(f)) {
                out.add(ssLine("tcp", s.state(), s.receiveQueue(), s.sendQueue(), ssAddress(s.local()), ssAddress(s.remote()),
                        s.inode(), fds));
            }
            for (InetSockInfo s : diag.udp(f)) {
                out.add(ssLine("udp", s.state(), s.receiveQueue(), s.sendQueue(), ssAddress(s.local()), ssAddress(s.remote()),
                        s.inode(), fds));
            }
        }
        for (UnixSockInfo s : diag.unix()) {
            String name = s.name().equals(SockaddrUnix.unnamed()) ? "*" : s.name().toString();
            out.add(ssLine(SS_UNIX.get(s.type()), s.state(), s.receiveQueue(), s.sendQueue(), name + " " + s.inode(),
                    "* " + s.peerInode(), s.inode(), fds));
        }
        return out;
    }

    /** What `ss -a -x -t -u -n -p` prints in the namespace, in the form of {@link #listing}. */
    private static Set<String> ss(TestNamespace t) throws Exception {
        Set<String> out = new TreeSet<>();
        String[] lines = t.exec("ss", "-a", "-x", "-t", "-u", "-n", "-p").split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            Matcher user = USER.matcher(lines[i]);
            assertTrue(user.find(), "ss names no process for a socket of this test: " + lines[i]);
            int columns = f[0].startsWith("u_") ? 8 : 6;
            out.add(String.join(" ", Arrays.copyOf(f, columns)) + " pid=" + user.group(1) + ",fd=" + user.group(2));
        }
        return out;
    }

    @Test
    void inANamespaceTheWholeListingEqualsSs() throws Exception {
        assumeTrue(TestSupport.onPath("ss"), "ss (iproute2) is not installed: the comparison with it is skipped");
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns); var nsDiag = SockDiag.open(t.ns)) {
            rt.setLinkUp(rt.link("lo").index(), true);
            try (Sock listener = t.ns.openSock(Family.INET, SockType.STREAM, Protocol.DEFAULT).bind(SockaddrInet4.loopback(0)).listen(5);
                 Sock client = t.ns.openSock(Family.INET, SockType.STREAM, Protocol.DEFAULT).connect(listener.localAddress());
                 Sock accepted = listener.accept().socket();
                 Sock listener6 = t.ns.openSock(Family.INET6, SockType.STREAM, Protocol.DEFAULT).bind(SockaddrInet6.loopback(0)).listen();
                 Sock udp = t.ns.openSock(Family.INET, SockType.DGRAM, Protocol.DEFAULT).bind(SockaddrInet4.loopback(0));
                 Sock udpConnected = t.ns.openSock(Family.INET, SockType.DGRAM, Protocol.DEFAULT).connect(udp.localAddress());
                 Sock unixListener = t.ns.openSock(Family.UNIX, SockType.STREAM, Protocol.DEFAULT)
                         .bind(SockaddrUnix.abstractName("psk-ss")).listen(3);
                 var pair = t.ns.call(() -> Sock.pair(SockType.STREAM))) {
                client.send(new byte[] {1, 2, 3});
                pair.first().send(new byte[] {4});
                // ss before and after the library's listing, until the two agree: a state that held still.
                Set<String> before;
                Set<String> ours;
                Set<String> after;
                int attempts = 0;
                do {
                    before = ss(t);
                    ours = listing(nsDiag);
                    after = ss(t);
                } while (!before.equals(after) && ++attempts < 10);
                assertEquals(before, after, "the sockets kept changing under ss");
                assertEquals(before, ours);
                assertEquals(9, ours.size(), "the test's nine sockets, and no other: " + ours);
                long pid = ProcessHandle.current().pid();
                assertTrue(ours.contains("tcp ESTAB 3 0 " + accepted.localAddress() + " " + client.localAddress()
                        + " pid=" + pid + ",fd=" + accepted.fd()), ours.toString());
                assertTrue(ours.contains("u_str LISTEN 0 3 @psk-ss " + TestSupport.inodeOf(unixListener.fd()) + " * 0 pid=" + pid
                        + ",fd=" + unixListener.fd()), ours.toString());
            }
        }
    }

    @Test
    void everyListedSocketDecodes() throws IOException {
        for (Family f : List.of(Family.INET, Family.INET6)) {
            for (InetSockInfo s : diag.tcp(f)) {
                assertEquals(f, s.family());
                Sockaddr local = s.local();
                assertEquals(f, local.family());
            }
            diag.udp(f);
        }
        assertFalse(diag.unix().isEmpty(), "this test's JVM has Unix sockets of its own, at least the diag socket's peers");
    }

    @Test
    void badRequestsAreRejectedBeforeSending() {
        assertThrows(IllegalArgumentException.class, () -> diag.tcp(Family.UNIX));
        assertThrows(IllegalArgumentException.class, () -> diag.unix(TcpState.of(40)));
        assertEquals(-1, TcpState.mask());
        assertEquals((1 << 10) | (1 << 1), TcpState.mask(TcpState.LISTEN, TcpState.ESTABLISHED));
    }
}
