package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.function.Executable;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Bad values are rejected when the record is made, before any system call, with the exact
 * exception type and a message that names the value and the limit.
 */
class ValidationTest {

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 'a');
        return b;
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return Stream.of(
                bad("pathname over 107 bytes", InvalidSockaddrException.class,
                        () -> SockaddrUnix.of("/" + "a".repeat(107)), "108 bytes", "107"),
                bad("pathname of 120 bytes", InvalidSockaddrException.class,
                        () -> SockaddrUnix.pathname(bytes(120)), "120 bytes", "107"),
                bad("empty pathname", InvalidSockaddrException.class,
                        () -> SockaddrUnix.of(""), "empty", "unnamed()"),
                bad("NUL inside a pathname", InvalidSockaddrException.class,
                        () -> SockaddrUnix.of("/tmp/a\0b"), "NUL at byte 6", "/tmp/a\\x00b"),
                bad("unpaired surrogate in a pathname", InvalidSockaddrException.class,
                        () -> SockaddrUnix.of("/tmp/\uD800"), "U+D800"),
                bad("abstract name of 108 bytes", InvalidSockaddrException.class,
                        () -> SockaddrUnix.abstractName(bytes(108)), "108 bytes", "107"),
                bad("abstract name of 200 characters", InvalidSockaddrException.class,
                        () -> SockaddrUnix.abstractName("n".repeat(200)), "200 bytes", "107"),
                bad("port -1", InvalidSockaddrException.class,
                        () -> SockaddrInet4.loopback(-1), "port -1", "0 to 65535"),
                bad("port 65536", InvalidSockaddrException.class,
                        () -> SockaddrInet4.of("127.0.0.1", 65536), "port 65536", "0 to 65535"),
                bad("IPv6 port 70000", InvalidSockaddrException.class,
                        () -> SockaddrInet6.loopback(70000), "port 70000", "0 to 65535"),
                bad("flow info over 20 bits", InvalidSockaddrException.class,
                        () -> new SockaddrInet6(new byte[16], 0, 0x100000, 0), "0x100000", "20 bits"),
                bad("negative flow info", InvalidSockaddrException.class,
                        () -> SockaddrInet6.loopback(1).withFlowInfo(-1), "0xffffffff", "20 bits"),
                bad("5-byte IPv4 address", InvalidSockaddrException.class,
                        () -> new SockaddrInet4(new byte[5], 80), "5 bytes", "must be 4"),
                bad("3-byte IPv4 address", InvalidSockaddrException.class,
                        () -> new SockaddrInet4(new byte[3], 80), "3 bytes", "must be 4"),
                bad("15-byte IPv6 address", InvalidSockaddrException.class,
                        () -> new SockaddrInet6(new byte[15], 80, 0, 0), "15 bytes", "must be 16"),
                bad("IPv4 literal with a part over 255", InvalidSockaddrException.class,
                        () -> SockaddrInet4.of("127.0.0.256", 1), "127.0.0.256", "0 to 255"),
                bad("IPv4 literal with a leading zero", InvalidSockaddrException.class,
                        () -> SockaddrInet4.of("127.0.0.01", 1), "127.0.0.01", "leading zeros"),
                bad("IPv4 host name", InvalidSockaddrException.class,
                        () -> SockaddrInet4.of("localhost", 1), "localhost"),
                bad("IPv6 literal with two ::", InvalidSockaddrException.class,
                        () -> SockaddrInet6.of("1::2::3", 1), "1::2::3"),
                bad("IPv6 literal with nine groups", InvalidSockaddrException.class,
                        () -> SockaddrInet6.of("1:2:3:4:5:6:7:8:9", 1), "1:2:3:4:5:6:7:8:9"),
                bad("IPv6 scope naming no interface", InvalidSockaddrException.class,
                        () -> SockaddrInet6.of("fe80::1%no-such-if0", 1), "no-such-if0"),
                bad("IPv4 address given to SockaddrInet4.of(InetAddress)", InvalidSockaddrException.class,
                        () -> SockaddrInet4.of(java.net.InetAddress.getByName("::1"), 1), "not an IPv4 address"),
                bad("other-family record for AF_INET", InvalidSockaddrException.class,
                        () -> new SockaddrOther(Family.INET, new byte[14]), "AF_INET"),
                bad("other-family data over 126 bytes", InvalidSockaddrException.class,
                        () -> new SockaddrOther(Family.PACKET, new byte[127]), "127 bytes", "126"),
                bad("family 65536", IllegalArgumentException.class,
                        () -> Family.of(65536), "65536", "0 to 65535"),
                bad("unresolved InetSocketAddress", InvalidSockaddrException.class,
                        () -> Sockaddr.from(java.net.InetSocketAddress.createUnresolved("example.invalid", 80)),
                        "example.invalid:80", "unresolved"),
                bad("null pathname string", NullPointerException.class,
                        () -> SockaddrUnix.of((String) null), "path"),
                bad("null pathname bytes", NullPointerException.class,
                        () -> SockaddrUnix.pathname(null), "pathname bytes"),
                bad("null abstract name", NullPointerException.class,
                        () -> SockaddrUnix.abstractName((String) null), "name"),
                bad("null IPv4 address", NullPointerException.class,
                        () -> new SockaddrInet4(null, 1), "IPv4 address"),
                bad("null IPv6 address", NullPointerException.class,
                        () -> new SockaddrInet6(null, 1, 0, 0), "IPv6 address"),
                bad("null IPv4 literal", NullPointerException.class,
                        () -> SockaddrInet4.of((String) null, 1), "literal"),
                bad("null other-family data", NullPointerException.class,
                        () -> new SockaddrOther(Family.PACKET, null), "data"),
                bad("null text", NullPointerException.class,
                        () -> Sockaddr.parse(null), "text"),
                bad("null java.net address", NullPointerException.class,
                        () -> Sockaddr.from(null), "address"),
                bad("null decode segment", NullPointerException.class,
                        () -> Sockaddr.decode(null, 2), "src"),
                bad("encoding into a segment too small", IndexOutOfBoundsException.class,
                        () -> SockaddrInet6.loopback(1).encode(java.lang.foreign.MemorySegment.ofArray(new byte[27])),
                        "28 bytes", "27"));
    }

    private static org.junit.jupiter.params.provider.Arguments bad(
            String name, Class<? extends Throwable> type, Executable call, String... inMessage) {
        return arguments(Named.of(name, call), type, inMessage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRejectedWithAMessageNamingTheValue(Executable call, Class<? extends Throwable> type, String[] inMessage) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getClass() == type, "exactly " + type.getSimpleName() + ", got " + t.getClass());
        for (String s : inMessage) {
            assertTrue(t.getMessage() != null && t.getMessage().contains(s),
                    "message should contain \"" + s + "\": " + t.getMessage());
        }
    }
}
