package io.github.panamasockets.netlink;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One attribute ({@code struct nlattr}): its type, its flag bits and its value; see netlink(7).
 * {@link AttributeDecoder#attribute()} makes them and {@link AttributeEncoder#attribute} writes
 * them back unchanged. The value is copied in and out: the record is immutable.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * var a = new NetlinkAttribute(3, 0, "lo\0".getBytes());   // IFLA_IFNAME
 * NetlinkAttribute.parseAll(NetlinkAttribute.encodeAll(java.util.List.of(a)))   // ==> [NetlinkAttribute[type=3, flags=0, value=6c6f00]]
 * }
 *
 * @param type the type, 0 to 16383, without flags
 * @param flags {@code NLA_F_NESTED} (0x8000), {@code NLA_F_NET_BYTEORDER} (0x4000), both, or 0
 * @param value the value, without padding, at most 65531 bytes
 */
public record NetlinkAttribute(int type, int flags, byte[] value) {

    /**
     * Checks the fields against {@code struct nlattr} and copies the value; see netlink(7).
     *
     * {@snippet :
     * new NetlinkAttribute(4, 0, new byte[] {(byte) 0xdc, 5, 0, 0})   // IFLA_MTU 1500
     * }
     *
     * @throws IllegalArgumentException if the type is outside 0 to 16383, the flags are not the two
     *         attribute flags, or the value is longer than 65531 bytes
     * @throws NullPointerException if {@code value} is null
     */
    public NetlinkAttribute {
        if (type < 0 || type > Wire.NLA_TYPE_MASK) {
            throw new IllegalArgumentException("attribute type " + type + " is out of range 0 to " + Wire.NLA_TYPE_MASK);
        }
        if ((flags & ~(Wire.NLA_F_NESTED | Wire.NLA_F_NET_BYTEORDER)) != 0) {
            throw new IllegalArgumentException("attribute flags 0x" + Integer.toHexString(flags)
                    + " are not NLA_F_NESTED (0x8000) or NLA_F_NET_BYTEORDER (0x4000)");
        }
        value = Objects.requireNonNull(value, "value").clone();
        if (value.length > 0xFFFF - Wire.NLA_HDRLEN) {
            throw new IllegalArgumentException("attribute type " + type + ": value of " + value.length
                    + " bytes is too long; nla_len holds at most 65535 with the header");
        }
    }

    /**
     * {@return a copy of the value}; see netlink(7)
     *
     * {@snippet :
     * new NetlinkAttribute(1, 0, new byte[] {7}).value()[0]   // ==> 7
     * }
     */
    @Override
    public byte[] value() {
        return value.clone();
    }

    byte[] raw() {
        return value;
    }

    /**
     * {@return a decoder for the attributes nested in the value}; see netlink(7)
     *
     * {@snippet :
     * var outer = NetlinkAttribute.parseAll(new AttributeEncoder().nested(18, n -> n.string(1, "veth")).encode()).get(0);
     * outer.nested().next();   // ==> true
     * }
     */
    public AttributeDecoder nested() {
        return new AttributeDecoder(value, 0, value.length);
    }

    /**
     * Parses a sequence of attributes into records; see {@link AttributeDecoder#next()} for the
     * checks, and netlink(7).
     *
     * {@snippet :
     * NetlinkAttribute.parseAll(new AttributeEncoder().u8(1, 7).u32(2, 9).encode()).size()   // ==> 2
     * }
     *
     * @param attributes the bytes, as in a message after its family header
     * @return the attributes, in order
     * @throws NetlinkMalformedException if an attribute's length is under 4 or over what remains
     * @throws NullPointerException if {@code attributes} is null
     */
    public static List<NetlinkAttribute> parseAll(byte[] attributes) throws NetlinkMalformedException {
        return new AttributeDecoder(attributes, 0, attributes.length).all();
    }

    /**
     * {@return the attributes as bytes}, each padded to a multiple of 4; see netlink(7)
     *
     * {@snippet :
     * NetlinkAttribute.encodeAll(java.util.List.of(new NetlinkAttribute(1, 0, new byte[1]))).length   // ==> 8
     * }
     *
     * @param attributes the attributes, in order
     * @throws NullPointerException if the list or an element is null
     */
    public static byte[] encodeAll(List<NetlinkAttribute> attributes) {
        AttributeEncoder e = new AttributeEncoder();
        for (NetlinkAttribute a : attributes) {
            e.attribute(a);
        }
        return e.encode();
    }

    /**
     * {@return whether {@code o} is an attribute with the same type, flags and value bytes}; see
     * netlink(7)
     *
     * {@snippet :
     * new NetlinkAttribute(1, 0, new byte[] {7}).equals(new NetlinkAttribute(1, 0, new byte[] {7}))   // ==> true
     * }
     *
     * @param o the object to compare with
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkAttribute a && a.type == type && a.flags == flags && Arrays.equals(a.value, value);
    }

    /**
     * {@return a hash of the type, flags and value bytes}; see netlink(7)
     *
     * {@snippet :
     * new NetlinkAttribute(1, 0, new byte[] {7}).hashCode() == new NetlinkAttribute(1, 0, new byte[] {7}).hashCode()   // ==> true
     * }
     */
    @Override
    public int hashCode() {
        return (type * 31 + flags) * 31 + Arrays.hashCode(value);
    }

    /**
     * {@return the type, flags and the value in hex}, the value cut after 64 bytes; see netlink(7)
     *
     * {@snippet :
     * new NetlinkAttribute(1, 0, new byte[] {7}).toString()   // ==> "NetlinkAttribute[type=1, flags=0, value=07]"
     * }
     */
    @Override
    public String toString() {
        return "NetlinkAttribute[type=" + type + ", flags=" + flags + ", value=" + Wire.hex(value, 64) + "]";
    }
}
