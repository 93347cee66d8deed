package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad argument and every call in a wrong state is refused with exactly the exception type
 * the API documents, and the message names the bad value (the range, the null parameter, the
 * address, both families, both lengths), or for a failed system call the call, its errno and the
 * address it was given. Real kernel sockets only: the errno cases are the kernel's own answers.
 */
class BadInputTest {
    @TempDir
    static Path dir;

    private static final List<AutoCloseable> OPEN = new ArrayList<>();
    private static final long PID = ProcessHandle.current().pid();

    private static Sock udp;            // bound to 127.0.0.1:port
    private static Sock udp6;           // bound to [::1]:port
    private static Sock tcpListener;    // listening on 127.0.0.1:port
    private static Sock unixDgram;      // bound to an abstract name
    private static SockPair streamPair; // a connected Unix stream pair
    private static Sock netlink;
    private static Sock closedDgram;
    private static Sock closedStream;
    private static Sockaddr udpAddress;
    private static Sockaddr refusedTcp;  // a loopback port that is bound but not listening
    private static Sockaddr refusedTcp6;
    private static Path regularFile;
    private static Path missingPath;

    private static <T extends AutoCloseable> T keep(T t) {
        synchronized (OPEN) {
            OPEN.add(t);
        }
        return t;
    }

    private static Sock fresh(Family f, SockType t) throws IOException {
        return keep(Sock.open(f, t));
    }

    @BeforeAll
    static void openFixtures() throws IOException {
        udp = keep(Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)));
        udpAddress = udp.localAddress();
        udp6 = keep(Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0)));
        tcpListener = keep(Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen());
        refusedTcp = keep(Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0))).localAddress();
        refusedTcp6 = keep(Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0))).localAddress();
        unixDgram = keep(Sock.open(Family.UNIX, SockType.DGRAM)
                .bind(SockaddrUnix.abstractName("bad-input-dgram-" + PID + "-" + System.nanoTime())));
        streamPair = keep(Sock.pair(SockType.STREAM));
        netlink = keep(Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE));
        closedDgram = Sock.open(Family.UNIX, SockType.DGRAM);
        closedDgram.close();
        closedStream = Sock.open(Family.INET, SockType.STREAM);
        closedStream.close();
        regularFile = Files.writeString(dir.resolve("plain-file"), "not a socket");
        missingPath = dir.resolve("nothing-here.sock");
    }

    @AfterAll
    static void closeAll() throws Exception {
        for (AutoCloseable c : OPEN) {
            c.close();
        }
    }

    private static Arguments bad(String name, Class<? extends Throwable> type, Executable call, String... inMessage) {
        return Arguments.of(Named.of(name, call), type, inMessage);
    }

    /** A Unix datagram pair with one message of {@code size} bytes waiting on the second end. */
    private static Sock waiting(int size) throws IOException {
        SockPair p = keep(Sock.pair(SockType.DGRAM));
        p.first().send(new byte[size]);
        return p.second();
    }

    /** A UDP socket with one {@code size}-byte datagram waiting for it. */
    private static Sock waitingUdp(int size) throws IOException {
        Sock r = fresh(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
        udp.sendTo(new byte[size], 0, size, r.localAddress());
        return r;
    }

    static Stream<Arguments> cases() throws IOException {
        byte[] ten = new byte[10];
        String abstractNobody = "bad-input-nobody-" + PID;
        return Stream.of(
                // ---------------------------------------------------------------- ranges of arrays
                bad("send with a negative offset", IndexOutOfBoundsException.class,
                        () -> udp.send(ten, -1, 2), "[-1, -1 + 2)", "length 10"),
                bad("send with a negative length", IndexOutOfBoundsException.class,
                        () -> udp.send(ten, 0, -3), "[0, 0 + -3)", "length 10"),
                bad("send with a length past the end", IndexOutOfBoundsException.class,
                        () -> udp.send(ten, 5, 6), "[5, 5 + 6)", "length 10"),
                bad("recv with an offset past the end", IndexOutOfBoundsException.class,
                        () -> udp.recv(ten, 11, 0), "[11, 11 + 0)", "length 10"),
                bad("recv with a negative offset", IndexOutOfBoundsException.class,
                        () -> udp.recv(ten, -4, 1), "[-4, -4 + 1)", "length 10"),
                bad("recv with a length past the end", IndexOutOfBoundsException.class,
                        () -> udp.recv(ten, 2, 9), "[2, 2 + 9)", "length 10"),
                bad("sendTo with a negative offset", IndexOutOfBoundsException.class,
                        () -> udp.sendTo(ten, -2, 1, udpAddress), "[-2, -2 + 1)", "length 10"),
                bad("sendTo with a length past the end", IndexOutOfBoundsException.class,
                        () -> udp.sendTo(ten, 0, 11, udpAddress), "[0, 0 + 11)", "length 10"),
                bad("recvFrom with a negative offset", IndexOutOfBoundsException.class,
                        () -> udp.recvFrom(ten, -5, 1), "[-5, -5 + 1)", "length 10"),
                bad("recvFrom with a length past the end", IndexOutOfBoundsException.class,
                        () -> udp.recvFrom(ten, 8, 3), "[8, 8 + 3)", "length 10"),
                bad("sendAll with a negative offset", IndexOutOfBoundsException.class,
                        () -> streamPair.first().sendAll(ten, -1, 1), "[-1, -1 + 1)", "length 10"),
                bad("sendAll with a length past the end", IndexOutOfBoundsException.class,
                        () -> streamPair.first().sendAll(ten, 9, 2), "[9, 9 + 2)", "length 10"),
                bad("inputStream read with a length past the end", IndexOutOfBoundsException.class,
                        () -> streamPair.second().inputStream().read(ten, 4, 7), "[4, 4 + 7)", "length 10"),
                bad("outputStream write with a negative offset", IndexOutOfBoundsException.class,
                        () -> streamPair.first().outputStream().write(ten, -3, 2), "[-3, -3 + 2)", "length 10"),

                // ---------------------------------------------------------------- nulls
                bad("send of a null array", NullPointerException.class, () -> udp.send((byte[]) null), "src"),
                bad("send of a null array with a range", NullPointerException.class,
                        () -> udp.send(null, 0, 1), "src"),
                bad("send of a null ByteBuffer", NullPointerException.class, () -> udp.send((ByteBuffer) null), "src"),
                bad("send of a null segment", NullPointerException.class, () -> udp.send((MemorySegment) null), "src"),
                bad("recv into a null array", NullPointerException.class, () -> udp.recv((byte[]) null), "dst"),
                bad("recv into a null array with a range", NullPointerException.class,
                        () -> udp.recv(null, 0, 1), "dst"),
                bad("recv into a null ByteBuffer", NullPointerException.class, () -> udp.recv((ByteBuffer) null), "dst"),
                bad("recv into a null segment", NullPointerException.class, () -> udp.recv((MemorySegment) null), "dst"),
                bad("recvFrom into a null array", NullPointerException.class, () -> udp.recvFrom(null, 0, 1), "dst"),
                bad("recvFrom into a null ByteBuffer", NullPointerException.class,
                        () -> udp.recvFrom((ByteBuffer) null), "dst"),
                bad("sendTo of a null array", NullPointerException.class,
                        () -> udp.sendTo(null, 0, 1, udpAddress), "src"),
                bad("sendTo of a null ByteBuffer", NullPointerException.class,
                        () -> udp.sendTo((ByteBuffer) null, udpAddress), "src"),
                bad("sendTo a null address", NullPointerException.class,
                        () -> udp.sendTo(ten, 0, 1, null), "address"),
                bad("sendTo a null address from a ByteBuffer", NullPointerException.class,
                        () -> udp.sendTo(ByteBuffer.wrap(ten), null), "address"),
                bad("sendAll of a null array", NullPointerException.class,
                        () -> streamPair.first().sendAll(null, 0, 1), "src"),
                bad("sendAll of a null ByteBuffer", NullPointerException.class,
                        () -> streamPair.first().sendAll((ByteBuffer) null), "src"),
                bad("bind to null", NullPointerException.class, () -> fresh(Family.UNIX, SockType.DGRAM).bind(null), "address"),
                bad("connect to null", NullPointerException.class, () -> fresh(Family.INET, SockType.STREAM).connect(null), "address"),
                bad("open with a null family", NullPointerException.class, () -> Sock.open(null, SockType.STREAM), "family"),
                bad("open with a null type", NullPointerException.class, () -> Sock.open(Family.UNIX, null), "type"),
                bad("open with a null protocol", NullPointerException.class,
                        () -> Sock.open(Family.INET, SockType.STREAM, null), "protocol"),
                bad("pair with a null type", NullPointerException.class, () -> Sock.pair(null), "type"),
                bad("shutdown with a null direction", NullPointerException.class,
                        () -> streamPair.first().shutdown(null), "how"),
                bad("get of a null option", NullPointerException.class, () -> udp.get(null), "option"),
                bad("set of a null option value", NullPointerException.class,
                        () -> udp.set(SockOpt.SO_REUSEADDR, null), "SO_REUSEADDR value"),
                bad("acceptFrom with a null filter", NullPointerException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).acceptFrom(null), "allowed"),
                bad("inputStream read into a null array", NullPointerException.class,
                        () -> streamPair.second().inputStream().read(null, 0, 1), "\"b\" is null"),
                bad("outputStream write of a null array", NullPointerException.class,
                        () -> streamPair.first().outputStream().write(null, 0, 1), "\"b\" is null"),
                bad("sendmsg with a null buffer among others", NullPointerException.class,
                        () -> udp.sendmsg(udpAddress, List.of(), 0, ByteBuffer.allocate(1), null), "a buffer is null"),
                bad("sendmsg with a null control list", NullPointerException.class,
                        () -> udp.sendmsg(udpAddress, null, 0, ten), "control"),
                bad("recvmsg with a null control spec", NullPointerException.class,
                        () -> udp.recvmsg(null, 0, ten), "want"),

                // ---------------------------------------------------------------- values out of range
                bad("a negative backlog", IllegalArgumentException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).listen(-1), "backlog -1", "0 or more"),
                bad("the most negative backlog", IllegalArgumentException.class,
                        () -> fresh(Family.INET, SockType.STREAM).listen(Integer.MIN_VALUE), "backlog " + Integer.MIN_VALUE),
                bad("adopt of fd -1", IllegalArgumentException.class, () -> Sock.adopt(-1), "fd -1"),
                bad("getBytes of 257 bytes", IllegalArgumentException.class,
                        () -> udp.getBytes(LibC.SOL_SOCKET(), LibC.SO_TYPE(), 257), "maxLength 257", "0 to 256"),
                bad("setBytes of 300 bytes", IllegalArgumentException.class,
                        () -> udp.setBytes(LibC.SOL_SOCKET(), LibC.SO_MARK(), new byte[300]), "300 bytes", "256"),
                bad("a negative SO_RCVBUF", IllegalArgumentException.class,
                        () -> udp.set(SockOpt.SO_RCVBUF, -5), "SO_RCVBUF", "-5"),
                bad("an IP_TTL of 256", IllegalArgumentException.class,
                        () -> udp.set(SockOpt.IP_TTL, 256), "IP_TTL", "256", "1 to 255"),
                bad("a socket type with SOCK_CLOEXEC in it", IllegalArgumentException.class,
                        () -> SockType.of(SockType.STREAM.value() | LibC.SOCK_CLOEXEC()),
                        Integer.toString(SockType.STREAM.value() | LibC.SOCK_CLOEXEC())),
                bad("socket type 0", IllegalArgumentException.class, () -> SockType.of(0), "socket type 0"),
                bad("a negative protocol", IllegalArgumentException.class, () -> Protocol.of(-4), "protocol -4"),
                bad("family -1", IllegalArgumentException.class, () -> Family.of(-1), "-1", "0 to 65535"),

                // ---------------------------------------------------------------- wrong kind of socket
                bad("listen on a Unix datagram socket", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.DGRAM).listen(), "listen: EOPNOTSUPP"),
                bad("listen on a UDP socket", SyscallException.class,
                        () -> fresh(Family.INET, SockType.DGRAM).listen(5), "listen: EOPNOTSUPP"),
                bad("accept on a datagram socket", SyscallException.class,
                        () -> fresh(Family.INET6, SockType.DGRAM).accept(), "accept: EOPNOTSUPP"),
                bad("inputStream of a datagram socket", IllegalStateException.class,
                        () -> udp.inputStream(), "inputStream", "SOCK_DGRAM", "SOCK_STREAM"),
                bad("outputStream of a seqpacket socket", IllegalStateException.class,
                        () -> fresh(Family.UNIX, SockType.SEQPACKET).outputStream(), "outputStream", "SOCK_SEQPACKET"),
                bad("a TCP option on a UDP socket", IllegalArgumentException.class,
                        () -> udp.set(SockOpt.TCP_NODELAY, true), "TCP_NODELAY", "AF_INET SOCK_DGRAM"),
                bad("an IPv4 option on a Unix socket", IllegalArgumentException.class,
                        () -> unixDgram.get(SockOpt.IP_TTL), "IP_TTL", "AF_INET", "AF_UNIX"),
                bad("peer credentials of a TCP socket", IllegalArgumentException.class,
                        () -> tcpListener.peerCredentials(), "SO_PEERCRED", "AF_UNIX", "AF_INET"),
                bad("setting a read-only option", UnsupportedOperationException.class,
                        () -> udp.set(SockOpt.SO_TYPE, SockType.STREAM), "SO_TYPE", "only be read"),
                bad("reading a set-only option", UnsupportedOperationException.class,
                        () -> udp.get(SockOpt.IP_ADD_MEMBERSHIP), "IP_ADD_MEMBERSHIP", "only be set"),
                bad("an unknown family", SyscallException.class,
                        () -> Sock.open(Family.of(250), SockType.STREAM), "AF_250", "EAFNOSUPPORT"),
                bad("a type the family lacks", SyscallException.class,
                        () -> Sock.open(Family.INET, SockType.SEQPACKET), "AF_INET", "SOCK_SEQPACKET"),
                bad("recv into a read-only buffer", IllegalArgumentException.class,
                        () -> udp.recv(ByteBuffer.allocate(4).asReadOnlyBuffer()), "recv", "read-only"),
                bad("recvFrom into a read-only buffer", IllegalArgumentException.class,
                        () -> udp.recvFrom(ByteBuffer.allocateDirect(4).asReadOnlyBuffer()), "recvfrom", "read-only"),

                // ---------------------------------------------------------------- wrong state
                bad("accept on an unbound socket", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).accept(), "accept: EINVAL"),
                bad("accept on a bound TCP socket that is not listening", SyscallException.class,
                        () -> fresh(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).accept(), "accept: EINVAL"),
                bad("a second bind of a UDP socket", SyscallException.class,
                        () -> udp.bind(SockaddrInet4.loopback(0)), "bind 127.0.0.1:0: EINVAL"),
                bad("a second bind of a Unix socket", SyscallException.class,
                        () -> unixDgram.bind(SockaddrUnix.abstractName("second-" + PID)), "bind @second-" + PID, "EINVAL"),
                bad("connect of a connected Unix stream socket", SyscallException.class, () -> {
                    SockaddrUnix name = SockaddrUnix.abstractName("bad-input-listener-" + PID + "-" + System.nanoTime());
                    keep(Sock.open(Family.UNIX, SockType.STREAM).bind(name).listen());
                    fresh(Family.UNIX, SockType.STREAM).connect(name).connect(name);
                }, "connect @bad-input-listener-" + PID, "EISCONN"),
                bad("recv on an unconnected TCP socket", SyscallException.class,
                        () -> fresh(Family.INET, SockType.STREAM).recv(ten), "recv: ENOTCONN"),
                bad("send on an unconnected UDP socket", SyscallException.class,
                        () -> fresh(Family.INET, SockType.DGRAM).send(ten), "send: EDESTADDRREQ"),
                bad("peerAddress of an unconnected socket", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.SEQPACKET).peerAddress(), "getpeername: ENOTCONN"),
                bad("shutdown of an unconnected TCP socket", SyscallException.class,
                        () -> fresh(Family.INET6, SockType.STREAM).shutdown(Shutdown.WRITE), "shutdown(WRITE): ENOTCONN"),
                bad("a 9-byte datagram into an 8-byte array", SyscallException.class,
                        () -> waiting(9).recv(new byte[8]), "9-byte message", "8-byte buffer"),
                bad("a 1,000-byte datagram into a 100-byte ByteBuffer", SyscallException.class,
                        () -> waiting(1000).recv(ByteBuffer.allocate(100)), "1000-byte message", "100-byte buffer"),
                bad("a 300-byte datagram into a 64-byte native segment", SyscallException.class,
                        () -> waiting(300).recv(Arena.ofAuto().allocate(64)), "300-byte message", "64-byte buffer"),
                bad("a 500-byte UDP datagram received into 20 bytes", SyscallException.class,
                        () -> waitingUdp(500).recvFrom(new byte[30], 5, 20), "recvfrom", "500-byte message", "20-byte buffer"),
                bad("a UDP datagram over 65507 bytes", SyscallException.class,
                        () -> udp.sendTo(new byte[70_000], 0, 70_000, udpAddress), "sendto " + udpAddress, "EMSGSIZE"),

                // ---------------------------------------------------------------- nobody there
                bad("connect to a path that does not exist", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.of(missingPath)),
                        "connect " + missingPath, "ENOENT"),
                bad("connect to an abstract name nobody listens on", SyscallConnectException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.abstractName(abstractNobody)),
                        "connect @" + abstractNobody, "ECONNREFUSED"),
                bad("connect to a TCP loopback port nobody listens on", SyscallConnectException.class,
                        () -> fresh(Family.INET, SockType.STREAM).connect(refusedTcp), "connect " + refusedTcp, "ECONNREFUSED"),
                bad("connect to a TCP ::1 port nobody listens on", SyscallConnectException.class,
                        () -> fresh(Family.INET6, SockType.STREAM).connect(refusedTcp6), "connect " + refusedTcp6, "ECONNREFUSED"),
                bad("connect to a path that is a regular file", SyscallConnectException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.of(regularFile)),
                        "connect " + regularFile, "ECONNREFUSED"),
                bad("sendTo a Unix path that does not exist", SyscallException.class,
                        () -> unixDgram.sendTo(ten, 0, 1, SockaddrUnix.of(missingPath)), "sendto " + missingPath, "ENOENT"),
                bad("sendTo an abstract name nobody is bound to", SyscallConnectException.class,
                        () -> unixDgram.sendTo(ten, 0, 1, SockaddrUnix.abstractName(abstractNobody)),
                        "sendto @" + abstractNobody, "ECONNREFUSED"),
                bad("bind to a TCP address in use", SyscallBindException.class,
                        () -> fresh(Family.INET, SockType.STREAM).bind(tcpListener.localAddress()),
                        "bind " + tcpListener.localAddress(), "EADDRINUSE"),
                bad("bind to a UDP address in use", SyscallBindException.class,
                        () -> fresh(Family.INET, SockType.DGRAM).bind(udpAddress), "bind " + udpAddress, "EADDRINUSE"),
                bad("bind to a path where a file exists", SyscallBindException.class,
                        () -> fresh(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.of(regularFile)),
                        "bind " + regularFile, "EADDRINUSE"),
                bad("bind to an abstract name in use", SyscallBindException.class,
                        () -> fresh(Family.UNIX, SockType.DGRAM).bind(unixDgram.localAddress()),
                        "bind " + unixDgram.localAddress(), "EADDRINUSE"),
                bad("bind to a path in a directory that does not exist", SyscallException.class,
                        () -> fresh(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.of(dir.resolve("no-dir/s.sock"))),
                        "bind " + dir.resolve("no-dir/s.sock"), "ENOENT"),

                // ---------------------------------------------------------------- another family's address
                bad("sendTo an IPv6 address from an IPv4 socket", IllegalArgumentException.class,
                        () -> udp.sendTo(ten, 0, 1, SockaddrInet6.loopback(9)), "[::1]:9", "AF_INET6", "the socket AF_INET"),
                bad("sendTo an IPv4 address from an IPv6 socket", IllegalArgumentException.class,
                        () -> udp6.sendTo(ByteBuffer.wrap(ten), SockaddrInet4.loopback(9)), "127.0.0.1:9",
                        "the address is AF_INET,", "AF_INET6"),
                bad("sendTo a netlink address from a Unix socket", IllegalArgumentException.class,
                        () -> unixDgram.sendTo(Arena.ofAuto().allocate(4), SockaddrNetlink.kernel()), "AF_NETLINK", "AF_UNIX"),
                bad("sendTo a Unix address from a netlink socket", IllegalArgumentException.class,
                        () -> netlink.sendTo(ten, 0, 1, SockaddrUnix.abstractName("x")), "@x", "AF_UNIX", "AF_NETLINK"),
                bad("sendmsg to another family", IllegalArgumentException.class,
                        () -> udp.sendmsg(SockaddrInet6.loopback(9), List.of(), 0, ten), "sendmsg", "AF_INET6", "AF_INET"),
                bad("bind a Unix socket to an IPv4 address", IllegalArgumentException.class,
                        () -> fresh(Family.UNIX, SockType.DGRAM).bind(SockaddrInet4.loopback(1)),
                        "bind 127.0.0.1:1", "AF_INET", "AF_UNIX"),
                bad("connect an IPv6 socket to a Unix path", IllegalArgumentException.class,
                        () -> fresh(Family.INET6, SockType.STREAM).connect(SockaddrUnix.of("/x")), "connect /x", "AF_UNIX", "AF_INET6"),

                // ---------------------------------------------------------------- use after close
                bad("send after close", SockClosedException.class, () -> closedDgram.send(ten), "send: the socket is closed"),
                bad("send of a ByteBuffer after close", SockClosedException.class,
                        () -> closedDgram.send(ByteBuffer.allocateDirect(4)), "send: the socket is closed"),
                bad("send of a segment after close", SockClosedException.class,
                        () -> closedDgram.send(MemorySegment.ofArray(ten)), "send: the socket is closed"),
                bad("sendTo after close", SockClosedException.class,
                        () -> closedDgram.sendTo(ten, 0, 1, SockaddrUnix.abstractName("x")), "sendto: the socket is closed"),
                bad("sendAll after close", SockClosedException.class,
                        () -> closedStream.sendAll(ten, 0, 10), "send: the socket is closed"),
                bad("recv after close", SockClosedException.class, () -> closedDgram.recv(ten), "recv: the socket is closed"),
                bad("recv into a ByteBuffer after close", SockClosedException.class,
                        () -> closedDgram.recv(ByteBuffer.allocate(4)), "recv: the socket is closed"),
                bad("recvFrom after close", SockClosedException.class,
                        () -> closedDgram.recvFrom(ten, 0, 1), "recvfrom: the socket is closed"),
                bad("sendmsg after close", SockClosedException.class,
                        () -> closedDgram.sendmsg(null, List.of(), 0, ten), "sendmsg: the socket is closed"),
                bad("recvmsg after close", SockClosedException.class,
                        () -> closedDgram.recvmsg(ControlSpec.NONE, 0, ten), "recvmsg: the socket is closed"),
                bad("bind after close", SockClosedException.class,
                        () -> closedDgram.bind(SockaddrUnix.unnamed()), "bind: the socket is closed"),
                bad("listen after close", SockClosedException.class, () -> closedStream.listen(), "listen: the socket is closed"),
                bad("accept after close", SockClosedException.class, () -> closedStream.accept(), "accept: the socket is closed"),
                bad("acceptFrom after close", SockClosedException.class, () -> {
                    Sock s = Sock.open(Family.UNIX, SockType.STREAM);
                    s.close();
                    s.acceptFrom(uid -> true);
                }, "accept: the socket is closed"),
                bad("connect after close", SockClosedException.class,
                        () -> closedStream.connect(refusedTcp), "connect: the socket is closed"),
                bad("shutdown after close", SockClosedException.class,
                        () -> closedStream.shutdown(Shutdown.BOTH), "shutdown: the socket is closed"),
                bad("localAddress after close", SockClosedException.class,
                        () -> closedStream.localAddress(), "getsockname: the socket is closed"),
                bad("peerAddress after close", SockClosedException.class,
                        () -> closedStream.peerAddress(), "getpeername: the socket is closed"),
                bad("get of an option after close", SockClosedException.class,
                        () -> closedStream.get(SockOpt.SO_TYPE), "getsockopt: the socket is closed"),
                bad("set of an option after close", SockClosedException.class,
                        () -> closedStream.set(SockOpt.TCP_NODELAY, true), "setsockopt: the socket is closed"),
                bad("getInt after close", SockClosedException.class,
                        () -> closedStream.getInt(LibC.SOL_SOCKET(), LibC.SO_TYPE()), "getsockopt: the socket is closed"),
                bad("setBytes after close", SockClosedException.class,
                        () -> closedStream.setBytes(LibC.SOL_SOCKET(), LibC.SO_MARK(), new byte[4]), "setsockopt: the socket is closed"),
                bad("inputStream read after close", SockClosedException.class,
                        () -> closedStream.inputStream().read(), "recv: the socket is closed"),
                bad("outputStream write after close", SockClosedException.class,
                        () -> closedStream.outputStream().write(1), "send: the socket is closed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithTheExactTypeAndAMessageNamingTheValue(Executable call, Class<? extends Throwable> type,
                                                             String[] inMessage) {
        Throwable t = assertThrows(Throwable.class, call);
        assertEquals(type, t.getClass(), () -> "wrong exception: " + t);
        for (String s : inMessage) {
            assertTrue(t.getMessage() != null && t.getMessage().contains(s),
                    () -> "the message should contain \"" + s + "\": " + t.getMessage());
        }
        if (t instanceof SyscallError e) {
            // The message reads "call address: ENAME (description)".
            assertTrue(t.getMessage().startsWith(e.call()), t.getMessage());
            assertTrue(t.getMessage().contains(": " + e.errnoName() + " ("), t.getMessage());
            e.address().ifPresent(a -> assertTrue(t.getMessage().contains(a.toString()), t.getMessage()));
        }
    }

    // -------------------------------------------------------------------- SyscallError's accessors

    private record Expected(String call, String errnoName, Optional<Sockaddr> address, Class<? extends Throwable> type) {
    }

    private interface Failing {
        void run() throws IOException;
    }

    private static Arguments failure(String name, Failing call, Expected expected) {
        return Arguments.of(Named.of(name, call), expected);
    }

    static Stream<Arguments> failures() {
        String nobody = "bad-input-accessors-" + PID;
        return Stream.of(
                failure("bind to an address in use", () -> fresh(Family.INET, SockType.DGRAM).bind(udpAddress),
                        new Expected("bind", "EADDRINUSE", Optional.of(udpAddress), SyscallBindException.class)),
                failure("connect to an abstract name nobody listens on",
                        () -> fresh(Family.UNIX, SockType.SEQPACKET).connect(SockaddrUnix.abstractName(nobody)),
                        new Expected("connect", "ECONNREFUSED", Optional.of(SockaddrUnix.abstractName(nobody)),
                                SyscallConnectException.class)),
                failure("connect to a path that does not exist",
                        () -> fresh(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.of(missingPath)),
                        new Expected("connect", "ENOENT", Optional.of(SockaddrUnix.of(missingPath)), SyscallException.class)),
                failure("connect to a TCP port nobody listens on", () -> fresh(Family.INET, SockType.STREAM).connect(refusedTcp),
                        new Expected("connect", "ECONNREFUSED", Optional.of(refusedTcp), SyscallConnectException.class)),
                failure("listen on a datagram socket", () -> fresh(Family.UNIX, SockType.DGRAM).listen(),
                        new Expected("listen", "EOPNOTSUPP", Optional.empty(), SyscallException.class)),
                failure("accept on a socket that is not listening", () -> fresh(Family.UNIX, SockType.STREAM).accept(),
                        new Expected("accept", "EINVAL", Optional.empty(), SyscallException.class)),
                failure("shutdown of an unconnected socket", () -> fresh(Family.INET, SockType.STREAM).shutdown(Shutdown.READ),
                        new Expected("shutdown(READ)", "ENOTCONN", Optional.empty(), SyscallException.class)),
                failure("sendTo an abstract name nobody is bound to",
                        () -> unixDgram.sendTo(new byte[1], 0, 1, SockaddrUnix.abstractName(nobody)),
                        new Expected("sendto", "ECONNREFUSED", Optional.of(SockaddrUnix.abstractName(nobody)),
                                SyscallConnectException.class)),
                failure("open of an unknown family", () -> Sock.open(Family.of(250), SockType.DGRAM),
                        new Expected("socket(AF_250, SOCK_DGRAM, 0)", "EAFNOSUPPORT", Optional.empty(), SyscallException.class)),
                failure("adopt of a descriptor that is not open", () -> Sock.adopt(19_999),
                        new Expected("getsockopt(fd 19999, SO_DOMAIN)", "EBADF", Optional.empty(), SyscallException.class)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void syscallErrorReportsTheCallTheErrnoAndTheAddress(Failing call, Expected expected) throws Exception {
        Throwable t = assertThrows(Throwable.class, call::run);
        assertEquals(expected.type(), t.getClass(), () -> "wrong exception: " + t);
        SyscallError e = assertInstanceOf(SyscallError.class, t);
        assertEquals(expected.call(), e.call());
        assertEquals(expected.errnoName(), e.errnoName());
        Errno constant = Errno.valueOf(expected.errnoName());
        assertEquals(constant.value(), e.errno());
        assertEquals(Optional.of(constant), e.errnoConstant());
        assertEquals(expected.address(), e.address());
        assertEquals(new SyscallFailure(expected.call(), constant.value(), expected.address().orElse(null)).message(),
                t.getMessage());
        // And the java.net supertype that callers already catch.
        if (t instanceof SyscallBindException) {
            assertInstanceOf(java.net.BindException.class, t);
        } else if (t instanceof SyscallConnectException) {
            assertInstanceOf(java.net.ConnectException.class, t);
        }
    }

    @Test
    void aDatagramLongerThanTheBufferKeepsItsFirstBytesAndIsNotConsumedTwice() throws IOException {
        try (var pair = Sock.pair(SockType.DGRAM)) {
            byte[] msg = new byte[40];
            for (int i = 0; i < msg.length; i++) {
                msg[i] = (byte) (i + 1);
            }
            pair.first().send(msg);
            pair.first().send(new byte[] {99});
            byte[] buf = new byte[16];
            var e = assertThrows(SyscallException.class, () -> pair.second().recv(buf, 2, 8));
            assertEquals(LibC.EMSGSIZE(), e.errno());
            assertTrue(e.getMessage().contains("40-byte message into a 8-byte buffer"), e.getMessage());
            assertEquals(0, buf[0], "nothing before the offset is touched");
            for (int i = 0; i < 8; i++) {
                assertEquals(i + 1, buf[2 + i], "byte " + i + " of the message is kept");
            }
            assertEquals(0, buf[10], "nothing past offset + length is touched");
            // The long datagram is gone; the next one is received whole.
            assertEquals(1, pair.second().recv(buf));
            assertEquals(99, buf[0]);
        }
    }

    @Test
    void aFailedCallLeavesTheSocketUsable() throws IOException {
        try (var s = Sock.open(Family.INET, SockType.DGRAM)) {
            assertThrows(SyscallBindException.class, () -> s.bind(udpAddress));
            assertThrows(IndexOutOfBoundsException.class, () -> s.send(new byte[2], 1, 2));
            assertThrows(IllegalArgumentException.class, () -> s.sendTo(new byte[1], 0, 1, SockaddrInet6.loopback(1)));
            assertTrue(s.isOpen());
            s.bind(SockaddrInet4.loopback(0));
            s.sendTo(new byte[] {7}, 0, 1, udpAddress);
            byte[] b = new byte[4];
            var r = udp.recvFrom(b, 0, 4);
            assertEquals(1, r.length());
            assertEquals(s.localAddress(), r.from());
        }
        assertFalse(udp.toString().contains("closed"));
    }
}
