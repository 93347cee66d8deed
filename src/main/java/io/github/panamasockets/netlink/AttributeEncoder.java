package io.github.panamasockets.netlink;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds a sequence of attributes ({@code struct nlattr}, {@code struct rtattr} in rtnetlink), the
 * counterpart of {@link AttributeDecoder}; see netlink(7) and rtnetlink(7).
 *
 * <p>Each attribute is the 4-byte header ({@code nla_len}, {@code nla_type}), the value, and zero
 * padding to a multiple of 4 bytes ({@code NLA_ALIGN}). A type is 0 to 16383 and may carry the
 * {@code NLA_F_NESTED} (0x8000) and {@code NLA_F_NET_BYTEORDER} (0x4000) flags; the latter makes
 * that attribute's integers big-endian. Other integers are written in the encoder's
 * {@linkplain #byteOrder(ByteOrder) byte order}, host order by default. Values are checked against
 * their size ({@code u8} holds 0 to 255) and lengths against {@code nla_len}'s 65535 bytes before
 * anything is written. An encoder is not thread-safe.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * byte[] attrs = new AttributeEncoder()
 *         .string(3, "psk0")                                  // IFLA_IFNAME
 *         .nested(18, info -> info.string(1, "veth"))         // IFLA_LINKINFO { IFLA_INFO_KIND }
 *         .encode();
 * attrs.length   // ==> 28
 * }
 */
public final class AttributeEncoder {
    private static final int MAX_LEN = 0xFFFF;
    private byte[] buf = new byte[64];
    private int size;
    private ByteOrder order = Wire.NATIVE;

    /**
     * Creates an empty encoder, writing integers in host byte order; see netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().encode().length   // ==> 0
     * }
     */
    public AttributeEncoder() {}

    /**
     * Sets the byte order of the integers written after this call, for attributes without
     * {@code NLA_F_NET_BYTEORDER}; see netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().byteOrder(java.nio.ByteOrder.BIG_ENDIAN).u16(1, 8080).encode()   // 1f 90
     * }
     *
     * @param order the byte order
     * @return this encoder
     * @throws NullPointerException if {@code order} is null
     */
    public AttributeEncoder byteOrder(ByteOrder order) {
        this.order = Objects.requireNonNull(order, "order");
        return this;
    }

    private static void checkType(int type) {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("attribute type " + type
                    + " is out of range: nla_type holds 0 to 16383 and the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags");
        }
    }

    private void ensure(int more) {
        long need = (long) size + more;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("attributes would take " + need + " bytes, more than an array holds");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 8L, buf.length * 2L)));
        }
    }

    /** Starts an attribute with room for its value; returns the value's offset. */
    private int begin(int type, int valueLength) {
        checkType(type);
        long len = (long) Wire.NLA_HDRLEN + valueLength;
        if (len > MAX_LEN) {
            throw new IllegalArgumentException("attribute type " + (type & Wire.NLA_TYPE_MASK) + " would be " + len
                    + " bytes; nla_len holds at most " + MAX_LEN);
        }
        int padded = Wire.nlaAlign((int) len);
        ensure(padded);
        int at = size;
        Wire.put16(buf, at + Wire.NLA_LEN, (int) len);
        Wire.put16(buf, at + Wire.NLA_TYPE, type);
        Arrays.fill(buf, at + Wire.NLA_HDRLEN, at + padded, (byte) 0);
        size += padded;
        return at + Wire.NLA_HDRLEN;
    }

    private ByteOrder orderFor(int type) {
        return (type & Wire.NLA_F_NET_BYTEORDER) != 0 ? ByteOrder.BIG_ENDIAN : order;
    }

    /**
     * Adds an 8-bit attribute; see netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().u8(16, 6).encode().length   // ==> 8: IFLA_OPERSTATE, padded
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @param value 0 to 255
     * @return this encoder
     * @throws IllegalArgumentException if the type or value is out of range
     */
    public AttributeEncoder u8(int type, int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("attribute type " + (type & Wire.NLA_TYPE_MASK) + ": u8 value " + value
                    + " is out of range 0 to 255");
        }
        buf[begin(type, 1)] = (byte) value;
        return this;
    }

    /**
     * Adds a 16-bit attribute, big-endian if the type carries {@code NLA_F_NET_BYTEORDER}; see
     * netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().u16(1, 443).encode().length   // ==> 8
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @param value 0 to 65535
     * @return this encoder
     * @throws IllegalArgumentException if the type or value is out of range
     */
    public AttributeEncoder u16(int type, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("attribute type " + (type & Wire.NLA_TYPE_MASK) + ": u16 value " + value
                    + " is out of range 0 to 65535");
        }
        Wire.put16(buf, begin(type, 2), value, orderFor(type));
        return this;
    }

    /**
     * Adds a 32-bit attribute, big-endian if the type carries {@code NLA_F_NET_BYTEORDER}; the
     * value's bits are written as they are, so unsigned values above 2^31 pass as negative ints.
     * See netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().u32(4, 1500).encode().length   // ==> 8: IFLA_MTU
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @param value the value
     * @return this encoder
     * @throws IllegalArgumentException if the type is out of range
     */
    public AttributeEncoder u32(int type, int value) {
        Wire.put32(buf, begin(type, 4), value, orderFor(type));
        return this;
    }

    /**
     * Adds a 64-bit attribute, big-endian if the type carries {@code NLA_F_NET_BYTEORDER}; see
     * netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().u64(1, 1L << 40).encode().length   // ==> 12
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @param value the value, read as unsigned by the kernel
     * @return this encoder
     * @throws IllegalArgumentException if the type is out of range
     */
    public AttributeEncoder u64(int type, long value) {
        Wire.put64(buf, begin(type, 8), value, orderFor(type));
        return this;
    }

    /**
     * Adds a string attribute: its UTF-8 bytes and a terminating NUL; see netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().string(3, "lo").encode().length   // ==> 8: 4 + "lo" + NUL, padded
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @param value the string, without NUL
     * @return this encoder
     * @throws IllegalArgumentException if the type is out of range, the string holds a NUL, or it
     *         is too long for {@code nla_len}
     * @throws NullPointerException if {@code value} is null
     */
    public AttributeEncoder string(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                throw new IllegalArgumentException("attribute type " + (type & Wire.NLA_TYPE_MASK)
                        + ": string holds a NUL at byte " + i + "; the kernel would end it there");
            }
        }
        int at = begin(type, b.length + 1);
        System.arraycopy(b, 0, buf, at, b.length);
        return this;
    }

    /**
     * Adds an attribute holding these bytes, such as an address; see netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().bytes(1, new byte[] {127, 0, 0, 1}).encode().length   // ==> 8: IFA_ADDRESS
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @param value the value; copied
     * @return this encoder
     * @throws IllegalArgumentException if the type is out of range or the value too long for
     *         {@code nla_len}
     * @throws NullPointerException if {@code value} is null
     */
    public AttributeEncoder bytes(int type, byte[] value) {
        int at = begin(type, value.length);
        System.arraycopy(value, 0, buf, at, value.length);
        return this;
    }

    /**
     * Adds an attribute with no value, a flag that is set by being present; see netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().flag(5).encode().length   // ==> 4
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @return this encoder
     * @throws IllegalArgumentException if the type is out of range
     */
    public AttributeEncoder flag(int type) {
        begin(type, 0);
        return this;
    }

    /**
     * Adds an attribute as a record: its type with its flags, and its value; see netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().attribute(new NetlinkAttribute(1, 0, new byte[] {7})).encode().length   // ==> 8
     * }
     *
     * @param attribute the attribute
     * @return this encoder
     * @throws IllegalArgumentException if the value is too long for {@code nla_len}
     * @throws NullPointerException if {@code attribute} is null
     */
    public AttributeEncoder attribute(NetlinkAttribute attribute) {
        return bytes(attribute.type() | attribute.flags(), attribute.raw());
    }

    /**
     * Adds a nested attribute, marked {@code NLA_F_NESTED}, whose value is the attributes
     * {@code body} adds to this encoder; the length is filled in after the body returns. See
     * netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder()
     *         .nested(18, info -> info.string(1, "veth"))   // IFLA_LINKINFO { IFLA_INFO_KIND "veth" }
     *         .encode().length                             // ==> 16
     * }
     *
     * @param type the attribute type, 0 to 65535; {@code NLA_F_NESTED} is added
     * @param body adds the inner attributes, to the encoder it is given
     * @return this encoder
     * @throws IllegalArgumentException if the type is out of range, or the nest grows past
     *         {@code nla_len}'s 65535 bytes
     * @throws NullPointerException if {@code body} is null
     */
    public AttributeEncoder nested(int type, Consumer<AttributeEncoder> body) {
        return nest(type | Wire.NLA_F_NESTED, body);
    }

    /**
     * Adds a nested attribute without the {@code NLA_F_NESTED} flag, as older rtnetlink code and
     * some kernel parsers expect; otherwise as {@link #nested(int, Consumer)}. See rtnetlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().nestedUnflagged(18, info -> info.string(1, "veth")).encode().length   // ==> 16
     * }
     *
     * @param type the attribute type, 0 to 65535 with flags
     * @param body adds the inner attributes, to the encoder it is given
     * @return this encoder
     * @throws IllegalArgumentException if the type is out of range, or the nest grows past
     *         {@code nla_len}'s 65535 bytes
     * @throws NullPointerException if {@code body} is null
     */
    public AttributeEncoder nestedUnflagged(int type, Consumer<AttributeEncoder> body) {
        return nest(type, body);
    }

    private AttributeEncoder nest(int type, Consumer<AttributeEncoder> body) {
        Objects.requireNonNull(body, "body");
        int at = begin(type, 0) - Wire.NLA_HDRLEN;
        ByteOrder saved = order;
        try {
            body.accept(this);
        } catch (RuntimeException | Error e) {
            size = at;
            throw e;
        } finally {
            order = saved;
        }
        int len = size - at;
        if (len > MAX_LEN) {
            size = at;
            throw new IllegalArgumentException("nested attribute type " + (type & Wire.NLA_TYPE_MASK) + " grew to " + len
                    + " bytes; nla_len holds at most " + MAX_LEN);
        }
        Wire.put16(buf, at + Wire.NLA_LEN, len);
        return this;
    }

    /**
     * {@return how many bytes the attributes take so far}, padding included; see netlink(7)
     *
     * {@snippet :
     * new AttributeEncoder().u8(1, 1).size()   // ==> 8
     * }
     */
    public int size() {
        return size;
    }

    /**
     * {@return the attributes as bytes}, each padded to a multiple of 4; the encoder can go on
     * adding after this. See netlink(7).
     *
     * {@snippet :
     * new AttributeEncoder().u32(4, 1500).encode()   // 08 00 04 00 dc 05 00 00 on x86
     * }
     */
    public byte[] encode() {
        return Arrays.copyOf(buf, size);
    }
}
