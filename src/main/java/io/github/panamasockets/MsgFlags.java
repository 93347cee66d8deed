package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;

import java.util.StringJoiner;

/**
 * The {@code MSG_*} flags of sendmsg(2) and recvmsg(2), and of what recvmsg reports back; see
 * <a href="https://man7.org/linux/man-pages/man2/recvmsg.2.html">recvmsg(2)</a>.
 *
 * {@snippet :
 * MsgFlags.toString(MsgFlags.PEEK | MsgFlags.TRUNC)   // ==> "MSG_PEEK|MSG_TRUNC"
 * }
 */
public final class MsgFlags {
    private MsgFlags() {}

    /** {@code MSG_PEEK}: receive without removing the data from the queue. */
    public static final int PEEK = LibC.MSG_PEEK();
    /**
     * {@code MSG_DONTWAIT}: do not wait; where the call would, it returns {@link Sock#WOULD_BLOCK}
     * ({@code EAGAIN}) instead.
     */
    public static final int DONTWAIT = LibC.MSG_DONTWAIT();
    /** {@code MSG_WAITALL}: wait until the buffers are full (stream sockets). */
    public static final int WAITALL = LibC.MSG_WAITALL();
    /** {@code MSG_TRUNC}: in: return a datagram's real length; out: the data was cut. */
    public static final int TRUNC = LibC.MSG_TRUNC();
    /** {@code MSG_CTRUNC}, out: control data was cut for lack of room. */
    public static final int CTRUNC = LibC.MSG_CTRUNC();
    /** {@code MSG_CMSG_CLOEXEC}: received descriptors are close-on-exec; the library always sets it. */
    public static final int CMSG_CLOEXEC = LibC.MSG_CMSG_CLOEXEC();
    /** {@code MSG_EOR}: end of record. */
    public static final int EOR = LibC.MSG_EOR();
    /** {@code MSG_OOB}: out-of-band data. */
    public static final int OOB = LibC.MSG_OOB();

    private static final int[] VALUES = {OOB, PEEK, TRUNC, CTRUNC, DONTWAIT, EOR, WAITALL, CMSG_CLOEXEC};
    private static final String[] NAMES = {"MSG_OOB", "MSG_PEEK", "MSG_TRUNC", "MSG_CTRUNC", "MSG_DONTWAIT",
            "MSG_EOR", "MSG_WAITALL", "MSG_CMSG_CLOEXEC"};

    /**
     * {@return the names of the flags set, joined by {@code |}}, with any unnamed bits in hex; "0"
     * for none
     *
     * @param flags the flags
     */
    public static String toString(int flags) {
        return names(flags, VALUES, NAMES);
    }

    /** The names of the bits of {@code bits} set, joined by {@code |}, the rest in hex; "0" for none. */
    static String names(int bits, int[] values, String[] names) {
        StringJoiner j = new StringJoiner("|");
        int rest = bits;
        for (int i = 0; i < values.length; i++) {
            if ((bits & values[i]) != 0) {
                j.add(names[i]);
                rest &= ~values[i];
            }
        }
        if (rest != 0) {
            j.add(String.format("0x%x", rest));
        }
        return bits == 0 ? "0" : j.toString();
    }
}
