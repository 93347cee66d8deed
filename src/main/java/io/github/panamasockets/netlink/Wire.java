package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.nlattr;
import io.github.panamasockets.internal.gen.nlmsghdr;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte-level helpers shared by the netlink encoders and decoders: alignment, header sizes and
 * field offsets taken from the generated layouts, and reads and writes of integers in either
 * byte order on plain arrays. Callers check lengths before reading; these helpers do not.
 */
final class Wire {
    private Wire() {}

    static final int NLMSG_ALIGNTO = LibC.NLMSG_ALIGNTO();
    static final int NLA_ALIGNTO = LibC.NLA_ALIGNTO();

    /** NLMSG_HDRLEN: the aligned size of struct nlmsghdr. */
    static final int NLMSG_HDRLEN = nlmsgAlign((int) nlmsghdr.sizeof());
    /** NLA_HDRLEN: the aligned size of struct nlattr. */
    static final int NLA_HDRLEN = nlaAlign((int) nlattr.sizeof());

    static final int NLMSG_LEN = (int) nlmsghdr.nlmsg_len$offset();
    static final int NLMSG_TYPE = (int) nlmsghdr.nlmsg_type$offset();
    static final int NLMSG_FLAGS = (int) nlmsghdr.nlmsg_flags$offset();
    static final int NLMSG_SEQ = (int) nlmsghdr.nlmsg_seq$offset();
    static final int NLMSG_PID = (int) nlmsghdr.nlmsg_pid$offset();

    static final int NLA_LEN = (int) nlattr.nla_len$offset();
    static final int NLA_TYPE = (int) nlattr.nla_type$offset();

    static final int NLA_F_NESTED = LibC.NLA_F_NESTED();
    static final int NLA_F_NET_BYTEORDER = LibC.NLA_F_NET_BYTEORDER();
    /** NLA_TYPE_MASK, as the 16-bit mask it is (the C constant is an int with the high bits set). */
    static final int NLA_TYPE_MASK = LibC.NLA_TYPE_MASK() & 0xFFFF;

    static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** The shift of nla_len and of nla_type in the host-order int that struct nlattr's 4 bytes make. */
    private static final int NLA_LEN_SHIFT = (NLA_LEN == 0) == (NATIVE == ByteOrder.LITTLE_ENDIAN) ? 0 : 16;
    private static final int NLA_TYPE_SHIFT = 16 - NLA_LEN_SHIFT;

    /** nla_len, from struct nlattr read as one host-order int. */
    static int nlaLen(int header) {
        return (header >>> NLA_LEN_SHIFT) & 0xFFFF;
    }

    /** nla_type, from struct nlattr read as one host-order int. */
    static int nlaType(int header) {
        return (header >>> NLA_TYPE_SHIFT) & 0xFFFF;
    }

    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** NLMSG_ALIGN. */
    static int nlmsgAlign(int len) {
        return (len + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
    }

    /** NLMSG_ALIGN of an unsigned 32-bit length, without overflow. */
    static long nlmsgAlign(long len) {
        return (len + NLMSG_ALIGNTO - 1) & ~(long) (NLMSG_ALIGNTO - 1);
    }

    /** NLA_ALIGN. */
    static int nlaAlign(int len) {
        return (len + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
    }

    static int u16(byte[] b, int off, ByteOrder order) {
        short v = order == ByteOrder.BIG_ENDIAN ? (short) SHORT_BE.get(b, off) : (short) SHORT_LE.get(b, off);
        return Short.toUnsignedInt(v);
    }

    static int u32(byte[] b, int off, ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? (int) INT_BE.get(b, off) : (int) INT_LE.get(b, off);
    }

    static long u64(byte[] b, int off, ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? (long) LONG_BE.get(b, off) : (long) LONG_LE.get(b, off);
    }

    static void put16(byte[] b, int off, int v, ByteOrder order) {
        if (order == ByteOrder.BIG_ENDIAN) {
            SHORT_BE.set(b, off, (short) v);
        } else {
            SHORT_LE.set(b, off, (short) v);
        }
    }

    static void put32(byte[] b, int off, int v, ByteOrder order) {
        if (order == ByteOrder.BIG_ENDIAN) {
            INT_BE.set(b, off, v);
        } else {
            INT_LE.set(b, off, v);
        }
    }

    static void put64(byte[] b, int off, long v, ByteOrder order) {
        if (order == ByteOrder.BIG_ENDIAN) {
            LONG_BE.set(b, off, v);
        } else {
            LONG_LE.set(b, off, v);
        }
    }

    /** Host-order reads and writes, for the fields of netlink headers and family structs. */
    static int u16(byte[] b, int off) {
        return u16(b, off, NATIVE);
    }

    static int u32(byte[] b, int off) {
        return u32(b, off, NATIVE);
    }

    static void put16(byte[] b, int off, int v) {
        put16(b, off, v, NATIVE);
    }

    static void put32(byte[] b, int off, int v) {
        put32(b, off, v, NATIVE);
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    /** Up to {@code max} bytes as hex, with an ellipsis if there are more. */
    static String hex(byte[] b, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) {
            s.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
        }
        if (b.length > max) {
            s.append("...");
        }
        return s.toString();
    }
}
