package tour;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.Shutdown;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tour of panama-sockets: every family, every type it supports, one echo each, printing the
 * addresses the kernel reports and what happened. Only loopback and local sockets are used.
 */
public final class Tour {
    private static int echoes;

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("tour");
        long pid = ProcessHandle.current().pid();
        try {
            section("AF_UNIX: local sockets, named by a path, an abstract name, or nothing");
            for (SockType type : new SockType[] {SockType.STREAM, SockType.SEQPACKET}) {
                connected(Family.UNIX, type, SockaddrUnix.of(dir.resolve(type + ".sock")));
                connected(Family.UNIX, type, SockaddrUnix.abstractName("tour-" + pid + "-" + type));
            }
            datagrams(Family.UNIX, SockaddrUnix.of(dir.resolve("dgram-a.sock")), SockaddrUnix.of(dir.resolve("dgram-b.sock")));
            datagrams(Family.UNIX, SockaddrUnix.abstractName("tour-" + pid + "-a"), SockaddrUnix.abstractName("tour-" + pid + "-b"));
            for (SockType type : new SockType[] {SockType.STREAM, SockType.DGRAM, SockType.SEQPACKET}) {
                try (SockPair pair = Sock.pair(type)) {
                    echo(pair.first(), pair.second(), "socketpair(AF_UNIX, " + type + ")");
                }
            }

            section("AF_INET: IPv4 on 127.0.0.1");
            connected(Family.INET, SockType.STREAM, SockaddrInet4.loopback(0));
            datagrams(Family.INET, SockaddrInet4.loopback(0), SockaddrInet4.loopback(0));

            section("AF_INET6: IPv6 on ::1");
            connected(Family.INET6, SockType.STREAM, SockaddrInet6.loopback(0));
            datagrams(Family.INET6, SockaddrInet6.loopback(0), SockaddrInet6.loopback(0));

            section("AF_NETLINK: a socket to the kernel itself");
            try (Sock nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE)) {
                nl.bind(SockaddrNetlink.kernel());
                System.out.println("  bound netlink:0/0; the kernel assigned " + nl.localAddress());
            }

            section("What the kernel sees: struct sockaddr_in6 for [::1]:8080");
            System.out.println(SockaddrInet6.loopback(8080).hexDump().indent(2).stripTrailing());
            System.out.println();
            System.out.println("Tour finished: " + echoes + " echoes done.");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static void section(String title) {
        System.out.println();
        System.out.println(title);
    }

    /** listen, connect, accept, then an echo and an orderly shutdown. */
    private static void connected(Family family, SockType type, Sockaddr where) throws IOException {
        try (Sock server = Sock.open(family, type).bind(where).listen();
             Sock client = Sock.open(family, type).connect(server.localAddress());
             var conn = server.accept()) {
            System.out.printf("  %s %s: server %s, client %s%n", family, type, server.localAddress(), conn.peer());
            echo(client, conn.socket(), "  ");
            client.shutdown(Shutdown.WRITE);
            if (conn.socket().recv(new byte[1]) != -1) {
                throw new IllegalStateException("expected end of stream");
            }
        }
    }

    /** Two bound datagram sockets: sendTo and recvFrom show who sent what. */
    private static void datagrams(Family family, Sockaddr a, Sockaddr b) throws IOException {
        try (Sock one = Sock.open(family, SockType.DGRAM).bind(a);
             Sock two = Sock.open(family, SockType.DGRAM).bind(b)) {
            byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
            one.sendTo(msg, 0, msg.length, two.localAddress());
            byte[] buf = new byte[64];
            var r = two.recvFrom(buf, 0, buf.length);
            two.sendTo(buf, 0, r.length(), r.from());
            var back = one.recvFrom(buf, 0, buf.length);
            System.out.printf("  %s SOCK_DGRAM: %s -> %s -> back, echoed '%s' (%d bytes)%n", family,
                    one.localAddress(), two.localAddress(), new String(buf, 0, back.length(), StandardCharsets.UTF_8), back.length());
            echoes++;
        }
    }

    private static void echo(Sock from, Sock to, String label) throws IOException {
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        from.send(msg);
        byte[] buf = new byte[64];
        int n = to.recv(buf);
        to.send(buf, 0, n);
        int m = from.recv(buf);
        System.out.printf("%s-> echoed '%s' (%d bytes)%n", label.isBlank() ? "    " : "  " + label + " ",
                new String(buf, 0, m, StandardCharsets.UTF_8), m);
        echoes++;
    }
}
