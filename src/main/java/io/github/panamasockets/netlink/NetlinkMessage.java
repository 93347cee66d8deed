package io.github.panamasockets.netlink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A netlink message: a {@link NetlinkHeader} and the payload after it; see netlink(7).
 *
 * <p>On the wire a message is the 16-byte {@code struct nlmsghdr}, the payload, and padding up to a
 * multiple of 4 bytes ({@code NLMSG_ALIGN}); one datagram may hold several. {@link #parseAll}
 * checks every length before it reads: each message needs 16 bytes, and a length that is at least
 * 16 and fits in what remains. {@link #encode} writes the form {@link #parseAll} reads, so decoding,
 * encoding and decoding again gives equal messages.
 *
 * <p>The payload array is copied in and out: a message is immutable.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * var m = NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[16]);   // RTM_GETLINK, ifinfomsg
 * m.header()          // ==> NetlinkHeader[length=32, type=18, flags=NLM_F_REQUEST|NLM_F_DUMP, sequence=0, pid=0]
 * m.encode().length   // ==> 32
 * NetlinkMessage.parseAll(m.encode()).equals(java.util.List.of(m))   // ==> true
 * }
 *
 * @param header the header; a {@code length} of 0 is replaced by the computed length
 * @param payload the bytes after the header, without padding
 */
public record NetlinkMessage(NetlinkHeader header, byte[] payload) {

    /**
     * Copies the payload and fills in or checks the header's length ({@code NLMSG_LENGTH}); see
     * netlink(7).
     *
     * {@snippet :
     * new NetlinkMessage(new NetlinkHeader(0, 3, 0, 1, 0), new byte[4]).header().length()   // ==> 20
     * }
     *
     * @throws IllegalArgumentException if the header's length is neither 0 nor 16 plus the payload's
     * @throws NullPointerException if an argument is null
     */
    public NetlinkMessage {
        Objects.requireNonNull(header, "header");
        payload = Objects.requireNonNull(payload, "payload").clone();
        long length = (long) NetlinkHeader.SIZE + payload.length;
        if (header.length() == 0) {
            header = header.withLength((int) length);
        } else if (Integer.toUnsignedLong(header.length()) != length) {
            throw new IllegalArgumentException("nlmsg_len " + Integer.toUnsignedString(header.length())
                    + " does not match the " + NetlinkHeader.SIZE + "-byte header plus the " + payload.length
                    + "-byte payload (" + length + ")");
        }
    }

    /**
     * {@return a message with this type, flags and payload}; sequence number and port id 0. See
     * netlink(7).
     *
     * {@snippet :
     * NetlinkMessage.of(3, NetlinkFlags.MULTI, new byte[4])   // an NLMSG_DONE
     * }
     *
     * @param type {@code nlmsg_type}, 0 to 65535
     * @param flags {@code nlmsg_flags}, 0 to 65535
     * @param payload the bytes after the header; copied
     * @throws IllegalArgumentException if type or flags is out of range
     * @throws NullPointerException if {@code payload} is null
     */
    public static NetlinkMessage of(int type, int flags, byte[] payload) {
        return new NetlinkMessage(new NetlinkHeader(0, type, flags, 0, 0), payload);
    }

    /**
     * {@return a request}: a message with {@code NLM_F_REQUEST} added to {@code flags}, for
     * {@link NetlinkSocket#execute} to number and send; see netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[16]).header().flags()   // ==> 769 (0x301)
     * }
     *
     * @param type {@code nlmsg_type}, such as {@code RTM_GETLINK}, 0 to 65535
     * @param flags further {@code nlmsg_flags}, such as {@link NetlinkFlags#DUMP}, 0 to 65535
     * @param payload the family header and attributes; copied
     * @throws IllegalArgumentException if type or flags is out of range
     * @throws NullPointerException if {@code payload} is null
     */
    public static NetlinkMessage request(int type, int flags, byte[] payload) {
        return of(type, flags | NetlinkFlags.REQUEST, payload);
    }

    /**
     * {@return a copy of the payload}: what follows {@code struct nlmsghdr} ({@code NLMSG_DATA}); see
     * netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.of(3, 0, new byte[] {0, 0, 0, 0}).payload().length   // ==> 4
     * }
     */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload itself, for the decoders in this package, which never write to it. */
    byte[] raw() {
        return payload;
    }

    /**
     * {@return the message type}, {@code header().type()}; see {@code nlmsg_type} in netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.of(3, 0, new byte[4]).type()   // ==> 3
     * }
     */
    public int type() {
        return header.type();
    }

    /**
     * {@return the message as it goes on the wire}: the header, the payload, and zero padding to
     * a multiple of 4 bytes ({@code NLMSG_ALIGN}); see netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.of(3, 0, new byte[1]).encode().length   // ==> 20: 16 + 1, padded
     * }
     */
    public byte[] encode() {
        byte[] out = new byte[Wire.nlmsgAlign(NetlinkHeader.SIZE + payload.length)];
        writeTo(out, 0);
        return out;
    }

    private int writeTo(byte[] out, int off) {
        Wire.put32(out, off + Wire.NLMSG_LEN, header.length());
        Wire.put16(out, off + Wire.NLMSG_TYPE, header.type());
        Wire.put16(out, off + Wire.NLMSG_FLAGS, header.flags());
        Wire.put32(out, off + Wire.NLMSG_SEQ, header.sequence());
        Wire.put32(out, off + Wire.NLMSG_PID, header.pid());
        System.arraycopy(payload, 0, out, off + NetlinkHeader.SIZE, payload.length);
        return off + Wire.nlmsgAlign(NetlinkHeader.SIZE + payload.length);
    }

    /**
     * {@return several messages as one datagram}, each padded to a multiple of 4 bytes; see
     * netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.encodeAll(java.util.List.of(NetlinkMessage.of(3, 0, new byte[4]))).length   // ==> 20
     * }
     *
     * @param messages the messages, in order
     * @throws NullPointerException if the list or an element is null
     * @throws IllegalArgumentException if they add up to more than 2 GiB
     */
    public static byte[] encodeAll(List<NetlinkMessage> messages) {
        long total = 0;
        for (NetlinkMessage m : messages) {
            total += Wire.nlmsgAlign(NetlinkHeader.SIZE + m.payload.length);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(messages.size() + " messages of " + total + " bytes are too long for one array");
        }
        byte[] out = new byte[(int) total];
        int off = 0;
        for (NetlinkMessage m : messages) {
            off = m.writeTo(out, off);
        }
        return out;
    }

    /**
     * Parses every message in a datagram; see {@link #parseAll(byte[], int, int)} and netlink(7).
     *
     * {@snippet :
     * NetlinkMessage.parseAll(NetlinkMessage.of(3, 2, new byte[4]).encode())
     * // ==> [NetlinkMessage[header=NetlinkHeader[length=20, type=NLMSG_DONE, flags=NLM_F_MULTI, sequence=0, pid=0], payload=00000000]]
     * }
     *
     * @param datagram the bytes received
     * @return the messages, in order
     * @throws NetlinkMalformedException if a message is shorter than its header, or its length is
     *         under 16 or over what remains
     * @throws NullPointerException if {@code datagram} is null
     */
    public static List<NetlinkMessage> parseAll(byte[] datagram) throws NetlinkMalformedException {
        return parseAll(datagram, 0, datagram.length);
    }

    /**
     * Parses every message in part of an array: what
     * <a href="https://man7.org/linux/man-pages/man3/netlink.3.html">NLMSG_OK and NLMSG_NEXT</a>
     * walk, with every length checked first; see netlink(7). Each message needs the 16-byte header
     * and an {@code nlmsg_len} from 16 to what remains; the next message starts at the aligned
     * length. Padding missing after the last message is accepted; any other leftover is an error.
     *
     * {@snippet :
     * byte[] two = NetlinkMessage.encodeAll(java.util.List.of(
     *         NetlinkMessage.of(16, 0, new byte[3]), NetlinkMessage.of(3, 0, new byte[4])));
     * NetlinkMessage.parseAll(two, 0, two.length).size()   // ==> 2
     * }
     *
     * @param data the array
     * @param offset where the datagram starts
     * @param length its length
     * @return the messages, in order
     * @throws NetlinkMalformedException if a message is shorter than its header, or its length is
     *         under 16 or over what remains; the message says which, where, and both lengths
     * @throws IndexOutOfBoundsException if offset and length do not fit in {@code data}
     * @throws NullPointerException if {@code data} is null
     */
    public static List<NetlinkMessage> parseAll(byte[] data, int offset, int length) throws NetlinkMalformedException {
        Objects.checkFromIndexSize(offset, length, data.length);
        List<NetlinkMessage> out = new ArrayList<>();
        int end = offset + length;
        for (int off = offset; off < end; ) {
            int len = checkedLength(data, offset, length, off);
            out.add(copyOf(data, off, len));
            off = (int) Math.min(end, off + Wire.nlmsgAlign((long) len));
        }
        return out;
    }

    /**
     * The {@code nlmsg_len} of the message at {@code off} of the datagram at {@code offset} of
     * {@code data}, {@code length} bytes long, checked: the datagram holds its 16-byte header, and the
     * length is at least 16 and at most what remains. What NLMSG_OK checks, with errors that say
     * which check failed, where, and both lengths.
     */
    static int checkedLength(byte[] data, int offset, int length, int off) throws NetlinkMalformedException {
        int at = off - offset;
        int remaining = offset + length - off;
        if (remaining < NetlinkHeader.SIZE) {
            throw new NetlinkMalformedException("netlink message at offset " + at + ": " + remaining
                    + " bytes left in the " + length + "-byte datagram, too few for the " + NetlinkHeader.SIZE
                    + "-byte nlmsghdr");
        }
        long len = Integer.toUnsignedLong(Wire.u32(data, off + Wire.NLMSG_LEN));
        if (len < NetlinkHeader.SIZE) {
            throw new NetlinkMalformedException("netlink message at offset " + at + ": nlmsg_len " + len
                    + " is less than the " + NetlinkHeader.SIZE + "-byte nlmsghdr");
        }
        if (len > remaining) {
            throw new NetlinkMalformedException("netlink message at offset " + at + ": nlmsg_len " + len
                    + " exceeds the " + remaining + " bytes left in the " + length + "-byte datagram");
        }
        return (int) len;
    }

    /** {@return a copy of the message of {@code length} bytes (checked) at {@code off} of an array} */
    static NetlinkMessage copyOf(byte[] data, int off, int length) {
        NetlinkHeader h = new NetlinkHeader(length, Wire.u16(data, off + Wire.NLMSG_TYPE), Wire.u16(data, off + Wire.NLMSG_FLAGS),
                Wire.u32(data, off + Wire.NLMSG_SEQ), Wire.u32(data, off + Wire.NLMSG_PID));
        return new NetlinkMessage(h, Arrays.copyOfRange(data, off + NetlinkHeader.SIZE, off + length));
    }

    /**
     * {@return a decoder for the attributes after a fixed family header}, such as the 16-byte
     * {@code struct ifinfomsg} of an {@code RTM_NEWLINK}; the attributes start at the header's
     * aligned size. See netlink(7) and rtnetlink(7).
     *
     * {@snippet :
     * var d = NetlinkMessage.of(16, 0, new byte[16]).attributes(16);
     * d.next()   // ==> false: no attributes
     * }
     *
     * @param familyHeaderSize the size of the struct before the attributes, 0 or more
     * @throws NetlinkMalformedException if the payload is shorter than that struct
     * @throws IllegalArgumentException if {@code familyHeaderSize} is negative
     */
    public AttributeDecoder attributes(int familyHeaderSize) throws NetlinkMalformedException {
        if (familyHeaderSize < 0) {
            throw new IllegalArgumentException("family header size " + familyHeaderSize + " is negative");
        }
        requirePayload(familyHeaderSize, "family header");
        int start = Math.min(Wire.nlmsgAlign(familyHeaderSize), payload.length);
        return new AttributeDecoder(payload, start, payload.length - start);
    }

    /** Checks that the payload holds a struct of {@code size} bytes, naming it in the error. */
    void requirePayload(long size, String what) throws NetlinkMalformedException {
        requirePayload(header.type(), payload.length, size, what);
    }

    /** Checks that a payload of {@code length} bytes, of a message of this type, holds a struct of {@code size} bytes. */
    static void requirePayload(int type, long length, long size, String what) throws NetlinkMalformedException {
        if (length < size) {
            throw new NetlinkMalformedException("message of type " + NetlinkHeader.typeName(type) + ": payload is "
                    + length + " bytes; the " + what + " needs " + size);
        }
    }

    /**
     * {@return whether {@code o} is a message with an equal header and the same payload bytes}; see
     * netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.of(3, 0, new byte[4]).equals(NetlinkMessage.of(3, 0, new byte[4]))   // ==> true
     * }
     *
     * @param o the object to compare with
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && m.header.equals(header) && Arrays.equals(m.payload, payload);
    }

    /**
     * {@return a hash of the header and payload bytes}; see netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.of(3, 0, new byte[4]).hashCode() == NetlinkMessage.of(3, 0, new byte[4]).hashCode()   // ==> true
     * }
     */
    @Override
    public int hashCode() {
        return header.hashCode() * 31 + Arrays.hashCode(payload);
    }

    /**
     * {@return the header and the payload in hex}, the payload cut after 64 bytes; see netlink(7)
     *
     * {@snippet :
     * NetlinkMessage.of(3, 2, new byte[4]).toString()
     * // ==> "NetlinkMessage[header=NetlinkHeader[length=20, type=NLMSG_DONE, flags=NLM_F_MULTI, sequence=0, pid=0], payload=00000000]"
     * }
     */
    @Override
    public String toString() {
        return "NetlinkMessage[header=" + header + ", payload=" + Wire.hex(payload, 64) + "]";
    }
}
