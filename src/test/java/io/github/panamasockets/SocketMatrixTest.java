package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The family x type matrix: a message echoed over every type each family supports, over every kind
 * of address, with real kernel sockets on both ends.
 */
class SocketMatrixTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dir;

    /** How a case names its server: a fresh address each call. */
    private interface Where {
        Sockaddr next();
    }

    static Stream<Arguments> connectionOriented() {
        long pid = ProcessHandle.current().pid();
        Where path = () -> SockaddrUnix.of(dir.resolve("s" + NAMES.incrementAndGet()));
        Where abs = () -> SockaddrUnix.abstractName("matrix-" + pid + "-" + NAMES.incrementAndGet());
        return Stream.of(
                Arguments.of("AF_UNIX SOCK_STREAM pathname", Family.UNIX, SockType.STREAM, path),
                Arguments.of("AF_UNIX SOCK_STREAM abstract", Family.UNIX, SockType.STREAM, abs),
                Arguments.of("AF_UNIX SOCK_SEQPACKET pathname", Family.UNIX, SockType.SEQPACKET, path),
                Arguments.of("AF_UNIX SOCK_SEQPACKET abstract", Family.UNIX, SockType.SEQPACKET, abs),
                Arguments.of("AF_INET SOCK_STREAM 127.0.0.1", Family.INET, SockType.STREAM,
                        (Where) () -> SockaddrInet4.loopback(0)),
                Arguments.of("AF_INET6 SOCK_STREAM ::1", Family.INET6, SockType.STREAM,
                        (Where) () -> SockaddrInet6.loopback(0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionOriented")
    void listenAcceptConnectEchoAndEndOfStream(String name, Family family, SockType type, Where where)
            throws IOException {
        try (var server = Sock.open(family, type).bind(where.next()).listen(4);
             var client = Sock.open(family, type).connect(server.localAddress());
             var conn = server.accept()) {
            assertEquals(client.localAddress(), conn.peer(), "accept returns the client's address");
            assertEquals(server.localAddress(), client.peerAddress());
            byte[] msg = ("hello over " + name).getBytes(StandardCharsets.UTF_8);
            client.sendAll(msg, 0, msg.length);
            byte[] got = recvExactly(conn.socket(), msg.length);
            conn.socket().sendAll(got, 0, got.length);
            assertArrayEquals(msg, recvExactly(client, msg.length));
            client.shutdown(Shutdown.WRITE);
            assertEquals(-1, conn.socket().recv(new byte[8]), "end of stream after the peer's SHUT_WR");
        }
    }

    @ParameterizedTest(name = "Sock.pair {0}")
    @MethodSource("pairTypes")
    void socketpairEchoes(SockType type) throws IOException {
        try (var pair = Sock.pair(type)) {
            assertEquals(SockaddrUnix.unnamed(), pair.first().localAddress());
            assertEquals(SockaddrUnix.unnamed(), pair.second().peerAddress());
            pair.first().send("ping".getBytes());
            byte[] buf = new byte[16];
            assertEquals(4, pair.second().recv(buf));
            pair.second().send(buf, 0, 4);
            assertEquals(4, pair.first().recv(buf));
            assertEquals("ping", new String(buf, 0, 4));
        }
    }

    static Stream<SockType> pairTypes() {
        return Stream.of(SockType.STREAM, SockType.DGRAM, SockType.SEQPACKET);
    }

    static Stream<Arguments> datagrams() {
        long pid = ProcessHandle.current().pid();
        return Stream.of(
                Arguments.of("AF_UNIX SOCK_DGRAM pathname", Family.UNIX,
                        (Where) () -> SockaddrUnix.of(dir.resolve("d" + NAMES.incrementAndGet()))),
                Arguments.of("AF_UNIX SOCK_DGRAM abstract", Family.UNIX,
                        (Where) () -> SockaddrUnix.abstractName("dgram-" + pid + "-" + NAMES.incrementAndGet())),
                Arguments.of("AF_INET SOCK_DGRAM 127.0.0.1", Family.INET, (Where) () -> SockaddrInet4.loopback(0)),
                Arguments.of("AF_INET6 SOCK_DGRAM ::1", Family.INET6, (Where) () -> SockaddrInet6.loopback(0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagrams")
    void datagramsEchoWithTheSendersAddress(String name, Family family, Where where) throws IOException {
        try (var server = Sock.open(family, SockType.DGRAM).bind(where.next());
             var client = Sock.open(family, SockType.DGRAM).bind(where.next())) {
            byte[] msg = name.getBytes(StandardCharsets.UTF_8);
            client.sendTo(msg, 0, msg.length, server.localAddress());
            byte[] buf = new byte[256];
            Received r = server.recvFrom(buf, 0, buf.length);
            assertEquals(msg.length, r.length());
            assertEquals(client.localAddress(), r.from());
            server.sendTo(buf, 0, r.length(), r.from());
            Received back = client.recvFrom(buf, 0, buf.length);
            assertEquals(server.localAddress(), back.from());
            assertEquals(name, new String(buf, 0, back.length(), StandardCharsets.UTF_8));

            client.sendTo(new byte[0], 0, 0, server.localAddress());
            assertEquals(0, server.recv(buf), "an empty datagram is 0 bytes, not end of stream");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagrams")
    void connectedDatagramsOnlyHearTheirPeer(String name, Family family, Where where) throws IOException {
        try (var a = Sock.open(family, SockType.DGRAM).bind(where.next());
             var b = Sock.open(family, SockType.DGRAM).bind(where.next());
             var stranger = Sock.open(family, SockType.DGRAM).bind(where.next())) {
            a.connect(b.localAddress());
            b.connect(a.localAddress());
            assertEquals(b.localAddress(), a.peerAddress());
            try {
                stranger.sendTo(new byte[] {'x'}, 0, 1, a.localAddress());
            } catch (SyscallException refused) {
                // Unix datagram sockets refuse senders other than the connected peer outright.
                assertEquals("EPERM", refused.errnoName(), refused.getMessage());
            }
            b.send(new byte[] {'b'});
            byte[] buf = new byte[4];
            assertEquals(1, a.recv(buf));
            assertEquals('b', buf[0], "the stranger's datagram was not delivered; the peer's was");
            a.send(new byte[] {'a'});
            assertEquals(1, b.recv(buf));
            assertEquals('a', buf[0]);
        }
    }

    @Test
    void byteBuffersAndSegmentsMoveTheirPositions() throws IOException {
        try (var pair = Sock.pair(SockType.SEQPACKET); Arena arena = Arena.ofConfined()) {
            ByteBuffer heap = ByteBuffer.wrap("xxheapyy".getBytes()).position(2).limit(6);
            assertEquals(4, pair.first().send(heap));
            assertEquals(6, heap.position());
            ByteBuffer direct = ByteBuffer.allocateDirect(16).put("direct".getBytes()).flip();
            assertEquals(6, pair.first().send(direct));
            assertEquals(6, direct.position());
            MemorySegment seg = arena.allocateFrom("segment");      // 8 bytes with its NUL
            assertEquals(8, pair.first().send(seg));

            ByteBuffer in = ByteBuffer.allocate(32).position(3);
            assertEquals(4, pair.second().recv(in));
            assertEquals(7, in.position());
            assertEquals("heap", new String(in.array(), 3, 4));
            ByteBuffer din = ByteBuffer.allocateDirect(32);
            assertEquals(6, pair.second().recv(din));
            assertEquals(6, din.position());
            MemorySegment sin = arena.allocate(32);
            assertEquals(8, pair.second().recv(sin));
            assertEquals("segment", sin.getString(0));
        }
    }

    @Test
    void recvFromIntoBuffersAndSegmentsReportsTheSender() throws IOException {
        try (var a = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
             var b = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
             Arena arena = Arena.ofConfined()) {
            b.sendTo(ByteBuffer.wrap(new byte[] {1, 2, 3}), a.localAddress());
            b.sendTo(arena.allocateFrom("seg"), a.localAddress());
            ByteBuffer buf = ByteBuffer.allocateDirect(16);
            Received r = a.recvFrom(buf);
            assertEquals(3, r.length());
            assertEquals(3, buf.position());
            assertEquals(b.localAddress(), r.from());
            Received s = a.recvFrom(arena.allocate(16));
            assertEquals(4, s.length());
            assertEquals(b.localAddress(), s.from());
        }
    }

    @Test
    void seqpacketKeepsBoundariesAndTellsEmptyMessagesFromEnd() throws IOException {
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            pair.first().send(new byte[] {1, 2});
            pair.first().send(new byte[0]);
            pair.first().send(new byte[] {3});
            byte[] buf = new byte[10];
            assertEquals(2, pair.second().recv(buf));
            assertEquals(0, pair.second().recv(buf), "an empty message while the peer is open");
            assertEquals(1, pair.second().recv(buf));
            pair.first().close();
            assertEquals(-1, pair.second().recv(buf), "end of stream once the peer has closed");
        }
    }

    @Test
    void streamsCarryTextBothWays() throws IOException {
        try (var pair = Sock.pair(SockType.STREAM)) {
            var out = new java.io.PrintWriter(pair.first().outputStream(), true, StandardCharsets.UTF_8);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(pair.second().inputStream(), StandardCharsets.UTF_8));
            out.println("first line");
            out.println("second, caf\u00e9");
            assertEquals("first line", in.readLine());
            assertEquals("second, caf\u00e9", in.readLine());
            pair.first().shutdown(Shutdown.WRITE);
            assertEquals(null, in.readLine());
        }
    }

    @Test
    void manyClientsAreAcceptedInTurn() throws IOException {
        try (var server = Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0)).listen(8)) {
            List<Sock> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    clients.add(Sock.open(Family.INET6, SockType.STREAM).connect(server.localAddress()));
                }
                for (int i = 0; i < 8; i++) {
                    try (var conn = server.accept()) {
                        assertInstanceOf(SockaddrInet6.class, conn.peer());
                        assertTrue(clients.stream().anyMatch(c -> {
                            try {
                                return c.localAddress().equals(conn.peer());
                            } catch (IOException e) {
                                return false;
                            }
                        }));
                    }
                }
            } finally {
                clients.forEach(Sock::close);
            }
        }
    }

    static byte[] recvExactly(Sock s, int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = s.recv(b, got, n - got);
            assertTrue(r > 0, "end of stream after " + got + " of " + n + " bytes");
            got += r;
        }
        return b;
    }
}
