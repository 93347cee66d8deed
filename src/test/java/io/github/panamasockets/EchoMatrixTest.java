package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The family x type matrix with real kernel sockets on both ends: every AF_UNIX type (STREAM,
 * DGRAM, SEQPACKET) over a pathname, an abstract name and {@link Sock#pair}, and AF_INET/AF_INET6
 * STREAM and DGRAM over loopback, each echoing a message. It proves that the bytes arrive intact
 * through every send and receive variant (arrays, heap and direct buffers, memory segments), that
 * end of stream (-1) and an empty datagram (0) are told apart, that a connected datagram socket
 * hears only its peer, and that recvFrom names the sender as the sender itself sees its address.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a hang guard only
class EchoMatrixTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** How a case's sockets are named. */
    enum Naming { PATHNAME, ABSTRACT, PAIR, LOOPBACK }

    /** One cell of the matrix; its {@code toString()} is the readable test name. */
    record Case(Family family, SockType type, Naming naming) {
        boolean connectionOriented() {
            return type.equals(SockType.STREAM) || type.equals(SockType.SEQPACKET);
        }

        boolean datagram() {
            return type.equals(SockType.DGRAM);
        }

        boolean stream() {
            return type.equals(SockType.STREAM);
        }

        /** A fresh address for one socket of this case. */
        Sockaddr address(Path dir) {
            return switch (naming) {
                case PATHNAME -> SockaddrUnix.of(dir.resolve("s" + COUNTER.incrementAndGet() + ".sock"));
                case ABSTRACT -> SockaddrUnix.abstractName("echo-matrix-" + PID + "-" + COUNTER.incrementAndGet());
                case LOOPBACK -> family.equals(Family.INET) ? SockaddrInet4.loopback(0) : SockaddrInet6.loopback(0);
                case PAIR -> throw new IllegalStateException("a socketpair has no address to bind");
            };
        }

        @Override
        public String toString() {
            String where = switch (naming) {
                case PATHNAME -> "pathname";
                case ABSTRACT -> "abstract name";
                case PAIR -> "Sock.pair";
                case LOOPBACK -> family.equals(Family.INET) ? "127.0.0.1" : "::1";
            };
            return family + " " + type + " over " + where;
        }
    }

    /**
     * Two sockets that can talk with plain send and recv: a client and the connection the server
     * accepted, two connected datagram sockets, or a socketpair. Closes everything it opened.
     */
    record Link(Sock a, Sock b, List<AutoCloseable> opened) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            Exception first = null;
            for (AutoCloseable c : opened.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    private Link link(Case c) throws IOException {
        return link(c, dir);
    }

    /** The two sockets of a case, named in {@code dir} where the case needs names. */
    static Link link(Case c, Path dir) throws IOException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            if (c.naming() == Naming.PAIR) {
                SockPair pair = Sock.pair(c.type());
                opened.add(pair);
                return new Link(pair.first(), pair.second(), opened);
            }
            if (c.connectionOriented()) {
                Sock server = Sock.open(c.family(), c.type());
                opened.add(server);
                server.bind(c.address(dir)).listen(4);
                Sock client = Sock.open(c.family(), c.type());
                opened.add(client);
                client.connect(server.localAddress());
                Accepted conn = server.accept();
                opened.add(conn);
                assertEquals(client.localAddress(), conn.peer(), "accept names the client as it names itself");
                return new Link(client, conn.socket(), opened);
            }
            Sock a = Sock.open(c.family(), c.type());
            opened.add(a);
            a.bind(c.address(dir));
            Sock b = Sock.open(c.family(), c.type());
            opened.add(b);
            b.bind(c.address(dir));
            a.connect(b.localAddress());
            b.connect(a.localAddress());
            return new Link(a, b, opened);
        } catch (IOException | RuntimeException | Error e) {
            for (AutoCloseable o : opened.reversed()) {
                try {
                    o.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    static Stream<Case> allCases() {
        List<Case> cases = new ArrayList<>();
        for (SockType t : List.of(SockType.STREAM, SockType.DGRAM, SockType.SEQPACKET)) {
            for (Naming n : List.of(Naming.PATHNAME, Naming.ABSTRACT, Naming.PAIR)) {
                cases.add(new Case(Family.UNIX, t, n));
            }
        }
        for (Family f : List.of(Family.INET, Family.INET6)) {
            for (SockType t : List.of(SockType.STREAM, SockType.DGRAM)) {
                cases.add(new Case(f, t, Naming.LOOPBACK));
            }
        }
        return cases.stream();
    }

    static Stream<Case> connectionOrientedCases() {
        return allCases().filter(Case::connectionOriented);
    }

    static Stream<Case> messageCases() {
        return allCases().filter(c -> !c.stream());
    }

    static Stream<Case> boundDatagramCases() {
        return allCases().filter(c -> c.datagram() && c.naming() != Naming.PAIR);
    }

    /** Cases where the kernel reports a sender to recvfrom: all of AF_UNIX, and UDP. */
    static Stream<Case> casesThatNameTheSender() {
        return allCases().filter(c -> c.family().equals(Family.UNIX) || c.datagram());
    }

    private static byte[] message(Case c) {
        byte[] name = ("echo over " + c + ": caf\u00e9 \u2603 ").getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(name, name.length + 256);
        for (int i = 0; i < 256; i++) {
            all[name.length + i] = (byte) i;       // every byte value, NUL and 0xFF included
        }
        return all;
    }

    /** Receives exactly {@code n} bytes: on a stream however many calls it takes, else in one message. */
    private static byte[] receive(Sock s, int n) throws IOException {
        byte[] buf = new byte[n + 64];
        if (!s.type().equals(SockType.STREAM)) {
            int got = s.recv(buf);
            assertEquals(n, got, "one message of " + n + " bytes");
            return Arrays.copyOf(buf, got);
        }
        int got = 0;
        while (got < n) {
            int r = s.recv(buf, got, n - got);
            assertTrue(r > 0, "end of stream after " + got + " of " + n + " bytes");
            got += r;
        }
        return Arrays.copyOf(buf, n);
    }

    // ------------------------------------------------------------------------------ echo

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void echoesAMessageBothWays(Case c) throws Exception {
        byte[] msg = message(c);
        try (Link l = link(c)) {
            assertEquals(msg.length, l.a().send(msg), "send takes the whole small message");
            byte[] got = receive(l.b(), msg.length);
            assertArrayEquals(msg, got, "the server side received the message intact");
            l.b().sendAll(got, 0, got.length);
            assertArrayEquals(msg, receive(l.a(), msg.length), "the echo came back intact");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundDatagramCases")
    void unconnectedDatagramsEchoToTheAddressRecvFromReports(Case c) throws IOException {
        byte[] msg = message(c);
        try (var server = Sock.open(c.family(), SockType.DGRAM).bind(c.address(dir));
             var client = Sock.open(c.family(), SockType.DGRAM).bind(c.address(dir))) {
            assertEquals(msg.length, client.sendTo(msg, 0, msg.length, server.localAddress()));
            byte[] buf = new byte[msg.length + 64];
            Received r = server.recvFrom(buf, 0, buf.length);
            assertEquals(msg.length, r.length());
            assertEquals(client.localAddress(), r.from(), "recvfrom names the sender as it names itself");
            assertEquals(r.length(), server.sendTo(buf, 0, r.length(), r.from()), "reply to the reported address");
            byte[] back = new byte[msg.length + 64];
            Received echoed = client.recvFrom(back, 0, back.length);
            assertEquals(server.localAddress(), echoed.from());
            assertArrayEquals(msg, Arrays.copyOf(back, echoed.length()));
        }
    }

    // ------------------------------------------------------------------------------ end of stream

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionOrientedCases")
    void receiveReturnsMinusOneAfterThePeerShutsDownWriting(Case c) throws Exception {
        try (Link l = link(c)) {
            l.a().send(new byte[] {42});
            l.a().shutdown(Shutdown.WRITE);
            byte[] buf = new byte[16];
            assertEquals(1, l.b().recv(buf), "data sent before the shutdown still arrives");
            assertEquals(42, buf[0]);
            assertEquals(-1, l.b().recv(buf), "end of stream after the peer's SHUT_WR");
            assertEquals(-1, l.b().recv(ByteBuffer.allocateDirect(8)), "and again, through a buffer");

            // Only one direction is shut: the other still carries data.
            l.b().send(new byte[] {7, 8});
            assertArrayEquals(new byte[] {7, 8}, receive(l.a(), 2), "the half-closed side still receives");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionOrientedCases")
    void recvFromReturnsMinusOneAtEndOfStream(Case c) throws Exception {
        try (Link l = link(c)) {
            l.a().shutdown(Shutdown.WRITE);
            assertEquals(-1, l.b().recvFrom(new byte[8], 0, 8).length());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messageCases")
    void anEmptyMessageIsZeroBytesNotEndOfStream(Case c) throws Exception {
        try (Link l = link(c)) {
            assertEquals(0, l.a().send(new byte[0]));
            l.a().send(new byte[] {1, 2, 3});
            byte[] buf = new byte[8];
            assertEquals(0, l.b().recv(buf), "an empty " + c.type() + " message reads as 0, not -1");
            assertEquals(3, l.b().recv(buf), "the message after the empty one follows it");
            assertEquals(0, l.a().send(ByteBuffer.allocate(0)));
            assertEquals(0, l.b().recv(ByteBuffer.allocateDirect(8)), "also through a direct buffer");
        }
    }

    // ------------------------------------------------------------------------------ connected datagrams

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundDatagramCases")
    void aConnectedDatagramSocketHearsOnlyItsPeer(Case c) throws IOException {
        try (var a = Sock.open(c.family(), SockType.DGRAM).bind(c.address(dir));
             var peer = Sock.open(c.family(), SockType.DGRAM).bind(c.address(dir));
             var stranger = Sock.open(c.family(), SockType.DGRAM).bind(c.address(dir))) {
            a.connect(peer.localAddress());
            assertEquals(peer.localAddress(), a.peerAddress());

            // Plain send goes to the connected peer, which need not be connected itself.
            assertEquals(5, a.send("hello".getBytes()));
            byte[] buf = new byte[16];
            Received r = peer.recvFrom(buf, 0, buf.length);
            assertEquals("hello", new String(buf, 0, r.length()));
            assertEquals(a.localAddress(), r.from());

            // A stranger's datagram to the connected socket is never delivered.
            if (c.family().equals(Family.UNIX)) {
                SocketException refused = assertThrows(SocketException.class,
                        () -> stranger.sendTo(new byte[] {'x'}, 0, 1, a.localAddress()),
                        "a Unix datagram socket connected elsewhere refuses other senders");
                assertEquals("EPERM", ((SyscallError) refused).errnoName(), refused.getMessage());
            } else {
                // UDP sends it; the kernel drops it on arrival, as no socket's 4-tuple matches.
                assertEquals(1, stranger.sendTo(new byte[] {'x'}, 0, 1, a.localAddress()));
            }
            assertEquals(1, peer.sendTo(new byte[] {'p'}, 0, 1, a.localAddress()));
            assertEquals(1, a.recv(buf), "the peer's datagram arrives");
            assertEquals('p', buf[0], "the first datagram delivered is the peer's, not the stranger's");
            peer.sendTo(new byte[] {'q'}, 0, 1, a.localAddress());
            assertEquals(1, a.recv(buf));
            assertEquals('q', buf[0], "the next one is the peer's again");
            assertTrue(a.recvmsg(ControlSpec.NONE, MsgFlags.DONTWAIT, new byte[16]).wouldBlock(),
                    "nothing else is queued: the stranger's datagram was not delivered");
        }
    }

    // ------------------------------------------------------------------------------ buffer variants

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void heapByteBuffersSendAndReceiveFromTheirPositionAndAdvanceIt(Case c) throws Exception {
        byte[] msg = message(c);
        try (Link l = link(c)) {
            byte[] backing = new byte[msg.length + 20];
            System.arraycopy(msg, 0, backing, 7, msg.length);
            ByteBuffer out = ByteBuffer.wrap(backing).position(7).limit(7 + msg.length);
            assertEquals(msg.length, l.a().send(out));
            assertEquals(7 + msg.length, out.position(), "send advances the position over what it sent");
            assertEquals(7 + msg.length, out.limit());

            ByteBuffer in = ByteBuffer.allocate(msg.length + 40).position(5);
            receiveInto(l.b(), in, msg.length);
            assertEquals(5 + msg.length, in.position(), "recv advances the position over what arrived");
            assertArrayEquals(msg, Arrays.copyOfRange(in.array(), 5, 5 + msg.length));
            assertTrue(Arrays.equals(new byte[5], Arrays.copyOf(in.array(), 5)), "bytes before the position untouched");

            // A slice, whose array offset is not zero, receives at its own position 0.
            ByteBuffer slice = ByteBuffer.allocate(msg.length + 10).position(10).slice();
            assertEquals(10, slice.arrayOffset());
            assertEquals(msg.length, l.a().send(msg));
            receiveInto(l.b(), slice, msg.length);
            assertEquals(msg.length, slice.position());
            assertArrayEquals(msg, Arrays.copyOfRange(slice.array(), 10, 10 + msg.length));
            assertArrayEquals(new byte[10], Arrays.copyOf(slice.array(), 10), "bytes before the slice untouched");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void directByteBuffersSendAndReceiveFromTheirPositionAndAdvanceIt(Case c) throws Exception {
        byte[] msg = message(c);
        try (Link l = link(c)) {
            ByteBuffer out = ByteBuffer.allocateDirect(msg.length + 20).position(3).put(msg);
            out.limit(out.position()).position(3);
            assertEquals(msg.length, l.a().send(out));
            assertEquals(3 + msg.length, out.position(), "send advances the position over what it sent");

            ByteBuffer in = ByteBuffer.allocateDirect(msg.length + 40).position(9);
            receiveInto(l.b(), in, msg.length);
            assertEquals(9 + msg.length, in.position(), "recv advances the position over what arrived");
            byte[] got = new byte[msg.length];
            in.get(9, got);
            assertArrayEquals(msg, got);

            // Back the other way, the buffer's bytes sent straight from native memory.
            in.flip().position(9);
            l.b().sendAll(in);
            assertEquals(in.limit(), in.position(), "sendAll leaves the position at the limit");
            assertArrayEquals(msg, receive(l.a(), msg.length));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void memorySegmentsNativeAndHeapCarryTheMessage(Case c) throws Exception {
        byte[] msg = message(c);
        try (Link l = link(c); Arena arena = Arena.ofConfined()) {
            MemorySegment nativeOut = arena.allocate(msg.length);
            MemorySegment.copy(msg, 0, nativeOut, ValueLayout.JAVA_BYTE, 0, msg.length);
            assertEquals(msg.length, l.a().send(nativeOut));
            MemorySegment nativeIn = arena.allocate(msg.length + 40);
            long n = receiveInto(l.b(), nativeIn, msg.length);
            assertEquals(msg.length, n);
            assertArrayEquals(msg, nativeIn.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));

            MemorySegment heapOut = MemorySegment.ofArray(msg.clone());
            assertEquals(msg.length, l.b().send(heapOut));
            byte[] heapBacking = new byte[msg.length + 40];
            long m = receiveInto(l.a(), MemorySegment.ofArray(heapBacking), msg.length);
            assertEquals(msg.length, m);
            assertArrayEquals(msg, Arrays.copyOf(heapBacking, msg.length), "a heap segment is filled from its start");
        }
    }

    // ------------------------------------------------------------------------------ recvFrom

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesThatNameTheSender")
    void recvFromReportsTheSendersOwnLocalAddress(Case c) throws Exception {
        try (Link l = link(c); Arena arena = Arena.ofConfined()) {
            byte[] buf = new byte[64];
            l.a().send(new byte[] {1, 2, 3});
            Received r = l.b().recvFrom(buf, 0, buf.length);
            assertEquals(3, r.length());
            assertEquals(l.a().localAddress(), r.from(), "array: the sender as it names itself");

            l.b().send(new byte[] {4, 5, 6, 7});
            ByteBuffer heap = ByteBuffer.allocate(64).position(2);
            Received rh = l.a().recvFrom(heap);
            assertEquals(4, rh.length());
            assertEquals(6, heap.position());
            assertEquals(l.b().localAddress(), rh.from(), "heap buffer: the sender as it names itself");

            l.a().send(new byte[] {8});
            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            Received rd = l.b().recvFrom(direct);
            assertEquals(1, rd.length());
            assertEquals(1, direct.position());
            assertEquals(l.a().localAddress(), rd.from(), "direct buffer: the sender as it names itself");

            l.b().send(new byte[] {9, 10});
            Received rs = l.a().recvFrom(arena.allocate(64));
            assertEquals(2, rs.length());
            assertEquals(l.b().localAddress(), rs.from(), "segment: the sender as it names itself");

            if (c.naming() == Naming.LOOPBACK) {
                Class<? extends Sockaddr> kind = c.family().equals(Family.INET) ? SockaddrInet4.class : SockaddrInet6.class;
                assertInstanceOf(kind, rs.from());
            } else if (c.naming() == Naming.PAIR) {
                assertEquals(SockaddrUnix.unnamed(), rs.from(), "a socketpair's ends are unnamed");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundDatagramCases")
    void sendToFromBuffersAndSegmentsIsReceivedWithTheSendersAddress(Case c) throws IOException {
        try (var server = Sock.open(c.family(), SockType.DGRAM).bind(c.address(dir));
             var client = Sock.open(c.family(), SockType.DGRAM).bind(c.address(dir));
             Arena arena = Arena.ofConfined()) {
            ByteBuffer heap = ByteBuffer.wrap("..heap..".getBytes()).position(2).limit(6);
            assertEquals(4, client.sendTo(heap, server.localAddress()));
            assertEquals(6, heap.position());
            ByteBuffer direct = ByteBuffer.allocateDirect(16).put("direct".getBytes()).flip();
            assertEquals(6, client.sendTo(direct, server.localAddress()));
            assertEquals(6, direct.position());
            assertEquals(7, client.sendTo(arena.allocateFrom("native"), server.localAddress()));
            assertEquals(4, client.sendTo(MemorySegment.ofArray("heap".getBytes()), server.localAddress()));

            for (String expected : List.of("heap", "direct", "native\0", "heap")) {
                MemorySegment in = arena.allocate(32);
                Received r = server.recvFrom(in);
                assertEquals(client.localAddress(), r.from());
                assertEquals(expected, new String(in.asSlice(0, r.length()).toArray(ValueLayout.JAVA_BYTE)));
            }
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** Receives {@code n} bytes into a buffer: one message, or on a stream as many calls as it takes. */
    private static void receiveInto(Sock s, ByteBuffer b, int n) throws IOException {
        int start = b.position();
        do {
            int before = b.position();
            int r = s.recv(b);
            assertTrue(r > 0, "end of stream after " + (b.position() - start) + " of " + n + " bytes");
            assertEquals(before + r, b.position(), "recv advanced the position by what it returned");
            if (!s.type().equals(SockType.STREAM)) {
                assertEquals(n, r, "one message of " + n + " bytes");
            }
        } while (b.position() - start < n);
    }

    /** Receives {@code n} bytes into the start of a segment; returns how many arrived. */
    private static long receiveInto(Sock s, MemorySegment seg, int n) throws IOException {
        long got = 0;
        do {
            long r = s.recv(seg.asSlice(got));
            assertTrue(r > 0, "end of stream after " + got + " of " + n + " bytes");
            if (!s.type().equals(SockType.STREAM)) {
                return r;
            }
            got += r;
        } while (got < n);
        return got;
    }
}
