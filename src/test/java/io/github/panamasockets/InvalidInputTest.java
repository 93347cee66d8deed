package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to the socket calls: each case gets exactly the documented exception type, with a
 * message that names the bad value (and, for a failed system call, the call and its errno).
 */
class InvalidInputTest {
    private static final List<AutoCloseable> OPEN = new ArrayList<>();
    private static Path dir;
    private static Sock udp;
    private static Sock unixStream;
    private static Sock closed;
    private static Sockaddr busyUdp;
    private static Sockaddr refusedTcp;
    private static Path regularFile;

    private static <T extends AutoCloseable> T keep(T t) {
        OPEN.add(t);
        return t;
    }

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("invalid-input");
        udp = keep(Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)));
        busyUdp = udp.localAddress();
        unixStream = keep(Sock.open(Family.UNIX, SockType.STREAM));
        Sock tcp = keep(Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)));
        refusedTcp = tcp.localAddress();      // bound but not listening: connects are refused
        closed = Sock.open(Family.UNIX, SockType.DGRAM);
        closed.close();
        regularFile = Files.writeString(dir.resolve("not-a-socket"), "plain file");
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (AutoCloseable c : OPEN) {
            c.close();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private static Arguments bad(String name, Class<? extends Throwable> type, Executable call, String... inMessage) {
        return Arguments.of(Named.of(name, call), type, inMessage);
    }

    private static Sock fresh(Family f, SockType t) throws IOException {
        return keep(Sock.open(f, t));
    }

    static Stream<Arguments> cases() {
        byte[] ten = new byte[10];
        return Stream.of(
                // Ranges of arrays.
                bad("send with a negative offset", IndexOutOfBoundsException.class, () -> udp.send(ten, -1, 2), "-1"),
                bad("send with a length past the end", IndexOutOfBoundsException.class, () -> udp.send(ten, 5, 6), "6"),
                bad("send with a negative length", IndexOutOfBoundsException.class, () -> udp.send(ten, 0, -3), "-3"),
                bad("recv with an offset past the end", IndexOutOfBoundsException.class, () -> udp.recv(ten, 11, 0), "11"),
                bad("recv with a length past the end", IndexOutOfBoundsException.class, () -> udp.recv(ten, 2, 9), "9"),
                bad("sendTo with a length past the end", IndexOutOfBoundsException.class,
                        () -> udp.sendTo(ten, 0, 11, busyUdp), "11"),
                bad("recvFrom with a negative offset", IndexOutOfBoundsException.class,
                        () -> udp.recvFrom(ten, -5, 1), "-5"),
                bad("sendAll with a length past the end", IndexOutOfBoundsException.class,
                        () -> udp.sendAll(ten, 9, 2), "2"),
                // Nulls.
                bad("send of a null array", NullPointerException.class, () -> udp.send((byte[]) null), "src"),
                bad("send of a null ByteBuffer", NullPointerException.class, () -> udp.send((ByteBuffer) null), "src"),
                bad("send of a null segment", NullPointerException.class, () -> udp.send((MemorySegment) null), "src"),
                bad("recv into a null array", NullPointerException.class, () -> udp.recv((byte[]) null), "dst"),
                bad("recv into a null ByteBuffer", NullPointerException.class, () -> udp.recv((ByteBuffer) null), "dst"),
                bad("recvFrom into a null segment", NullPointerException.class, () -> udp.recvFrom((MemorySegment) null), "dst"),
                bad("bind to null", NullPointerException.class, () -> udp.bind(null), "address"),
                bad("connect to null", NullPointerException.class, () -> udp.connect(null), "address"),
                bad("sendTo a null address", NullPointerException.class, () -> udp.sendTo(ten, 0, 1, null), "address"),
                bad("open with a null family", NullPointerException.class, () -> Sock.open(null, SockType.STREAM), "family"),
                bad("open with a null type", NullPointerException.class, () -> Sock.open(Family.UNIX, null), "type"),
                bad("open with a null protocol", NullPointerException.class,
                        () -> Sock.open(Family.UNIX, SockType.STREAM, null), "protocol"),
                bad("pair with a null type", NullPointerException.class, () -> Sock.pair(null), "type"),
                bad("shutdown with a null direction", NullPointerException.class, () -> udp.shutdown(null), "how"),
                // Values out of range.
                bad("a negative backlog", IllegalArgumentException.class, () -> unixStream.listen(-1), "backlog -1"),
                bad("adopt of fd -1", IllegalArgumentException.class, () -> Sock.adopt(-1), "fd -1"),
                bad("a socket type with SOCK_CLOEXEC in it", IllegalArgumentException.class,
                        () -> SockType.of(SockType.STREAM.value() | 0x80000), "524289"),
                bad("a negative protocol", IllegalArgumentException.class, () -> Protocol.of(-4), "-4"),
                // Wrong state, wrong kind.
                bad("listen on a datagram socket", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.DGRAM).listen(), "listen", "EOPNOTSUPP"),
                bad("accept on a socket that is not listening", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).accept(), "accept", "EINVAL"),
                bad("a second bind", SyscallException.class,
                        () -> udp.bind(SockaddrInet4.loopback(0)), "bind 127.0.0.1:0", "EINVAL"),
                bad("bind to an address in use", SyscallBindException.class,
                        () -> fresh(Family.INET, SockType.DGRAM).bind(busyUdp), "bind " + busyUdp, "EADDRINUSE"),
                bad("bind to an address not on this host", SyscallBindException.class,
                        () -> fresh(Family.INET, SockType.DGRAM).bind(SockaddrInet4.of("192.0.2.1", 0)),
                        "bind 192.0.2.1:0", "EADDRNOTAVAIL"),
                bad("connect to a path that does not exist", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.of(dir.resolve("nothing-here"))),
                        "connect " + dir.resolve("nothing-here"), "ENOENT"),
                bad("connect to an abstract name nobody listens on", SyscallConnectException.class,
                        () -> fresh(Family.UNIX, SockType.SEQPACKET).connect(SockaddrUnix.abstractName("nobody-" + ProcessHandle.current().pid())),
                        "connect @nobody-", "ECONNREFUSED"),
                bad("connect to a loopback port nobody listens on", SyscallConnectException.class,
                        () -> fresh(Family.INET, SockType.STREAM).connect(refusedTcp), "connect " + refusedTcp, "ECONNREFUSED"),
                bad("connect to a path that is a plain file", SyscallConnectException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.of(regularFile)),
                        "connect " + regularFile, "ECONNREFUSED"),
                bad("recv on an unconnected stream socket", SyscallException.class,
                        () -> fresh(Family.INET, SockType.STREAM).recv(ten), "recv", "ENOTCONN"),
                bad("send on an unconnected datagram socket", SyscallException.class,
                        () -> fresh(Family.INET6, SockType.DGRAM).send(ten), "send", "EDESTADDRREQ"),
                bad("peerAddress of an unconnected socket", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).peerAddress(), "getpeername", "ENOTCONN"),
                bad("shutdown of an unconnected stream socket", SyscallException.class,
                        () -> fresh(Family.INET, SockType.STREAM).shutdown(Shutdown.BOTH), "shutdown(BOTH)", "ENOTCONN"),
                bad("a datagram too large for UDP", SyscallException.class,
                        () -> udp.sendTo(new byte[70_000], 0, 70_000, busyUdp), "sendto " + busyUdp, "EMSGSIZE"),
                bad("an unknown family", SyscallException.class,
                        () -> Sock.open(Family.of(250), SockType.STREAM), "AF_250", "EAFNOSUPPORT"),
                bad("a type the family lacks", SyscallException.class,
                        () -> Sock.open(Family.INET, SockType.SEQPACKET), "SOCK_SEQPACKET", "ESOCKTNOSUPPORT"),
                bad("adopt of a descriptor that is not open", SyscallException.class,
                        () -> Sock.adopt(1_000_000), "fd 1000000", "EBADF"),
                bad("inputStream of a datagram socket", IllegalStateException.class,
                        () -> udp.inputStream(), "SOCK_STREAM", "SOCK_DGRAM"),
                bad("outputStream of a seqpacket socket", IllegalStateException.class,
                        () -> fresh(Family.UNIX, SockType.SEQPACKET).outputStream(), "SOCK_SEQPACKET"),
                bad("recv into a read-only buffer", IllegalArgumentException.class,
                        () -> udp.recv(ByteBuffer.allocate(4).asReadOnlyBuffer()), "read-only"),
                // Another family's address.
                bad("sendTo an IPv6 address from an IPv4 socket", IllegalArgumentException.class,
                        () -> udp.sendTo(ten, 0, 1, SockaddrInet6.loopback(9)), "[::1]:9", "AF_INET6", "AF_INET"),
                bad("bind a Unix socket to an IPv4 address", IllegalArgumentException.class,
                        () -> fresh(Family.UNIX, SockType.DGRAM).bind(SockaddrInet4.loopback(1)), "127.0.0.1:1", "AF_UNIX"),
                bad("connect an IPv6 socket to a Unix path", IllegalArgumentException.class,
                        () -> fresh(Family.INET6, SockType.STREAM).connect(SockaddrUnix.of("/x")), "/x", "AF_INET6"),
                // Use after close.
                bad("send after close", SockClosedException.class, () -> closed.send(ten), "send", "closed"),
                bad("recv after close", SockClosedException.class, () -> closed.recv(ten), "recv", "closed"),
                bad("bind after close", SockClosedException.class, () -> closed.bind(SockaddrUnix.unnamed()), "bind", "closed"),
                bad("connect after close", SockClosedException.class,
                        () -> closed.connect(SockaddrUnix.abstractName("x")), "connect", "closed"),
                bad("accept after close", SockClosedException.class, () -> closed.accept(), "accept", "closed"),
                bad("localAddress after close", SockClosedException.class, () -> closed.localAddress(), "getsockname", "closed"),
                bad("shutdown after close", SockClosedException.class, () -> closed.shutdown(Shutdown.READ), "shutdown", "closed"),
                bad("recvFrom after close", SockClosedException.class,
                        () -> closed.recvFrom(ten, 0, 1), "recvfrom", "closed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRejectedWithTheExactTypeAndAMessageNamingTheValue(Executable call, Class<? extends Throwable> type,
                                                              String[] inMessage) {
        Throwable t = assertThrows(Throwable.class, call);
        assertEquals(type, t.getClass(), () -> "wrong type: " + t);
        for (String s : inMessage) {
            assertTrue(t.getMessage() != null && t.getMessage().contains(s),
                    () -> "message should contain \"" + s + "\": " + t.getMessage());
        }
        if (t instanceof SyscallError e) {
            assertTrue(e.errno() > 0);
            assertTrue(t.getMessage().startsWith(e.call()), t.getMessage());
            assertTrue(t.getMessage().contains(e.errnoName() + " ("), t.getMessage());
        }
    }

    @ParameterizedTest(name = "a {0}-byte datagram into 8 bytes is reported, not cut silently")
    @org.junit.jupiter.params.provider.ValueSource(ints = {9, 1000})
    void longerDatagramThanTheBufferIsReported(int size) throws IOException {
        try (var pair = Sock.pair(SockType.DGRAM)) {
            byte[] msg = new byte[size];
            msg[0] = 42;
            pair.first().send(msg);
            byte[] buf = new byte[8];
            var e = assertThrows(SyscallException.class, () -> pair.second().recv(buf));
            assertTrue(e.getMessage().contains(size + "-byte message") && e.getMessage().contains("8-byte buffer"),
                    e.getMessage());
            assertEquals("EMSGSIZE", e.errnoName());
            assertEquals(42, buf[0], "the buffer holds the message's first bytes");
        }
    }
}
