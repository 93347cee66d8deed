package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our sockets interoperate with independent implementations over real kernel sockets: our server
 * with a JDK NIO client and a JDK NIO server with our client, over AF_UNIX stream and TCP on
 * 127.0.0.1; and python3 as the echoing peer, where it is installed, over Unix stream, Unix
 * seqpacket, UDP and TCP. Each side checks the other's bytes, end of stream, and the addresses
 * each reports for the other.
 */
class InteropTest {
    /** A hang guard only: nothing here asserts how fast anything is. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Small enough for loopback buffers to hold while the same thread has yet to read it. */
    private static final int SAME_THREAD_SIZE = 8 * 1024;
    /** More than one 64 KiB send chunk; python reads while we write, so any size is safe. */
    private static final int LARGE_SIZE = 70_000;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------ JDK NIO

    /** Reads exactly {@code n} bytes from a NIO channel, or fails at end of stream. */
    static byte[] readNio(SocketChannel c, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            assertTrue(c.read(b) >= 0, "NIO saw end of stream after " + b.position() + " of " + n + " bytes");
        }
        return b.array();
    }

    /** Receives exactly {@code n} bytes on our stream socket, or fails at end of stream. */
    private static byte[] recvExactly(Sock s, int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = s.recv(b, got, n - got);
            assertTrue(r > 0, "end of stream after " + got + " of " + n + " bytes");
            got += r;
        }
        return b;
    }

    /** Writes all of {@code bytes} to a blocking NIO channel. */
    static void writeNio(SocketChannel c, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /**
     * A label followed by patterned bytes up to {@code size}. Where one thread both writes and
     * later reads, the size stays well inside what loopback buffers hold, so no write can block
     * waiting for a read that the same thread has not reached.
     */
    static byte[] payload(String label, int size) {
        byte[] text = label.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(text, Math.max(size, text.length));
        for (int i = text.length; i < all.length; i++) {
            all[i] = (byte) (i * 31);
        }
        return all;
    }

    /** Our accepted connection echoes what the NIO client sends, then both see end of stream. */
    private static void nioClientAgainstOurServer(Sock server, SocketChannel nio) throws IOException {
        byte[] msg = payload("from a NIO client", SAME_THREAD_SIZE);
        try (var conn = server.accept()) {
            writeNio(nio, msg);
            nio.shutdownOutput();
            byte[] got = recvExactly(conn.socket(), msg.length);
            assertArrayEquals(msg, got, "our server received NIO's bytes intact");
            assertEquals(-1, conn.socket().recv(new byte[8]), "our server sees NIO's shutdownOutput as end of stream");
            conn.socket().sendAll(got, 0, got.length);
            conn.socket().shutdown(Shutdown.WRITE);
            assertArrayEquals(msg, readNio(nio, msg.length), "NIO received our echo intact");
            assertEquals(-1, nio.read(ByteBuffer.allocate(8)), "NIO sees our SHUT_WR as end of stream");
        }
    }

    /** Our client sends to a NIO server, which echoes back. */
    private static void ourClientAgainstANioServer(Sock ours, ServerSocketChannel server) throws IOException {
        byte[] msg = payload("from our client", SAME_THREAD_SIZE);
        try (SocketChannel conn = server.accept()) {
            ours.sendAll(msg, 0, msg.length);
            ours.shutdown(Shutdown.WRITE);
            byte[] got = readNio(conn, msg.length);
            assertArrayEquals(msg, got, "NIO's server received our bytes intact");
            assertEquals(-1, conn.read(ByteBuffer.allocate(8)), "NIO's server sees our SHUT_WR as end of stream");
            writeNio(conn, got);
            conn.shutdownOutput();
            assertArrayEquals(msg, recvExactly(ours, msg.length), "our client received the echo intact");
            assertEquals(-1, ours.recv(new byte[8]), "our client sees NIO's shutdownOutput as end of stream");
        }
    }

    @Test
    void ourUnixStreamServerEchoesToAJdkNioClient() throws Exception {
        Path path = dir.resolve("ours.sock");
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.of(path)).listen()) {
            assertTrue(Files.exists(path), "bind created the socket file NIO connects to");
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (SocketChannel nio = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                    assertEquals(UnixDomainSocketAddress.of(path), nio.getRemoteAddress());
                    nioClientAgainstOurServer(server, nio);
                }
            });
        }
    }

    @Test
    void aJdkNioUnixStreamServerEchoesToOurClient() throws Exception {
        Path path = dir.resolve("nio.sock");
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (var ours = Sock.open(Family.UNIX, SockType.STREAM)) {
                    ours.connect(SockaddrUnix.of(path));
                    assertEquals(SockaddrUnix.of(path), ours.peerAddress(), "our peer is NIO's bound path");
                    assertEquals(Sockaddr.from(server.getLocalAddress()), ours.peerAddress());
                    ourClientAgainstANioServer(ours, server);
                }
            });
        }
    }

    @Test
    void ourTcpServerEchoesToAJdkNioClient() throws Exception {
        try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen()) {
            var where = (SockaddrInet4) server.localAddress();
            assertTrue(where.port() > 0, "port 0 was bound to an ephemeral port: " + where);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (SocketChannel nio = SocketChannel.open(new InetSocketAddress(LOOPBACK, where.port()))) {
                    assertEquals(where.toSocketAddress(), nio.getRemoteAddress());
                    nioClientAgainstOurServer(server, nio);
                }
            });
        }
    }

    @Test
    void aJdkNioTcpServerEchoesToOurClient() throws Exception {
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (var ours = Sock.open(Family.INET, SockType.STREAM)) {
                    ours.connect(SockaddrInet4.loopback(port));
                    assertEquals(SockaddrInet4.loopback(port), ours.peerAddress());
                    ourClientAgainstANioServer(ours, server);
                }
            });
        }
    }

    @Test
    void ourTcpClientIsTheRemoteAddressNioAccepts() throws Exception {
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (var ours = Sock.open(Family.INET, SockType.STREAM).connect(Sockaddr.from(server.getLocalAddress()));
                     SocketChannel conn = server.accept()) {
                    assertEquals(ours.localAddress(), Sockaddr.from(conn.getRemoteAddress()));
                    assertEquals(ours.peerAddress(), Sockaddr.from(conn.getLocalAddress()));
                }
            });
        }
    }

    // ------------------------------------------------------------------------------ python3

    /**
     * One python3 echo server: argv is kind and address. It binds (TCP and UDP to port 0 on
     * 127.0.0.1), prints "ready" and the port, echoes one message, prints the peer it saw, exits.
     * A stream echo reads to end of stream first, so a message split over segments is whole.
     */
    private static final String PY_ECHO_SERVER = """
            import socket, sys
            kind, where = sys.argv[1], sys.argv[2]
            def text(a):
                if isinstance(a, tuple):
                    return '%s:%d' % (a[0], a[1])
                if isinstance(a, bytes):
                    return '@' + a[1:].decode() if a[:1] == b'\\0' else a.decode()
                return a if a else '(unnamed)'
            if kind == 'udp':
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind((where, 0))
                print('ready', s.getsockname()[1], flush=True)
                data, peer = s.recvfrom(65536)
                s.sendto(data, peer)
            else:
                fam = socket.AF_INET if kind == 'tcp' else socket.AF_UNIX
                typ = socket.SOCK_SEQPACKET if kind == 'seqpacket' else socket.SOCK_STREAM
                s = socket.socket(fam, typ)
                s.bind((where, 0) if kind == 'tcp' else where)
                s.listen(1)
                print('ready', s.getsockname()[1] if kind == 'tcp' else 0, flush=True)
                c, peer = s.accept()
                if kind == 'seqpacket':
                    data = c.recv(65536)
                else:
                    parts = []
                    while True:
                        b = c.recv(65536)
                        if not b:
                            break
                        parts.append(b)
                    data = b''.join(parts)
                c.sendall(data)
                c.close()
            print('peer', text(peer), len(data), flush=True)
            """;

    /** The python3 on PATH, after checking it runs; skips the test visibly when there is none. */
    static Path python3() throws Exception {
        Path found = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, "python3");
            if (Files.isExecutable(p)) {
                found = p;
                break;
            }
        }
        assumeTrue(found != null, "python3 not found: no python3 on PATH, so the python3 interop case is skipped");
        Process v = new ProcessBuilder(found.toString(), "-c", "import socket; socket.AF_UNIX; socket.SOCK_SEQPACKET")
                .redirectErrorStream(true).start();
        boolean ran = v.waitFor(20, TimeUnit.SECONDS) && v.exitValue() == 0;
        if (!ran) {
            v.destroyForcibly();
        }
        assumeTrue(ran, "python3 not found: " + found + " does not run a socket script, so the python3 interop case is skipped");
        return found;
    }

    /** A running python3 echo server and its stdout. */
    record Python(Process process, BufferedReader out) implements AutoCloseable {
        /** Starts the server; its address is passed as an argument. */
        static Python start(Path python3, String kind, String where) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(python3.toString(), "-c", PY_ECHO_SERVER, kind, where));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            return new Python(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        }

        /** Waits for the "ready PORT" line; returns the port (0 for Unix). */
        int awaitReady() throws IOException {
            String ready = out.readLine();
            if (ready == null || !ready.startsWith("ready ")) {
                fail("python3 did not start its server: " + ready + "\n" + drain(out));
            }
            return Integer.parseInt(ready.substring(6).trim());
        }

        /** Waits for python to finish and returns its last line: "peer ADDRESS LENGTH". */
        String finish() throws Exception {
            String peer = out.readLine();
            String rest = drain(out);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "python3 did not exit");
            assertEquals(0, process.exitValue(), "python3 failed: " + peer + "\n" + rest);
            assertTrue(peer != null && peer.startsWith("peer "), "python3 printed " + peer + "\n" + rest);
            return peer.substring(5);
        }

        private static String drain(BufferedReader r) throws IOException {
            StringBuilder b = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) {
                b.append(line).append('\n');
            }
            return b.toString();
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            out.close();
        }
    }

    @Test
    void python3EchoesOverAUnixStreamToOurBoundClient() throws Exception {
        Path py = python3();
        Path server = dir.resolve("py-stream.sock");
        Path client = dir.resolve("our-stream.sock");
        byte[] msg = payload("over a Unix stream to python", LARGE_SIZE);
        try (var python = Python.start(py, "stream", server.toString());
             var ours = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.of(client))) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                python.awaitReady();
                ours.connect(SockaddrUnix.of(server));
                ours.sendAll(msg, 0, msg.length);
                ours.shutdown(Shutdown.WRITE);
                assertArrayEquals(msg, recvExactly(ours, msg.length), "python echoed our bytes");
                assertEquals(-1, ours.recv(new byte[8]), "python closed: end of stream");
                assertEquals(client + " " + msg.length, python.finish(), "python saw our bound path and every byte");
            });
        }
    }

    @Test
    void python3EchoesOneUnixSeqpacketMessageToOurAbstractClient() throws Exception {
        Path py = python3();
        Path server = dir.resolve("py-seqpacket.sock");
        String name = "interop-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        byte[] msg = "one message, kept whole".getBytes(StandardCharsets.UTF_8);
        try (var python = Python.start(py, "seqpacket", server.toString());
             var ours = Sock.open(Family.UNIX, SockType.SEQPACKET).bind(SockaddrUnix.abstractName(name))) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                python.awaitReady();
                ours.connect(SockaddrUnix.of(server));
                assertEquals(msg.length, ours.send(msg));
                byte[] buf = new byte[256];
                assertEquals(msg.length, ours.recv(buf), "the echo is one message of the same length");
                assertArrayEquals(msg, Arrays.copyOf(buf, msg.length));
                assertEquals(-1, ours.recv(buf), "python closed: end of stream");
                assertEquals("@" + name + " " + msg.length, python.finish(), "python saw our abstract name");
            });
        }
    }

    @Test
    void python3EchoesAUdpDatagramBackToOurPort() throws Exception {
        Path py = python3();
        byte[] msg = "a UDP datagram for python".getBytes(StandardCharsets.UTF_8);
        try (var python = Python.start(py, "udp", "127.0.0.1");
             var ours = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0))) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                var pythonAddress = SockaddrInet4.loopback(python.awaitReady());
                assertEquals(msg.length, ours.sendTo(msg, 0, msg.length, pythonAddress));
                byte[] buf = new byte[256];
                Received r = ours.recvFrom(buf, 0, buf.length);
                assertEquals(pythonAddress, r.from(), "the echo comes from the port python printed");
                assertArrayEquals(msg, Arrays.copyOf(buf, r.length()));
                assertEquals(ours.localAddress() + " " + msg.length, python.finish(),
                        "python saw our bound address as the sender");
            });
        }
    }

    @Test
    void python3EchoesOverTcpToOurClient() throws Exception {
        Path py = python3();
        byte[] msg = payload("over TCP to python", LARGE_SIZE);
        try (var python = Python.start(py, "tcp", "127.0.0.1");
             var ours = Sock.open(Family.INET, SockType.STREAM)) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                var pythonAddress = SockaddrInet4.loopback(python.awaitReady());
                ours.connect(pythonAddress);
                assertEquals(pythonAddress, ours.peerAddress());
                ours.sendAll(msg, 0, msg.length);
                ours.shutdown(Shutdown.WRITE);
                assertArrayEquals(msg, recvExactly(ours, msg.length), "python echoed our bytes");
                assertEquals(-1, ours.recv(new byte[8]), "python closed: end of stream");
                assertEquals(ours.localAddress() + " " + msg.length, python.finish(),
                        "python saw our address as its peer");
            });
        }
    }
}
