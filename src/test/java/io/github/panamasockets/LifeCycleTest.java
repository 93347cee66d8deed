package io.github.panamasockets;

import io.github.panamasockets.address.*;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** One pass through the life cycle of each family, end to end, with the exact error text. */
class LifeCycleTest {
    @Test
    void openBindConnectSendReceiveShutdownClose() throws Exception {
        try (var p = Sock.pair(SockType.SEQPACKET)) {
            p.first().send("hello".getBytes());
            byte[] b = new byte[10];
            assertEquals(5, p.second().recv(b));
            p.first().close();
            assertEquals(-1, p.second().recv(b));
        }
        try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             var client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
             var conn = server.accept()) {
            client.sendAll("abc".getBytes(), 0, 3);
            byte[] b = new byte[10];
            assertEquals(3, conn.socket().recv(b));
            assertEquals(client.localAddress(), conn.peer());
            client.shutdown(Shutdown.WRITE);
            assertEquals(-1, conn.socket().recv(b));
        }
        try (var a = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0));
             var c = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0))) {
            c.sendTo("x".getBytes(), 0, 1, a.localAddress());
            var r = a.recvFrom(new byte[10], 0, 10);
            assertEquals(1, r.length());
            assertEquals(c.localAddress(), r.from());
        }
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE)) {
            nl.bind(SockaddrNetlink.kernel());
            assertNotEquals(0, ((SockaddrNetlink) nl.localAddress()).pid());
        }
        var s = Sock.open(Family.UNIX, SockType.STREAM);
        s.close();
        s.close();
        assertThrows(SockClosedException.class, s::localAddress);
        var e = assertThrows(SyscallConnectException.class,
                () -> Sock.open(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.abstractName("nobody-here-xyz")));
        assertEquals("connect @nobody-here-xyz: ECONNREFUSED (Connection refused)", e.getMessage());
    }
}
