package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.nlattr;

import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attribute encoding and decoding with no kernel: typed values, nesting, byte order, bad lengths. */
class AttributeCodecTest {

    @Test
    void attributeHeaderIsTheSizeOfStructNlattr() {
        assertEquals(nlattr.sizeof(), Wire.NLA_HDRLEN);
        assertEquals(0x8000, LibC.NLA_F_NESTED());
        assertEquals(0x4000, LibC.NLA_F_NET_BYTEORDER());
    }

    @Test
    void typedValuesRoundTrip() throws Exception {
        byte[] b = new AttributeEncoder()
                .u8(1, 255).u16(2, 65535).u32(3, -2).u64(4, Long.MIN_VALUE + 5)
                .string(5, "eth0").bytes(6, new byte[] {1, 2, 3}).flag(7)
                .encode();
        var d = AttributeDecoder.of(b);
        assertTrue(d.next());
        assertEquals(1, d.type());
        assertEquals(255, d.u8());
        assertTrue(d.next());
        assertEquals(65535, d.u16());
        assertTrue(d.next());
        assertEquals(-2, d.u32());
        assertTrue(d.next());
        assertEquals(Long.MIN_VALUE + 5, d.u64());
        assertTrue(d.next());
        assertEquals("eth0", d.string());
        assertEquals(5, d.length(), "the NUL is counted");
        assertTrue(d.next());
        assertArrayEquals(new byte[] {1, 2, 3}, d.bytes());
        assertTrue(d.next());
        assertEquals(7, d.type());
        assertEquals(0, d.length());
        assertFalse(d.next());
        assertFalse(d.next());
    }

    @Test
    void eachAttributeIsPaddedToFour() {
        assertEquals(8, new AttributeEncoder().u8(1, 1).encode().length);
        assertEquals(8, new AttributeEncoder().u16(1, 1).encode().length);
        assertEquals(8, new AttributeEncoder().u32(1, 1).encode().length);
        assertEquals(12, new AttributeEncoder().u64(1, 1).encode().length);
        assertEquals(12, new AttributeEncoder().string(1, "abcd").encode().length);
        byte[] b = new AttributeEncoder().u8(1, 7).encode();
        assertEquals(5, Wire.u16(b, 0), "nla_len counts the value, not the padding");
    }

    @Test
    void netByteOrderFlagMakesIntegersBigEndian() throws Exception {
        int be = 1 | LibC.NLA_F_NET_BYTEORDER();
        byte[] b = new AttributeEncoder().u16(be, 0x1F90).u32(be, 0x7F000001).u64(be, 0x0102030405060708L).encode();
        assertArrayEquals(new byte[] {0x1F, (byte) 0x90}, java.util.Arrays.copyOfRange(b, 4, 6));
        assertArrayEquals(new byte[] {0x7F, 0, 0, 1}, java.util.Arrays.copyOfRange(b, 12, 16));
        var d = AttributeDecoder.of(b);
        assertTrue(d.next());
        assertTrue(d.isNetByteOrder());
        assertEquals(1, d.type(), "the flag is not part of the type");
        assertEquals(LibC.NLA_F_NET_BYTEORDER(), d.flags());
        assertEquals(0x1F90, d.u16());
        assertTrue(d.next());
        assertEquals(0x7F000001, d.u32());
        assertTrue(d.next());
        assertEquals(0x0102030405060708L, d.u64());
    }

    @Test
    void decoderByteOrderAppliesToUnflaggedAttributes() throws Exception {
        byte[] b = new AttributeEncoder().byteOrder(ByteOrder.BIG_ENDIAN).u16(1, 8080).encode();
        assertArrayEquals(new byte[] {0x1F, (byte) 0x90}, java.util.Arrays.copyOfRange(b, 4, 6));
        var d = AttributeDecoder.of(b).byteOrder(ByteOrder.BIG_ENDIAN);
        d.next();
        assertEquals(8080, d.u16());
        var h = AttributeDecoder.of(b);
        h.next();
        assertEquals(ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? 8080 : 0x901F, h.u16());
    }

    @Test
    void nestedAttributesRoundTrip() throws Exception {
        byte[] b = new AttributeEncoder()
                .string(LibC.IFLA_IFNAME(), "psk0")
                .nested(LibC.IFLA_LINKINFO(), info -> info
                        .string(LibC.IFLA_INFO_KIND(), "veth")
                        .nested(LibC.IFLA_INFO_DATA(), data -> data.u32(1, 42)))
                .u32(LibC.IFLA_MTU(), 1500)
                .encode();
        var d = AttributeDecoder.of(b);
        assertTrue(d.next());
        assertEquals("psk0", d.string());
        assertTrue(d.next());
        assertEquals(LibC.IFLA_LINKINFO(), d.type());
        assertTrue(d.isNested());
        var info = d.nested();
        assertTrue(info.next());
        assertEquals("veth", info.string());
        assertTrue(info.next());
        var data = info.nested();
        assertTrue(data.next());
        assertEquals(42, data.u32());
        assertFalse(data.next());
        assertFalse(info.next());
        assertTrue(d.next());
        assertEquals(1500, d.u32());
        assertFalse(d.next());
    }

    @Test
    void nestLengthCoversItsContents() {
        byte[] b = new AttributeEncoder().nested(2, n -> n.u8(1, 1).u8(2, 2)).encode();
        assertEquals(20, b.length);
        assertEquals(20, Wire.u16(b, 0));
        assertEquals(2 | LibC.NLA_F_NESTED(), Wire.u16(b, 2));
        byte[] unflagged = new AttributeEncoder().nestedUnflagged(2, n -> { }).encode();
        assertEquals(2, Wire.u16(unflagged, 2));
    }

    @Test
    void aFailedNestLeavesNothingBehind() {
        var e = new AttributeEncoder().u8(1, 1);
        assertThrows(IllegalArgumentException.class, () -> e.nested(2, n -> n.u8(3, 256)));
        assertEquals(8, e.size());
    }

    @Test
    void valuesAndTypesOutOfRangeAreRejectedWithTheValue() {
        var e = new AttributeEncoder();
        assertEquals("attribute type 1: u8 value 256 is out of range 0 to 255",
                assertThrows(IllegalArgumentException.class, () -> e.u8(1, 256)).getMessage());
        assertEquals("attribute type 1: u16 value -1 is out of range 0 to 65535",
                assertThrows(IllegalArgumentException.class, () -> e.u16(1, -1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.u32(70000, 1)).getMessage()
                .startsWith("attribute type 70000 is out of range"));
        assertEquals("attribute type 3 would be 65540 bytes; nla_len holds at most 65535",
                assertThrows(IllegalArgumentException.class, () -> e.bytes(3, new byte[65536])).getMessage());
        assertEquals("attribute type 3: string holds a NUL at byte 1; the kernel would end it there",
                assertThrows(IllegalArgumentException.class, () -> e.string(3, "a\0b")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> e.nested(4, n -> n.bytes(1, new byte[40000]).bytes(2, new byte[40000]))).getMessage()
                .startsWith("nested attribute type 4 grew to "));
        assertEquals(0, e.size());
    }

    @Test
    void largestAttributeFits() throws Exception {
        byte[] b = new AttributeEncoder().bytes(1, new byte[65531]).encode();
        var d = AttributeDecoder.of(b);
        assertTrue(d.next());
        assertEquals(65531, d.length());
    }

    @Test
    void typedReadersCheckTheSizeAndNameTypeAndLength() throws Exception {
        byte[] b = new AttributeEncoder().bytes(4, new byte[2]).encode();
        var d = AttributeDecoder.of(b);
        d.next();
        assertEquals("attribute type 4 at offset 0: u32 needs 4 bytes, found 2",
                assertThrows(NetlinkMalformedException.class, d::u32).getMessage());
        assertEquals("attribute type 4 at offset 0: u8 needs 1 byte, found 2",
                assertThrows(NetlinkMalformedException.class, d::u8).getMessage());
        assertEquals("attribute type 4 at offset 0: u64 needs 8 bytes, found 2",
                assertThrows(NetlinkMalformedException.class, d::u64).getMessage());
        assertEquals(0, d.u16());
    }

    @Test
    void everyAttributeLengthFrom0To20IsChecked() {
        // 8 bytes of attribute space; an attribute of type 9 whose nla_len says 0..20.
        for (int len = 0; len <= 20; len++) {
            byte[] b = new byte[8];
            Wire.put16(b, 0, len);
            Wire.put16(b, 2, 9);
            var d = AttributeDecoder.of(b);
            if (len < 4) {
                final int l = len;
                var e = assertThrows(NetlinkMalformedException.class, d::next);
                assertEquals("attribute type 9 at offset 0: nla_len " + l + " is less than the 4-byte nlattr header",
                        e.getMessage());
            } else if (len > 8) {
                final int l = len;
                var e = assertThrows(NetlinkMalformedException.class, d::next);
                assertEquals("attribute type 9 at offset 0: nla_len " + l + " exceeds the 8 bytes left", e.getMessage());
            } else {
                try {
                    assertTrue(d.next());
                    assertEquals(len - 4, d.length());
                    if (len <= 4) {
                        // the rest is a second attribute of all zeros: nla_len 0
                        assertThrows(NetlinkMalformedException.class, d::next);
                    } else {
                        assertFalse(d.next(), "the rest is this attribute's padding");
                    }
                } catch (NetlinkMalformedException e) {
                    throw new AssertionError("nla_len " + len, e);
                }
            }
        }
    }

    @Test
    void leftoverBytesTooShortForAHeaderAreReported() {
        byte[] b = java.util.Arrays.copyOf(new AttributeEncoder().u32(1, 1).encode(), 10);
        var d = AttributeDecoder.of(b);
        var e = assertThrows(NetlinkMalformedException.class, () -> {
            while (d.next()) {
                d.u32();
            }
        });
        assertEquals("attribute at offset 8: 2 bytes left, too few for the 4-byte nlattr header", e.getMessage());
    }

    @Test
    void readingWithoutACurrentAttributeIsAStateError() throws Exception {
        var d = AttributeDecoder.of(new byte[0]);
        assertThrows(IllegalStateException.class, d::type);
        assertFalse(d.next());
        assertThrows(IllegalStateException.class, d::bytes);
    }

    @Test
    void stringStopsAtTheFirstNulAndToleratesNone() throws Exception {
        var d = AttributeDecoder.of(new AttributeEncoder().bytes(1, "ab\0cd".getBytes()).bytes(2, "xyz".getBytes()).encode());
        d.next();
        assertEquals("ab", d.string());
        d.next();
        assertEquals("xyz", d.string());
    }

    @Test
    void recordsRoundTripWithFlags() throws Exception {
        List<NetlinkAttribute> as = List.of(
                new NetlinkAttribute(1, 0, new byte[] {1}),
                new NetlinkAttribute(2, LibC.NLA_F_NESTED(), new AttributeEncoder().u8(1, 2).encode()),
                new NetlinkAttribute(3, LibC.NLA_F_NET_BYTEORDER(), new byte[] {0, 80}),
                new NetlinkAttribute(0x3FFF, 0, new byte[0]));
        assertEquals(as, NetlinkAttribute.parseAll(NetlinkAttribute.encodeAll(as)));
        assertThrows(IllegalArgumentException.class, () -> new NetlinkAttribute(0x4000, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new NetlinkAttribute(1, 1, new byte[0]));
    }
}
