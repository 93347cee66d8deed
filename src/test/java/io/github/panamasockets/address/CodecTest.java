package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encoding and decoding without system calls: exact bytes, exact lengths, checked input. */
class CodecTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void ipv4PortAndAddressAreBigEndian() {
        assertArrayEquals(hex("0200 1f90 7f000001 0000000000000000"),
                SockaddrInet4.of("127.0.0.1", 8080).toBytes());
    }

    @Test
    void ipv6FieldsAreInTheirByteOrders() {
        var a = new SockaddrInet6(SockaddrInet6.loopback(0).address(), 443, 0x12345, 7);
        assertArrayEquals(hex("0a00 01bb 00012345 00000000000000000000000000000001 07000000"), a.toBytes());
    }

    @Test
    void netlinkIsHostOrder() {
        assertArrayEquals(hex("1000 0000 39300000 01000000"), new SockaddrNetlink(12345, 1).toBytes());
    }

    @Test
    void unixLengthsCountOnlyWhatTheKernelReads() {
        assertEquals(2, SockaddrUnix.unnamed().encodedLength());
        assertEquals(2 + 1 + 4, SockaddrUnix.abstractName("demo").encodedLength());
        assertEquals(2 + 6 + 1, SockaddrUnix.of("/tmp/x").encodedLength());
        assertArrayEquals(hex("0100 00 64656d6f"), SockaddrUnix.abstractName("demo").toBytes());
        assertArrayEquals(hex("0100 2f746d702f78 00"), SockaddrUnix.of("/tmp/x").toBytes());
    }

    @Test
    void encodeZeroesItsBytesAndTouchesNothingAfterThem() {
        for (Sockaddr a : new Sockaddr[] {SockaddrUnix.of("/a"), SockaddrUnix.abstractName("b"),
                SockaddrUnix.unnamed(), SockaddrInet4.loopback(1), SockaddrInet6.loopback(1),
                new SockaddrNetlink(1, 2), new SockaddrOther(Family.PACKET, new byte[] {9})}) {
            byte[] buf = new byte[Sockaddr.MAX_LENGTH];
            Arrays.fill(buf, (byte) 0xEE);
            int len = a.encode(MemorySegment.ofArray(buf));
            assertEquals(a.encodedLength(), len);
            assertArrayEquals(a.toBytes(), Arrays.copyOf(buf, len), a.toString());
            for (int i = len; i < buf.length; i++) {
                assertEquals((byte) 0xEE, buf[i], a + ": byte " + i + " past the address was written");
            }
            assertEquals(a, Sockaddr.decode(MemorySegment.ofArray(buf), len));
        }
    }

    @Test
    void lengthTwoIsUnnamed() {
        assertEquals(SockaddrUnix.unnamed(), Sockaddr.decode(hex("0100")));
    }

    @Test
    void pathnameEndsAtTheFirstNulEvenIfTheLengthRunsOn() {
        byte[] b = new byte[110];
        b[0] = 1;
        byte[] path = "/run/x.sock".getBytes();
        System.arraycopy(path, 0, b, 2, path.length);
        b[2 + path.length + 3] = 'z';     // garbage after the NUL is not part of the name
        assertEquals(SockaddrUnix.of("/run/x.sock"), Sockaddr.decode(b));
    }

    @Test
    void pathnameFillingSunPathWithoutNulIsReadWhole() {
        byte[] b = new byte[110];
        b[0] = 1;
        Arrays.fill(b, 2, 110, (byte) 'q');
        b[2] = '/';
        var p = assertInstanceOf(SockaddrUnix.Pathname.class, Sockaddr.decode(b));
        assertEquals(108, p.bytes().length);
        assertEquals(110, p.encodedLength(), "no NUL: it fills sun_path exactly");
        assertArrayEquals(b, p.toBytes());
        assertThrows(InvalidSockaddrException.class, () -> SockaddrUnix.pathname(p.bytes()),
                "made by hand, 108 bytes is still over the limit");
    }

    @Test
    void abstractNameIsEveryByteAfterTheNul() {
        var a = assertInstanceOf(SockaddrUnix.Abstract.class, Sockaddr.decode(hex("0100 00 610062 00")));
        assertArrayEquals(new byte[] {'a', 0, 'b', 0}, a.name());
    }

    @Test
    void badLengthsAreRejectedBeforeReading() {
        var seg = MemorySegment.ofArray(new byte[16]);
        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Family.INET.value());
        assertMessage(() -> Sockaddr.decode(seg, 1), "address length 1", "2-byte");
        assertMessage(() -> Sockaddr.decode(seg, 0), "address length 0");
        assertMessage(() -> Sockaddr.decode(seg, -1), "address length -1");
        assertMessage(() -> Sockaddr.decode(seg, 17), "17", "16-byte buffer");
        assertMessage(() -> Sockaddr.decode(MemorySegment.ofArray(new byte[256]), 129), "129", "sockaddr_storage");
        assertMessage(() -> Sockaddr.decode(seg, 12), "AF_INET address length 12", "16 bytes");
        assertMessage(() -> Sockaddr.decode(hex("0a00 0000 00000000 0000")), "AF_INET6", "24 to 28");
        assertMessage(() -> Sockaddr.decode(hex("1000 0000 00000000")), "AF_NETLINK address length 8", "12");
        byte[] tooLongUnix = new byte[111];
        tooLongUnix[0] = 1;
        assertMessage(() -> Sockaddr.decode(tooLongUnix), "AF_UNIX address length 111", "110");
    }

    @Test
    void rfc2133LengthIpv6HasNoScope() {
        var a = SockaddrInet6.of("fe80::1", 9).withScopeId(3);
        byte[] b = Arrays.copyOf(a.toBytes(), 24);
        assertEquals(a.withScopeId(0), Sockaddr.decode(b));
    }

    @Test
    void flowInfoWithReservedBitsIsRejected() {
        byte[] b = SockaddrInet6.loopback(1).toBytes();
        b[4] = (byte) 0xF0;
        assertMessage(() -> Sockaddr.decode(b), "sin6_flowinfo", "20-bit");
    }

    @Test
    void unknownFamiliesKeepTheirBytes() {
        var o = assertInstanceOf(SockaddrOther.class, Sockaddr.decode(hex("1100 0003 01")));
        assertEquals(Family.PACKET, o.family());
        assertArrayEquals(hex("000301"), o.data());
        assertEquals("AF_PACKET:000301", o.toString());
        var unspec = assertInstanceOf(SockaddrOther.class, Sockaddr.decode(hex("0000")));
        assertEquals(Family.UNSPEC, unspec.family());
    }

    @Test
    void accessorsReturnCopies() {
        var a = SockaddrInet4.loopback(1);
        a.address()[0] = 9;
        assertEquals(SockaddrInet4.loopback(1), a);
        byte[] in = {'/', 'a'};
        var p = SockaddrUnix.pathname(in);
        in[1] = 'b';
        assertEquals(SockaddrUnix.of("/a"), p);
    }

    @Test
    void hexDumpNamesTheFields() {
        String dump = SockaddrInet4.of("127.0.0.1", 8080).hexDump();
        assertTrue(dump.startsWith("struct sockaddr_in, 16 bytes"), dump);
        assertTrue(dump.contains("1f 90"), dump);
        assertTrue(dump.contains("sin_port") && dump.contains("8080 (network byte order)"), dump);
        assertTrue(dump.contains("7f 00 00 01") && dump.contains("127.0.0.1"), dump);
        String abs = SockaddrUnix.abstractName("demo").hexDump();
        assertTrue(abs.contains("7 of its 110 bytes") && abs.contains("abstract namespace")
                && abs.contains("64 65 6d 6f"), abs);
        String v6 = new SockaddrInet6(new byte[16], 1, 0xabcde, 2).hexDump();
        assertTrue(v6.contains("00 0a bc de") && v6.contains("sin6_scope_id") && v6.contains("02 00 00 00"), v6);
        assertTrue(new SockaddrNetlink(5, 1).hexDump().contains("nl_groups"));
        assertTrue(SockaddrUnix.unnamed().hexDump().contains("unnamed"));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
        var t = assertThrows(InvalidSockaddrException.class, e);
        for (String p : parts) {
            assertTrue(t.getMessage().contains(p), "\"" + p + "\" not in: " + t.getMessage());
        }
    }
}
