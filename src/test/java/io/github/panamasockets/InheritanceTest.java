package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every descriptor the library makes is close-on-exec: a child process inherits none of them.
 */
class InheritanceTest {

    @Test
    void aChildProcessInheritsNoSocket() throws Exception {
        List<Sock> socks = new ArrayList<>();
        try {
            socks.add(Sock.open(Family.UNIX, SockType.DGRAM));
            socks.add(Sock.open(Family.INET6, SockType.STREAM));
            socks.add(Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE));
            var pair = Sock.pair(SockType.SEQPACKET);
            socks.add(pair.first());
            socks.add(pair.second());
            var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
            socks.add(server);
            socks.add(Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress()));
            socks.add(server.accept().socket());
            var unixServer = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.unnamed()).listen();
            socks.add(unixServer);
            socks.add(Sock.open(Family.UNIX, SockType.STREAM).connect(unixServer.localAddress()));
            // A call that waits in poll makes the wake-up eventfd too.
            var nl = socks.get(2);
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    nl.recv(new byte[8192]);
                } catch (IOException expected) {
                    // closed below
                }
            });
            Thread.sleep(100);

            Set<Integer> ours = new TreeSet<>();
            for (Sock s : socks) {
                ours.add(s.fd());
            }
            // The child lists its own descriptors and what each one is.
            Process p = new ProcessBuilder("sh", "-c",
                    "for f in /proc/self/fd/*; do echo \"${f##*/} $(readlink $f)\"; done")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            for (String line : out.split("\n")) {
                assertTrue(!line.contains("socket:") && !line.contains("anon_inode:[eventfd]"),
                        "the child inherited " + line + "\nall of the child's fds:\n" + out + "\nours: " + ours);
            }
            nl.close();
            t.join();
        } finally {
            socks.forEach(Sock::close);
        }
    }
}
