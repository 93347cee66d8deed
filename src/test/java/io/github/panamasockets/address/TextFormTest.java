package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text form parses and prints, and java.net conversions keep every field they can. */
class TextFormTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "127.0.0.1:8080", "0.0.0.0:0", "255.255.255.255:65535",
            "[::1]:8080", "[::]:0", "[2001:db8::1]:443", "[fe80::1%lo]:8080", "[::ffff:127.0.0.1]:80",
            "[2001:db8:0:1:1:1:1:1]:1", "[1::]:1", "[::1]:1 flowinfo=0x12345",
            "/run/app.sock", "./rel.sock", "../up.sock", "unix:plain.sock", "unix:@not-abstract",
            "/tmp/caf\u00e9.sock", "/tmp/\\xff", "/tmp/back\\\\slash",
            "@name", "@", "@a\\x00b", "@\\x0a\\x1b", "(unnamed)",
            "netlink:0/0", "netlink:4294967295/4294967295", "netlink:12345/1",
            "AF_PACKET:0003", "AF_UNSPEC:", "AF_42:ff"})
    void printsWhatItParses(String text) {
        Sockaddr a = Sockaddr.parse(text);
        assertEquals(text, a.toString());
        assertEquals(a, Sockaddr.parse(a.toString()));
    }

    @Test
    void rfc5952Form() {
        assertEquals("[2001:db8::1:0:0:1]:1", SockaddrInet6.of("2001:DB8:0:0:1:0:0:1", 1).toString());
        assertEquals("[2001:db8:0:1:1:1:1:1]:1", SockaddrInet6.of("2001:db8::1:1:1:1:1", 1).toString());
        assertEquals("[::ffff:10.0.0.1]:1", SockaddrInet6.of("::ffff:a00:1", 1).toString());
        assertEquals("[::102:304]:1", SockaddrInet6.of("::1.2.3.4", 1).toString());
    }

    @Test
    void scopeByIndexPrintsTheInterfaceName() {
        var byIndex = Sockaddr.parse("[fe80::1%1]:5");
        assertEquals(1, ((SockaddrInet6) byIndex).scopeId());
        assertEquals(Sockaddr.parse("[fe80::1%lo]:5"), byIndex, "index 1 is lo");
        assertEquals("[fe80::1%4000000000]:5", new SockaddrInet6(SockaddrInet6.of("fe80::1", 5).address(), 5, 0, (int) 4000000000L).toString(),
                "an index with no interface prints as a number");
    }

    @Test
    void unixTextKinds() {
        assertInstanceOf(SockaddrUnix.Abstract.class, Sockaddr.parse("@x"));
        assertInstanceOf(SockaddrUnix.Pathname.class, Sockaddr.parse("unix:@x"));
        assertEquals("unix:relative.sock", SockaddrUnix.of("relative.sock").toString());
        assertArrayEquals(new byte[] {'/', (byte) 0xFF}, ((SockaddrUnix.Pathname) Sockaddr.parse("/\\xff")).bytes());
        assertEquals("/tmp/\\x0a", SockaddrUnix.of("/tmp/\n").toString(), "control bytes are escaped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "1.2.3:4",
            "[::1]", "[::1]80", "[::1:80", "[:::1]:80", "[::1%]:80", "netlink:x/0", "netlink:1/0x",
            "netlink:-1/0", "@bad\\q", "/bad\\x4", "/tmp/\\x00z", "AF_INET:00", "AF_PACKET:0g", "AF_XYZ:00", "host:80"})
    void rejectsBadText(String text) {
        var e = assertThrows(InvalidSockaddrException.class, () -> Sockaddr.parse(text));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void javaNetConversions() throws Exception {
        var v4 = Sockaddr.from(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80));
        assertEquals(SockaddrInet4.loopback(80), v4);
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80), v4.toSocketAddress());

        var scoped = (java.net.Inet6Address) InetAddress.getByName("fe80::1%1");
        var v6 = (SockaddrInet6) Sockaddr.from(new InetSocketAddress(scoped, 9));
        assertEquals(1, v6.scopeId());
        assertEquals(scoped, v6.toInetAddress());
        assertEquals(1, v6.toSocketAddress().getAddress() instanceof java.net.Inet6Address i ? i.getScopeId() : -1);

        var mapped = SockaddrInet6.mapped(SockaddrInet4.loopback(7));
        assertTrue(mapped.isIpv4Mapped());
        assertEquals(SockaddrInet4.loopback(7), mapped.toIpv4().orElseThrow());
        assertInstanceOf(java.net.Inet6Address.class, mapped.toInetAddress(), "a mapped address stays IPv6");
        assertEquals(mapped, SockaddrInet6.of(InetAddress.getByName("127.0.0.1"), 7));
        assertFalse(SockaddrInet6.loopback(1).isIpv4Mapped());

        var unix = Sockaddr.from(UnixDomainSocketAddress.of("/run/x.sock"));
        assertEquals(SockaddrUnix.of("/run/x.sock"), unix);
        assertEquals(UnixDomainSocketAddress.of(Path.of("/run/x.sock")), unix.toSocketAddress());

        assertThrows(UnsupportedOperationException.class, () -> SockaddrUnix.abstractName("a").toSocketAddress());
        assertThrows(UnsupportedOperationException.class, () -> SockaddrUnix.unnamed().toSocketAddress());
        assertThrows(UnsupportedOperationException.class, () -> SockaddrNetlink.kernel().toSocketAddress());
        assertThrows(InvalidSockaddrException.class,
                () -> SockaddrUnix.pathname(new byte[] {'/', (byte) 0xFF}).toPath(), "not UTF-8");
        assertThrows(IllegalArgumentException.class, () -> Sockaddr.from(new java.net.SocketAddress() { }));
    }

    @Test
    void familiesPrintTheirCNames() {
        assertEquals("AF_INET6", Family.INET6.toString());
        assertEquals("AF_UNIX", SockaddrUnix.unnamed().family().toString());
        assertEquals(Family.PACKET, Family.of(17));
        assertEquals("AF_42", Family.of(42).toString());
        assertEquals(new Family(42), Family.of(42));
    }
}
