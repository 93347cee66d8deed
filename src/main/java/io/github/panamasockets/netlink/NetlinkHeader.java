package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;

/**
 * The header of a netlink message, {@code struct nlmsghdr}: its length, type, flags, sequence
 * number and port id; see netlink(7).
 *
 * <p>The length counts the 16-byte header and the payload, not the padding after it. A length
 * of 0 in a header given to {@link NetlinkMessage} means "compute it". {@code type} and
 * {@code flags} are unsigned 16-bit values; {@code length}, {@code sequence} and {@code pid} are
 * unsigned 32-bit values held in an {@code int}. {@link NetlinkSocket} fills in the sequence
 * number and port id of the requests it sends.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * new NetlinkHeader(20, 18, NetlinkFlags.REQUEST | NetlinkFlags.DUMP, 1, 0)
 * // ==> NetlinkHeader[length=20, type=18, flags=NLM_F_REQUEST|NLM_F_DUMP, sequence=1, pid=0]
 * }
 *
 * @param length {@code nlmsg_len}: header plus payload, in bytes, unsigned
 * @param type {@code nlmsg_type}: {@code NLMSG_ERROR}, {@code NLMSG_DONE}, or a protocol's type
 *        such as {@code RTM_GETLINK}; 0 to 65535
 * @param flags {@code nlmsg_flags}: {@link NetlinkFlags} bits, 0 to 65535
 * @param sequence {@code nlmsg_seq}: matches replies to requests, unsigned
 * @param pid {@code nlmsg_pid}: the port id of the requesting socket, unsigned; 0 from the kernel
 */
public record NetlinkHeader(int length, int type, int flags, int sequence, int pid) {

    /** {@code NLMSG_HDRLEN}: the size of the header, aligned. */
    public static final int SIZE = Wire.NLMSG_HDRLEN;

    /**
     * Checks the 16-bit fields of {@code struct nlmsghdr}; see netlink(7).
     *
     * {@snippet :
     * new NetlinkHeader(0, 18, NetlinkFlags.REQUEST, 0, 0)
     * }
     *
     * @throws IllegalArgumentException if {@code type} or {@code flags} is outside 0 to 65535
     */
    public NetlinkHeader {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("nlmsg_type " + type + " is out of range: it holds 0 to 65535");
        }
        if (flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("nlmsg_flags " + flags + " is out of range: it holds 0 to 65535");
        }
    }

    /**
     * {@return a copy with another sequence number}; see {@code nlmsg_seq} in netlink(7)
     *
     * {@snippet :
     * new NetlinkHeader(0, 18, 1, 0, 0).withSequence(7).sequence()   // ==> 7
     * }
     *
     * @param sequence the new {@code nlmsg_seq}, unsigned
     */
    public NetlinkHeader withSequence(int sequence) {
        return new NetlinkHeader(length, type, flags, sequence, pid);
    }

    /**
     * {@return a copy with another port id}; see {@code nlmsg_pid} in netlink(7)
     *
     * {@snippet :
     * new NetlinkHeader(0, 18, 1, 0, 0).withPid(4242).pid()   // ==> 4242
     * }
     *
     * @param pid the new {@code nlmsg_pid}, unsigned
     */
    public NetlinkHeader withPid(int pid) {
        return new NetlinkHeader(length, type, flags, sequence, pid);
    }

    /**
     * {@return a copy with another length}; see {@code nlmsg_len} in netlink(7)
     *
     * {@snippet :
     * new NetlinkHeader(0, 18, 1, 0, 0).withLength(20).length()   // ==> 20
     * }
     *
     * @param length the new {@code nlmsg_len}, unsigned
     */
    public NetlinkHeader withLength(int length) {
        return new NetlinkHeader(length, type, flags, sequence, pid);
    }

    /**
     * {@return whether any of these flags are set}; see {@code nlmsg_flags} in netlink(7)
     *
     * {@snippet :
     * new NetlinkHeader(0, 18, 0x301, 0, 0).has(NetlinkFlags.DUMP)   // ==> true
     * }
     *
     * @param flag one or more {@link NetlinkFlags} bits
     */
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /**
     * {@return the C name of a control message type}, such as {@code NLMSG_DONE}, or the number for
     * a protocol's own type; see netlink(7)
     *
     * {@snippet :
     * NetlinkHeader.typeName(3)    // ==> "NLMSG_DONE"
     * NetlinkHeader.typeName(16)   // ==> "16"
     * }
     *
     * @param type an {@code nlmsg_type}
     */
    public static String typeName(int type) {
        if (type == LibC.NLMSG_NOOP()) {
            return "NLMSG_NOOP";
        } else if (type == LibC.NLMSG_ERROR()) {
            return "NLMSG_ERROR";
        } else if (type == LibC.NLMSG_DONE()) {
            return "NLMSG_DONE";
        } else if (type == LibC.NLMSG_OVERRUN()) {
            return "NLMSG_OVERRUN";
        }
        return Integer.toString(type);
    }

    /**
     * {@return the fields, with the type's and flags' C names}; see netlink(7)
     *
     * {@snippet :
     * new NetlinkHeader(20, 3, 2, 5, 0).toString()
     * // ==> "NetlinkHeader[length=20, type=NLMSG_DONE, flags=NLM_F_MULTI, sequence=5, pid=0]"
     * }
     */
    @Override
    public String toString() {
        return "NetlinkHeader[length=" + Integer.toUnsignedString(length) + ", type=" + typeName(type)
                + ", flags=" + NetlinkFlags.toString(flags, type) + ", sequence=" + Integer.toUnsignedString(sequence)
                + ", pid=" + Integer.toUnsignedString(pid) + "]";
    }
}
