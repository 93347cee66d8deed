package tour;

import io.github.panamasockets.Accepted;
import io.github.panamasockets.EpollSelector;
import io.github.panamasockets.Family;
import io.github.panamasockets.PollEvents;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.Received;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.netlink.InetSockInfo;
import io.github.panamasockets.netlink.RouteNetlink;
import io.github.panamasockets.netlink.RtnlAddr;
import io.github.panamasockets.netlink.RtnlLink;
import io.github.panamasockets.netlink.SockDiag;
import io.github.panamasockets.netlink.TcpState;
import io.github.panamasockets.netlink.UnixSockInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A tour of panama-sockets: opens each address family, echoes a message over each socket type the
 * family supports, serves three connections from one thread through an {@link EpollSelector}, and
 * prints the addresses and what happened. Every socket is local: a temporary directory, the
 * abstract namespace, 127.0.0.1, ::1, and the kernel's netlink.
 *
 * <p>Each echo runs in one thread: a connection the kernel has completed waits in the listener's
 * queue until {@code accept}, and a small message waits in the receiver's buffer until
 * {@code recv}, so nothing blocks.
 *
 * <p>Run it with native access enabled for the library: {@code --enable-native-access=ALL-UNNAMED}
 * on the class path, as here, or {@code --enable-native-access=io.github.panamasockets} on the
 * module path.
 */
public final class Tour {

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);
    private static final String TAG = "tour-" + ProcessHandle.current().pid();

    private int echoes;
    private final List<String> failures = new ArrayList<>();

    /** One echo, which returns the address it used and a note on what happened. */
    private interface Echo {
        Line run() throws IOException;
    }

    private record Line(Object where, String note) {
    }

    public static void main(String[] args) throws IOException {
        Tour tour = new Tour();
        Path dir = privateDirectory();
        try {
            tour.run(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (!tour.failures.isEmpty()) {
            System.out.println();
            System.out.println(tour.echoes + " echoes done, " + tour.failures.size() + " failed: "
                    + String.join("; ", tour.failures));
            System.exit(1);
        }
    }

    private void run(Path dir) throws IOException {
        Module library = Sock.class.getModule();
        System.out.println("panama-sockets tour on JDK " + Runtime.version() + ", Linux " + System.getProperty("os.version"));
        System.out.println("the library is in " + (library.isNamed() ? "module " + library.getName() : "the unnamed module"
                + " (class path)") + ", native access " + (library.isNativeAccessEnabled() ? "enabled" : "NOT enabled"));

        heading("AF_UNIX: local sockets, named by a path, an abstract name (@...), or nothing");
        for (SockType type : List.of(SockType.STREAM, SockType.SEQPACKET)) {
            String name = type.cName().substring(5).toLowerCase();
            connected(Family.UNIX, type, SockaddrUnix.of(dir.resolve(name + ".sock")));
        }
        datagram(Family.UNIX, SockaddrUnix.of(dir.resolve("dgram.sock")),
                SockaddrUnix.of(dir.resolve("dgram-client.sock")));
        for (SockType type : List.of(SockType.STREAM, SockType.SEQPACKET)) {
            String name = type.cName().substring(5).toLowerCase();
            connected(Family.UNIX, type, SockaddrUnix.abstractName(TAG + "-" + name));
        }
        // Binding the client to the unnamed address asks the kernel for an abstract name (autobind).
        datagram(Family.UNIX, SockaddrUnix.abstractName(TAG + "-dgram"), SockaddrUnix.unnamed());
        for (SockType type : List.of(SockType.STREAM, SockType.SEQPACKET, SockType.DGRAM)) {
            pair(type);
        }

        heading("AF_INET: IPv4 on the loopback address; port 0 lets the kernel choose one");
        connected(Family.INET, SockType.STREAM, SockaddrInet4.loopback(0));
        datagram(Family.INET, SockaddrInet4.loopback(0), SockaddrInet4.loopback(0));

        heading("AF_INET6: IPv6 on the loopback address");
        connected(Family.INET6, SockType.STREAM, SockaddrInet6.loopback(0));
        datagram(Family.INET6, SockaddrInet6.loopback(0), SockaddrInet6.loopback(0));

        heading("EpollSelector: one thread serves several connections, as an event loop does");
        selectorEcho();

        heading("AF_NETLINK: messages to and from the kernel");
        netlink();

        heading("rtnetlink: the interfaces and their addresses, as `ip addr` lists them");
        ipAddr();

        heading("sock_diag: this tour's own listening sockets, as `ss -l` finds them");
        ssListening();

        if (failures.isEmpty()) {
            System.out.println();
            System.out.println("all echoes done: " + echoes + " echoes over AF_UNIX, AF_INET and AF_INET6,"
                    + " and a netlink port id from the kernel");
        }
    }

    /** A listening server, a client that connects to it, and the connection accept returns. */
    private void connected(Family family, SockType type, Sockaddr where) {
        echo(family, type, () -> {
            try (Sock server = Sock.open(family, type).bind(where).listen();
                 Sock client = Sock.open(family, type).connect(server.localAddress());
                 Accepted conn = server.accept()) {
                echoOnce(client, conn.socket(), type);
                return new Line(server.localAddress(), "client " + conn.peer());
            }
        });
    }

    /** Two bound datagram sockets: the server answers whoever recvfrom says sent the message. */
    private void datagram(Family family, Sockaddr serverAt, Sockaddr clientAt) {
        echo(family, SockType.DGRAM, () -> {
            try (Sock server = Sock.open(family, SockType.DGRAM).bind(serverAt);
                 Sock client = Sock.open(family, SockType.DGRAM).bind(clientAt)) {
                client.sendTo(HELLO, 0, HELLO.length, server.localAddress());
                byte[] buf = new byte[64];
                Received got = server.recvFrom(buf, 0, buf.length);
                server.sendTo(buf, 0, got.length(), got.from());
                byte[] back = new byte[64];
                Received reply = client.recvFrom(back, 0, back.length);
                check(Arrays.copyOf(back, reply.length()));
                return new Line(server.localAddress(), "replied to " + got.from()
                        + (clientAt instanceof SockaddrUnix.Unnamed ? " (autobind)" : ""));
            }
        });
    }

    /** socketpair(2): two connected sockets with no names at all. */
    private void pair(SockType type) {
        echo(Family.UNIX, type, () -> {
            try (SockPair pair = Sock.pair(type)) {
                echoOnce(pair.first(), pair.second(), type);
                return new Line("socketpair", "both ends " + pair.first().localAddress());
            }
        });
    }

    /** Sends HELLO from a to b, b sends back what it got, and a checks it. */
    private static void echoOnce(Sock a, Sock b, SockType type) throws IOException {
        a.sendAll(HELLO, 0, HELLO.length);
        byte[] got = receive(b, type);
        b.sendAll(got, 0, got.length);
        check(receive(a, type));
    }

    /** One message; on a stream, which has no message boundaries, as many bytes as HELLO has. */
    private static byte[] receive(Sock s, SockType type) throws IOException {
        byte[] buf = new byte[64];
        int n = 0;
        do {
            int r = s.recv(buf, n, buf.length - n);
            if (r < 0) {
                throw new IOException("end of stream after " + n + " bytes");
            }
            n += r;
        } while (type.equals(SockType.STREAM) && n < HELLO.length);
        return Arrays.copyOf(buf, n);
    }

    private static void check(byte[] back) throws IOException {
        if (!Arrays.equals(back, HELLO)) {
            throw new IOException("sent 'hello' but got back '" + new String(back, StandardCharsets.UTF_8) + "'");
        }
    }

    private void echo(Family family, SockType type, Echo echo) {
        String label = String.format("  %-8s %-14s", family, type);
        try {
            Line line = echo.run();
            echoes++;
            System.out.println(label + " " + line.where() + " -> echoed 'hello' (" + HELLO.length + " bytes), "
                    + line.note());
        } catch (IOException | RuntimeException e) {
            failures.add(family + " " + type + ": " + e.getMessage());
            System.out.println(label + " -> FAILED: " + e);
        }
    }

    /**
     * An event loop in one thread: a non-blocking listener and the connections it accepts, all
     * registered with one selector. The clients connect and send first (the kernel completes a
     * connection, and holds a small message, before anyone accepts or reads); then the loop
     * accepts and echoes whatever is ready, until every byte has gone back; then each client reads
     * its echo.
     */
    private void selectorEcho() {
        echo(Family.INET, SockType.STREAM, () -> {
            List<Sock> socks = new ArrayList<>();
            try (EpollSelector sel = EpollSelector.open();
                 Sock server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen()) {
                server.setNonBlocking(true);
                sel.register(server, PollEvents.IN, "listener");
                List<Sock> clients = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Sock client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
                    socks.add(client);
                    clients.add(client);
                    client.sendAll(HELLO, 0, HELLO.length);
                }
                byte[] buf = new byte[64];
                int echoed = 0;
                int selects = 0;
                while (echoed < clients.size() * HELLO.length) {
                    if (sel.select(Duration.ofSeconds(5)) == 0) {
                        throw new IOException("nothing was ready for 5 s");
                    }
                    selects++;
                    for (EpollSelector.Key key : sel.selectedKeys()) {
                        if ("listener".equals(key.attachment())) {
                            for (Accepted a; (a = server.accept()) != null; ) {   // null: no more waiting
                                socks.add(a.socket());
                                sel.register(a.socket().setNonBlocking(true), PollEvents.IN, a.peer());
                            }
                        } else {
                            int n = key.sock().recv(buf);                          // ready, so it does not wait
                            if (n > 0 && key.sock().send(buf, 0, n) != n) {
                                throw new IOException("a " + n + "-byte echo to " + key.attachment() + " did not fit");
                            }
                            echoed += Math.max(n, 0);
                        }
                    }
                }
                for (Sock client : clients) {
                    check(receive(client, SockType.STREAM));
                }
                return new Line(server.localAddress(), clients.size() + " clients served by one thread through an"
                        + " EpollSelector, in " + selects + " selects");
            } finally {
                socks.forEach(Sock::close);
            }
        });
    }

    /** Binds a route netlink socket with port id 0, which asks the kernel to assign one. */
    private void netlink() {
        SockaddrNetlink any = new SockaddrNetlink(0, 0);
        try (Sock nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(any)) {
            Sockaddr assigned = nl.localAddress();
            System.out.println("  " + nl.family() + " " + nl.type() + " " + nl.protocol() + " bound to " + any
                    + " -> kernel assigned " + assigned + " (our pid is " + ProcessHandle.current().pid() + ")");
            assigned.hexDump().lines().forEach(line -> System.out.println("    " + line));
        } catch (IOException | RuntimeException e) {
            failures.add("AF_NETLINK: " + e.getMessage());
            System.out.println("  AF_NETLINK -> FAILED: " + e);
        }
    }

    /** Links and their addresses from NETLINK_ROUTE dumps (RTM_GETLINK, RTM_GETADDR). */
    private void ipAddr() {
        try (RouteNetlink rtnl = RouteNetlink.open()) {
            List<RtnlAddr> addresses = rtnl.addresses();
            for (RtnlLink link : rtnl.links()) {
                System.out.println("  " + link.index() + ": " + link.name() + " mtu " + link.mtu() + " "
                        + link.operState() + " <" + RtnlLink.flagNames(link.flags()) + ">");
                for (RtnlAddr a : addresses) {
                    if (a.index() == link.index()) {
                        System.out.println("      " + (a.family().equals(Family.INET) ? "inet " : "inet6 ")
                                + text(a.address()) + "/" + a.prefixLength());
                    }
                }
            }
            System.out.println("  ip addr listing done");
        } catch (IOException | RuntimeException e) {
            failures.add("rtnetlink: " + e.getMessage());
            System.out.println("  rtnetlink -> FAILED: " + e);
        }
    }

    /** An IP address as ip(8) prints it: IPv6 in its short RFC 5952 form, through the address records. */
    private static String text(java.net.InetAddress address) {
        return address instanceof java.net.Inet6Address
                ? SockaddrInet6.of(address.getAddress(), 0).toString().replaceAll("^\\[|\\]:0$", "")
                : address.getHostAddress();
    }

    /** Two listeners of our own, then a NETLINK_SOCK_DIAG dump that must find them. */
    private void ssListening() {
        SockaddrUnix name = SockaddrUnix.abstractName(TAG + "-ss");
        try (Sock tcp = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             Sock unix = Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen();
             SockDiag diag = SockDiag.open()) {
            boolean foundTcp = false;
            for (InetSockInfo s : diag.tcp(Family.INET, TcpState.LISTEN)) {
                if (s.local().equals(tcp.localAddress())) {
                    System.out.println("  tcp  LISTEN " + s.local() + " inode " + s.inode() + "  <- ours");
                    foundTcp = true;
                }
            }
            boolean foundUnix = false;
            for (UnixSockInfo s : diag.unix(TcpState.LISTEN)) {
                if (name.equals(s.name())) {
                    System.out.println("  unix LISTEN " + s.name() + " inode " + s.inode() + "  <- ours");
                    foundUnix = true;
                }
            }
            if (!foundTcp || !foundUnix) {
                throw new IllegalStateException("sock_diag did not list our listeners");
            }
            System.out.println("  ss listing done");
        } catch (IOException | RuntimeException e) {
            failures.add("sock_diag: " + e.getMessage());
            System.out.println("  sock_diag -> FAILED: " + e);
        }
    }

    /** A new directory only this user can enter, with a short name: sun_path holds 107 bytes. */
    private static Path privateDirectory() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        for (int i = 0; ; i++) {
            try {
                return Files.createDirectory(tmp.resolve(TAG + (i == 0 ? "" : "-" + i)), owner);
            } catch (FileAlreadyExistsException taken) {
                // left over from an earlier run with the same pid; try the next name
            }
        }
    }

    private static void heading(String text) {
        System.out.println();
        System.out.println(text);
    }
}
