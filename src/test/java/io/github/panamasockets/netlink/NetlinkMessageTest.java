package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.nlmsghdr;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message framing with no kernel involved: building, parsing, alignment and every bad length. */
class NetlinkMessageTest {

    @Test
    void headerIsTheSizeOfStructNlmsghdr() {
        assertEquals(nlmsghdr.sizeof(), NetlinkHeader.SIZE);
        assertEquals(16, NetlinkHeader.SIZE);
    }

    @Test
    void flagsPrintTheirCNames() {
        assertEquals("NLM_F_REQUEST|NLM_F_DUMP", NetlinkFlags.toString(LibC.NLM_F_REQUEST() | LibC.NLM_F_DUMP()));
        assertEquals("NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE",
                NetlinkFlags.toString(NetlinkFlags.REQUEST | NetlinkFlags.ACK | NetlinkFlags.CREATE | NetlinkFlags.EXCL));
        assertEquals("NLM_F_MULTI|NLM_F_DUMP_INTR", NetlinkFlags.toString(NetlinkFlags.MULTI | NetlinkFlags.DUMP_INTR));
        assertEquals("NLM_F_REQUEST|NLM_F_ROOT", NetlinkFlags.toString(NetlinkFlags.REQUEST | NetlinkFlags.ROOT));
        assertEquals("0", NetlinkFlags.toString(0));
        assertEquals("NLM_F_REQUEST|0x8000", NetlinkFlags.toString(0x8001));
        assertEquals("NLM_F_CAPPED|NLM_F_ACK_TLVS",
                NetlinkFlags.toString(NetlinkFlags.CAPPED | NetlinkFlags.ACK_TLVS, LibC.NLMSG_ERROR()));
    }

    @Test
    void headerPrintsTypeAndFlagNames() {
        var h = new NetlinkHeader(20, LibC.NLMSG_DONE(), NetlinkFlags.MULTI, 5, 0);
        assertEquals("NetlinkHeader[length=20, type=NLMSG_DONE, flags=NLM_F_MULTI, sequence=5, pid=0]", h.toString());
        var r = NetlinkMessage.request(LibC.RTM_GETLINK(), NetlinkFlags.DUMP, new byte[16]);
        assertEquals("NetlinkHeader[length=32, type=18, flags=NLM_F_REQUEST|NLM_F_DUMP, sequence=0, pid=0]",
                r.header().toString());
        assertEquals("NetlinkHeader[length=4294967295, type=65535, flags=NLM_F_REQUEST|NLM_F_MULTI|NLM_F_ACK|NLM_F_ECHO"
                + "|NLM_F_DUMP_INTR|NLM_F_DUMP_FILTERED|NLM_F_REPLACE|NLM_F_EXCL|NLM_F_CREATE|NLM_F_APPEND|0xf0c0, "
                + "sequence=4294967295, pid=4294967295]", new NetlinkHeader(-1, 0xFFFF, 0xFFFF, -1, -1).toString());
    }

    @Test
    void headerFieldsOutOfRangeAreRejectedWithTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> new NetlinkHeader(0, 70000, 0, 0, 0));
        assertEquals("nlmsg_type 70000 is out of range: it holds 0 to 65535", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NetlinkHeader(0, 0, -1, 0, 0));
        assertEquals("nlmsg_flags -1 is out of range: it holds 0 to 65535", e.getMessage());
    }

    @Test
    void lengthIsComputedOrChecked() {
        assertEquals(19, NetlinkMessage.of(3, 0, new byte[3]).header().length());
        var e = assertThrows(IllegalArgumentException.class,
                () -> new NetlinkMessage(new NetlinkHeader(40, 3, 0, 0, 0), new byte[4]));
        assertEquals("nlmsg_len 40 does not match the 16-byte header plus the 4-byte payload (20)", e.getMessage());
    }

    @Test
    void encodeWritesTheHeaderInHostOrderAndPadsToFour() {
        var m = new NetlinkMessage(new NetlinkHeader(0, 0x1234, 0x0301, 0x01020304, 0x0A0B0C0D), new byte[] {9, 8, 7});
        byte[] b = m.encode();
        assertEquals(20, b.length, "16 + 3, padded to 20");
        assertEquals(19, Wire.u32(b, (int) nlmsghdr.nlmsg_len$offset()));
        assertEquals(0x1234, Wire.u16(b, (int) nlmsghdr.nlmsg_type$offset()));
        assertEquals(0x0301, Wire.u16(b, (int) nlmsghdr.nlmsg_flags$offset()));
        assertEquals(0x01020304, Wire.u32(b, (int) nlmsghdr.nlmsg_seq$offset()));
        assertEquals(0x0A0B0C0D, Wire.u32(b, (int) nlmsghdr.nlmsg_pid$offset()));
        assertArrayEquals(new byte[] {9, 8, 7, 0}, java.util.Arrays.copyOfRange(b, 16, 20));
    }

    @Test
    void severalMessagesRoundTripThroughOneDatagram() throws Exception {
        List<NetlinkMessage> ms = List.of(
                NetlinkMessage.of(16, NetlinkFlags.MULTI, new byte[] {1}),
                NetlinkMessage.of(16, NetlinkFlags.MULTI, new byte[] {1, 2, 3, 4, 5, 6}),
                NetlinkMessage.of(LibC.NLMSG_DONE(), NetlinkFlags.MULTI, new byte[4]));
        byte[] d = NetlinkMessage.encodeAll(ms);
        assertEquals(20 + 24 + 20, d.length);
        assertEquals(ms, NetlinkMessage.parseAll(d));
    }

    @Test
    void missingPaddingAfterTheLastMessageIsAccepted() throws Exception {
        byte[] d = NetlinkMessage.of(16, 0, new byte[1]).encode();
        byte[] cut = java.util.Arrays.copyOf(d, 17);
        assertEquals(1, NetlinkMessage.parseAll(cut).size());
    }

    @Test
    void everyLengthFrom0To20IsCheckedBeforeReading() {
        // A 20-byte datagram holding one message whose nlmsg_len says 0..20.
        for (int len = 0; len <= 20; len++) {
            byte[] d = NetlinkMessage.of(3, 0, new byte[4]).encode();
            Wire.put32(d, 0, len);
            final int l = len;
            if (len < 16) {
                var e = assertThrows(NetlinkMalformedException.class, () -> NetlinkMessage.parseAll(d));
                assertEquals("netlink message at offset 0: nlmsg_len " + l + " is less than the 16-byte nlmsghdr",
                        e.getMessage());
            } else if (len == 16) {
                // the message ends at 16, where 4 bytes are too few for another header
                var e = assertThrows(NetlinkMalformedException.class, () -> NetlinkMessage.parseAll(d));
                assertEquals("netlink message at offset 16: 4 bytes left in the 20-byte datagram, too few for the 16-byte nlmsghdr",
                        e.getMessage());
            } else {
                try {
                    var ms = NetlinkMessage.parseAll(d);
                    // 17..19: one message, then 3..1 bytes of what is read as its padding
                    assertEquals(len, ms.get(0).header().length());
                    assertEquals(1, ms.size());
                } catch (NetlinkMalformedException e) {
                    throw new AssertionError("nlmsg_len " + l, e);
                }
            }
        }
    }

    @Test
    void lengthBeyondTheDatagramNamesBothLengths() {
        byte[] d = NetlinkMessage.of(3, 0, new byte[4]).encode();
        Wire.put32(d, 0, 400);
        var e = assertThrows(NetlinkMalformedException.class, () -> NetlinkMessage.parseAll(d));
        assertEquals("netlink message at offset 0: nlmsg_len 400 exceeds the 20 bytes left in the 20-byte datagram",
                e.getMessage());
        Wire.put32(d, 0, -1);
        e = assertThrows(NetlinkMalformedException.class, () -> NetlinkMessage.parseAll(d));
        assertTrue(e.getMessage().contains("nlmsg_len 4294967295 exceeds"), e.getMessage());
    }

    @Test
    void aDatagramTooShortForAHeaderIsRejected() {
        for (int n = 1; n < 16; n++) {
            final int len = n;
            var e = assertThrows(NetlinkMalformedException.class, () -> NetlinkMessage.parseAll(new byte[len]));
            assertEquals("netlink message at offset 0: " + len + " bytes left in the " + len
                    + "-byte datagram, too few for the 16-byte nlmsghdr", e.getMessage());
        }
    }

    @Test
    void leftoverAfterTheLastMessageIsReportedAtItsOffset() {
        byte[] one = NetlinkMessage.of(3, 0, new byte[4]).encode();
        byte[] d = java.util.Arrays.copyOf(one, one.length + 8);
        var e = assertThrows(NetlinkMalformedException.class, () -> NetlinkMessage.parseAll(d));
        assertEquals("netlink message at offset 20: 8 bytes left in the 28-byte datagram, too few for the 16-byte nlmsghdr",
                e.getMessage());
    }

    @Test
    void emptyDatagramHoldsNoMessages() throws Exception {
        assertEquals(List.of(), NetlinkMessage.parseAll(new byte[0]));
    }

    @Test
    void payloadIsCopiedInAndOut() {
        byte[] p = {1, 2, 3};
        var m = NetlinkMessage.of(16, 0, p);
        p[0] = 9;
        assertEquals(1, m.payload()[0]);
        m.payload()[1] = 9;
        assertEquals(2, m.payload()[1]);
        assertEquals(m, NetlinkMessage.of(16, 0, new byte[] {1, 2, 3}));
        assertNotEquals(m, NetlinkMessage.of(16, 0, new byte[] {1, 2, 4}));
        assertEquals(m.hashCode(), NetlinkMessage.of(16, 0, new byte[] {1, 2, 3}).hashCode());
    }

    @Test
    void requestAddsTheRequestFlag() {
        assertEquals(NetlinkFlags.REQUEST | NetlinkFlags.DUMP, NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[0]).header().flags());
    }

    @Test
    void familyHeaderShorterThanItsStructIsNamed() {
        var m = NetlinkMessage.of(LibC.RTM_NEWLINK(), 0, new byte[8]);
        var e = assertThrows(NetlinkMalformedException.class, () -> RtnlLink.from(m));
        assertEquals("message of type 16: payload is 8 bytes; the struct ifinfomsg needs 16", e.getMessage());
    }
}
