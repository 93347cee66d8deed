package io.github.panamasockets.netlink;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Walks the attributes ({@code struct nlattr}, or {@code struct rtattr} in rtnetlink) of a message
 * payload one at a time, checking each length before reading; see netlink(7) and rtnetlink(7).
 *
 * <p>{@link #next()} moves to the next attribute: each needs the 4-byte header and an
 * {@code nla_len} from 4 to what remains, and the next one starts at the aligned length
 * ({@code NLA_ALIGN}). The typed readers then check the value's size: {@link #u8()} needs exactly
 * 1 byte, {@link #u16()} 2, {@link #u32()} 4, {@link #u64()} 8. Every error names the attribute type,
 * its offset, and the lengths found and needed.
 *
 * <p>Integers are read in the decoder's {@linkplain #byteOrder(ByteOrder) byte order}, host order
 * unless the protocol says otherwise, and always big-endian when the attribute carries
 * {@code NLA_F_NET_BYTEORDER}. A decoder is not thread-safe; it never writes to the bytes.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * byte[] attrs = new AttributeEncoder().string(3, "lo").u32(4, 65536).encode();
 * var d = AttributeDecoder.of(attrs);
 * while (d.next()) {
 *     switch (d.type()) {
 *         case 3 -> System.out.println("name " + d.string());   // IFLA_IFNAME
 *         case 4 -> System.out.println("mtu " + d.u32());       // IFLA_MTU
 *         default -> { }
 *     }
 * }
 * }
 */
public final class AttributeDecoder {
    private final byte[] data;
    private final int start;
    private final int end;
    private ByteOrder order = Wire.NATIVE;
    /** Where the next attribute starts. */
    private int next;
    /** The current attribute's raw nla_type, or -1 before the first and after the last. */
    private int rawType = -1;
    private int valueOffset;
    private int valueLength;
    private int attributeOffset;

    AttributeDecoder(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        this.data = data;
        this.start = offset;
        this.end = offset + length;
        this.next = offset;
    }

    /**
     * {@return a decoder over a copy of these attribute bytes}; see netlink(7)
     *
     * {@snippet :
     * AttributeDecoder.of(new byte[] {8, 0, 4, 0, 0, 0, 1, 0}).next()   // ==> true: one attribute of type 4
     * }
     *
     * @param attributes the attributes, as in a message after its family header
     * @throws NullPointerException if {@code attributes} is null
     */
    public static AttributeDecoder of(byte[] attributes) {
        byte[] copy = attributes.clone();
        return new AttributeDecoder(copy, 0, copy.length);
    }

    /**
     * Sets the byte order of the integer readers for attributes without
     * {@code NLA_F_NET_BYTEORDER}; host order by default. See netlink(7).
     *
     * {@snippet :
     * AttributeDecoder.of(new byte[] {6, 0, 1, 0, 0x1f, (byte) 0x90, 0, 0})
     *         .byteOrder(java.nio.ByteOrder.BIG_ENDIAN);   // a protocol that sends ports big-endian
     * }
     *
     * @param order the byte order
     * @return this decoder
     * @throws NullPointerException if {@code order} is null
     */
    public AttributeDecoder byteOrder(ByteOrder order) {
        this.order = Objects.requireNonNull(order, "order");
        return this;
    }

    /**
     * Moves to the next attribute, checking its header and length first: what {@code nla_ok} and
     * {@code nla_next} do in the kernel; see netlink(7).
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().u8(1, 7).encode());
     * d.next();   // ==> true
     * d.u8();     // ==> 7
     * d.next();   // ==> false
     * }
     *
     * @return true if there is one, false at the end
     * @throws NetlinkMalformedException if fewer than 4 bytes remain, or the attribute's
     *         {@code nla_len} is under 4 or over what remains; the message names the attribute type,
     *         its offset and both lengths
     */
    public boolean next() throws NetlinkMalformedException {
        // Small enough for the JIT to inline into a decoder's loop; the errors are made elsewhere.
        rawType = -1;
        int at = next;
        if (at >= end) {
            return false;
        }
        if (end - at < Wire.NLA_HDRLEN) {
            throw malformed(at, -1, -1);
        }
        int header = Wire.u32(data, at);   // nla_len and nla_type in one read
        int len = Wire.nlaLen(header);
        int type = Wire.nlaType(header);
        if (len < Wire.NLA_HDRLEN || len > end - at) {
            throw malformed(at, len, type);
        }
        rawType = type;
        attributeOffset = at - start;
        valueOffset = at + Wire.NLA_HDRLEN;
        valueLength = len - Wire.NLA_HDRLEN;
        next = (int) Math.min(end, (long) at + Wire.nlaAlign(len));
        return true;
    }

    /** The error for the attribute at {@code at}: no room for its header (len -1), or a bad nla_len. */
    private NetlinkMalformedException malformed(int at, int len, int type) {
        int offset = at - start;
        int remaining = end - at;
        next = end;
        if (len < 0) {
            return new NetlinkMalformedException("attribute at offset " + offset + ": " + remaining
                    + " bytes left, too few for the " + Wire.NLA_HDRLEN + "-byte nlattr header");
        }
        if (len < Wire.NLA_HDRLEN) {
            return new NetlinkMalformedException("attribute type " + (type & Wire.NLA_TYPE_MASK) + " at offset " + offset
                    + ": nla_len " + len + " is less than the " + Wire.NLA_HDRLEN + "-byte nlattr header");
        }
        return new NetlinkMalformedException("attribute type " + (type & Wire.NLA_TYPE_MASK) + " at offset " + offset
                + ": nla_len " + len + " exceeds the " + remaining + " bytes left");
    }

    private void requireCurrent() {
        if (rawType < 0) {
            throw new IllegalStateException("no current attribute: call next() first, and only while it returns true");
        }
    }

    /**
     * {@return the current attribute's type}, without the {@code NLA_F_NESTED} and
     * {@code NLA_F_NET_BYTEORDER} flags: 0 to 16383; see {@code nla_type} in netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().flag(5).encode());
     * d.next();
     * d.type();   // ==> 5
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public int type() {
        requireCurrent();
        return rawType & Wire.NLA_TYPE_MASK;
    }

    /**
     * {@return the current attribute's flag bits}: {@code NLA_F_NESTED} and
     * {@code NLA_F_NET_BYTEORDER}, as in {@code nla_type}; see netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().nested(1, n -> n.u8(2, 0)).encode());
     * d.next();
     * d.flags();   // ==> 32768, NLA_F_NESTED
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public int flags() {
        requireCurrent();
        return rawType & ~Wire.NLA_TYPE_MASK;
    }

    /**
     * {@return whether the current attribute carries {@code NLA_F_NESTED}}; rtnetlink often nests
     * without it, so a protocol's own knowledge of the type decides what to call {@link #nested()}
     * on. See netlink(7).
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().nested(1, n -> { }).encode());
     * d.next();
     * d.isNested();   // ==> true
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public boolean isNested() {
        return (flags() & Wire.NLA_F_NESTED) != 0;
    }

    /**
     * {@return whether the current attribute carries {@code NLA_F_NET_BYTEORDER}}: its integers are
     * big-endian; see netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().u16(1 | 0x4000, 8080).encode());
     * d.next();
     * d.isNetByteOrder();   // ==> true
     * d.u16();              // ==> 8080
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public boolean isNetByteOrder() {
        return (flags() & Wire.NLA_F_NET_BYTEORDER) != 0;
    }

    /**
     * {@return the length of the current attribute's value}: {@code nla_len} less the 4-byte header,
     * without padding; see netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().string(3, "lo").encode());
     * d.next();
     * d.length();   // ==> 3: "lo" and its NUL
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public int length() {
        requireCurrent();
        return valueLength;
    }

    private void requireLength(int size, String kind) throws NetlinkMalformedException {
        requireCurrent();
        if (valueLength != size) {
            throw new NetlinkMalformedException("attribute type " + type() + " at offset " + attributeOffset + ": "
                    + kind + " needs " + size + (size == 1 ? " byte" : " bytes") + ", found " + valueLength);
        }
    }

    private ByteOrder orderOfCurrent() {
        return (rawType & Wire.NLA_F_NET_BYTEORDER) != 0 ? ByteOrder.BIG_ENDIAN : order;
    }

    /**
     * {@return the current attribute as an unsigned 8-bit value}; see netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().u8(16, 6).encode());   // IFLA_OPERSTATE
     * d.next();
     * d.u8();   // ==> 6
     * }
     *
     * @throws NetlinkMalformedException if the value is not exactly 1 byte
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public int u8() throws NetlinkMalformedException {
        requireLength(1, "u8");
        return Wire.u8(data, valueOffset);
    }

    /**
     * {@return the current attribute as an unsigned 16-bit value}, big-endian if it carries
     * {@code NLA_F_NET_BYTEORDER}, otherwise in the decoder's byte order; see netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().u16(1, 443).encode());
     * d.next();
     * d.u16();   // ==> 443
     * }
     *
     * @throws NetlinkMalformedException if the value is not exactly 2 bytes
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public int u16() throws NetlinkMalformedException {
        requireLength(2, "u16");
        return Wire.u16(data, valueOffset, orderOfCurrent());
    }

    /**
     * {@return the current attribute as a 32-bit value}, to be read as unsigned
     * ({@link Integer#toUnsignedLong}); big-endian if it carries {@code NLA_F_NET_BYTEORDER},
     * otherwise in the decoder's byte order. See netlink(7).
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().u32(4, 1500).encode());   // IFLA_MTU
     * d.next();
     * d.u32();   // ==> 1500
     * }
     *
     * @throws NetlinkMalformedException if the value is not exactly 4 bytes
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public int u32() throws NetlinkMalformedException {
        requireLength(4, "u32");
        return Wire.u32(data, valueOffset, orderOfCurrent());
    }

    /**
     * {@return the current attribute as a 64-bit value}, to be read as unsigned
     * ({@link Long#toUnsignedString(long)}); big-endian if it carries {@code NLA_F_NET_BYTEORDER},
     * otherwise in the decoder's byte order. See netlink(7).
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().u64(1, 1L << 40).encode());
     * d.next();
     * d.u64();   // ==> 1099511627776
     * }
     *
     * @throws NetlinkMalformedException if the value is not exactly 8 bytes
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public long u64() throws NetlinkMalformedException {
        requireLength(8, "u64");
        return Wire.u64(data, valueOffset, orderOfCurrent());
    }

    /**
     * {@return the current attribute as a string}: its bytes up to the first NUL (or all of them if
     * there is none), decoded as UTF-8 with malformed bytes replaced; see netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().string(3, "eth0").encode());   // IFLA_IFNAME
     * d.next();
     * d.string();   // ==> "eth0"
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public String string() {
        requireCurrent();
        int n = 0;
        while (n < valueLength && data[valueOffset + n] != 0) {
            n++;
        }
        return new String(data, valueOffset, n, StandardCharsets.UTF_8);
    }

    /**
     * {@return a copy of the current attribute's value}, such as a MAC or IP address; see
     * netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().bytes(1, new byte[] {127, 0, 0, 1}).encode());
     * d.next();
     * d.bytes().length;   // ==> 4
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public byte[] bytes() {
        requireCurrent();
        return Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
    }

    /**
     * {@return a decoder for the attributes nested in the current attribute's value}, in this
     * decoder's byte order; whether the type is nested is for the protocol to know, as rtnetlink
     * does not always set {@code NLA_F_NESTED}. See netlink(7) and rtnetlink(7).
     *
     * {@snippet :
     * byte[] linkinfo = new AttributeEncoder().nested(18, n -> n.string(1, "veth")).encode();   // IFLA_LINKINFO
     * var d = AttributeDecoder.of(linkinfo);
     * d.next();
     * var inner = d.nested();
     * inner.next();
     * inner.string();   // ==> "veth", IFLA_INFO_KIND
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public AttributeDecoder nested() {
        requireCurrent();
        return new AttributeDecoder(data, valueOffset, valueLength).byteOrder(order);
    }

    /**
     * {@return the current attribute as a record}: type, flags and a copy of the value; see
     * netlink(7)
     *
     * {@snippet :
     * var d = AttributeDecoder.of(new AttributeEncoder().u8(1, 7).encode());
     * d.next();
     * d.attribute()   // ==> NetlinkAttribute[type=1, flags=0, value=07]
     * }
     *
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    public NetlinkAttribute attribute() {
        return new NetlinkAttribute(type(), flags(), bytes());
    }

    /**
     * {@return the remaining attributes as records}, reading to the end; see netlink(7)
     *
     * {@snippet :
     * AttributeDecoder.of(new AttributeEncoder().u8(1, 7).flag(2).encode()).all().size()   // ==> 2
     * }
     *
     * @throws NetlinkMalformedException if an attribute's length is wrong, as {@link #next()} checks
     */
    public List<NetlinkAttribute> all() throws NetlinkMalformedException {
        List<NetlinkAttribute> out = new ArrayList<>();
        while (next()) {
            out.add(attribute());
        }
        return out;
    }
}
