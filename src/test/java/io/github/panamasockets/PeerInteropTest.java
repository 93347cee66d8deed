package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our sockets talk to other implementations over the real kernel: JDK NIO both ways, and python3
 * as the peer where it is installed.
 */
class PeerInteropTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String readNio(SocketChannel c, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && c.read(b) >= 0) {
            // until n bytes
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void ourUnixServerWithANioClient() throws Exception {
        Path path = dir.resolve("ours.sock");
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.of(path)).listen()) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (SocketChannel nio = SocketChannel.open(UnixDomainSocketAddress.of(path));
                     var conn = server.accept()) {
                    nio.write(ByteBuffer.wrap("from nio".getBytes()));
                    byte[] b = SocketMatrixTest.recvExactly(conn.socket(), 8);
                    conn.socket().sendAll(b, 0, b.length);
                    assertEquals("from nio", readNio(nio, 8));
                }
            });
        }
    }

    @Test
    void nioUnixServerWithOurClient() throws Exception {
        Path path = dir.resolve("nio.sock");
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path))) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (var ours = Sock.open(Family.UNIX, SockType.STREAM).connect(Sockaddr.from(server.getLocalAddress()));
                     SocketChannel conn = server.accept()) {
                    ours.sendAll("from ours".getBytes(), 0, 9);
                    assertEquals("from ours", readNio(conn, 9));
                    conn.write(ByteBuffer.wrap("back".getBytes()));
                    assertEquals("back", new String(SocketMatrixTest.recvExactly(ours, 4)));
                }
            });
        }
    }

    @Test
    void ourTcpServerWithANioClient() throws Exception {
        try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen()) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (SocketChannel nio = SocketChannel.open(server.localAddress().toSocketAddress());
                     var conn = server.accept()) {
                    assertEquals(Sockaddr.from(nio.getLocalAddress()), conn.peer());
                    nio.write(ByteBuffer.wrap("tcp!".getBytes()));
                    assertEquals("tcp!", new String(SocketMatrixTest.recvExactly(conn.socket(), 4)));
                }
            });
        }
    }

    @Test
    void nioTcpServerWithOurClient() throws Exception {
        try (var server = ServerSocketChannel.open().bind(new InetSocketAddress("::1", 0))) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (var ours = Sock.open(Family.INET6, SockType.STREAM).connect(Sockaddr.from(server.getLocalAddress()));
                     SocketChannel conn = server.accept()) {
                    assertEquals(ours.localAddress(), Sockaddr.from(conn.getRemoteAddress()));
                    ours.sendAll("six".getBytes(), 0, 3);
                    assertEquals("six", readNio(conn, 3));
                }
            });
        }
    }

    // ---------------------------------------------------------------- python3 as the peer

    private static final String PY_ECHO = """
            import socket, sys
            fam = {'unix': socket.AF_UNIX, 'inet': socket.AF_INET, 'inet6': socket.AF_INET6}[sys.argv[1]]
            typ = {'stream': socket.SOCK_STREAM, 'seqpacket': socket.SOCK_SEQPACKET, 'dgram': socket.SOCK_DGRAM}[sys.argv[2]]
            addr = sys.argv[3] if fam == socket.AF_UNIX else (sys.argv[3], int(sys.argv[4]))
            s = socket.socket(fam, typ)
            if typ == socket.SOCK_DGRAM:
                s.bind(('127.0.0.1', 0) if fam == socket.AF_INET else ('::1', 0))
                s.sendto(b'hello from python', addr)
                data, peer = s.recvfrom(100)
            else:
                s.connect(addr)
                s.sendall(b'hello from python')
                data = s.recv(100)
            print(data.decode(), s.getsockname()[1] if fam != socket.AF_UNIX else '', flush=True)
            """;

    private static Path python() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d, "python3");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static Process startPython(String... args) throws IOException {
        Path py = python();
        assumeTrue(py != null, "python3 is not installed: the python3 interop cases are skipped");
        var cmd = new java.util.ArrayList<>(List.of(py.toString(), "-c", PY_ECHO));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "python3 did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private void pythonConnectsToUs(SockType type, String typeName) throws Exception {
        Path path = dir.resolve("py-" + typeName + ".sock");
        try (var server = Sock.open(Family.UNIX, type).bind(SockaddrUnix.of(path)).listen()) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Process p = startPython("unix", typeName, path.toString());
                try (var conn = server.accept()) {
                    byte[] b = new byte[100];
                    int n = type.equals(SockType.STREAM)
                            ? SocketMatrixTest.recvExactly(conn.socket(), 17).length : conn.socket().recv(b);
                    assertEquals(17, n);
                    conn.socket().send("echo".getBytes());
                }
                assertEquals("echo", finish(p));
            });
        }
    }

    @Test
    void pythonUnixStreamClient() throws Exception {
        pythonConnectsToUs(SockType.STREAM, "stream");
    }

    @Test
    void pythonUnixSeqpacketClient() throws Exception {
        pythonConnectsToUs(SockType.SEQPACKET, "seqpacket");
    }

    @Test
    void pythonTcpClient() throws Exception {
        try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen()) {
            int port = ((SockaddrInet4) server.localAddress()).port();
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Process p = startPython("inet", "stream", "127.0.0.1", Integer.toString(port));
                try (var conn = server.accept()) {
                    assertEquals("hello from python", new String(SocketMatrixTest.recvExactly(conn.socket(), 17)));
                    conn.socket().send("tcp echo".getBytes());
                    String out = finish(p);
                    assertEquals("tcp echo " + ((SockaddrInet4) conn.peer()).port(), out,
                            "python's own port is the peer address accept returned");
                }
            });
        }
    }

    @Test
    void pythonUdpPeer() throws Exception {
        try (var udp = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0))) {
            int port = ((SockaddrInet6) udp.localAddress()).port();
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Process p = startPython("inet6", "dgram", "::1", Integer.toString(port));
                byte[] b = new byte[100];
                Received r = udp.recvFrom(b, 0, b.length);
                assertEquals("hello from python", new String(b, 0, r.length()));
                udp.sendTo("udp echo".getBytes(), 0, 8, r.from());
                assertEquals("udp echo " + ((SockaddrInet6) r.from()).port(), finish(p));
            });
        }
    }

    @Test
    void weConnectToAPythonServer() throws Exception {
        Path py = python();
        assumeTrue(py != null, "python3 is not installed: the python3 interop cases are skipped");
        Path path = dir.resolve("pyserver.sock");
        String server = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                s.bind(sys.argv[1]); s.listen(1)
                print('ready', flush=True)
                c, _ = s.accept()
                c.send(c.recv(100).upper())
                c.close()
                """;
        Process p = new ProcessBuilder(py.toString(), "-c", server, path.toString()).redirectErrorStream(true).start();
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            var ready = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertEquals("ready", ready);
            try (var s = Sock.open(Family.UNIX, SockType.SEQPACKET).connect(SockaddrUnix.of(path))) {
                s.send("shout".getBytes());
                byte[] b = new byte[16];
                assertEquals(5, s.recv(b));
                assertEquals("SHOUT", new String(b, 0, 5));
                assertEquals(-1, s.recv(b), "python closed the connection");
            }
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        });
    }
}
