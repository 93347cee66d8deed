package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;

/**
 * The {@code NLM_F_*} flags of {@code nlmsg_flags}, and their names; see netlink(7).
 *
 * <p>The low byte means the same in every message. The next bits are read by the kind of
 * message: in a GET request they are {@code NLM_F_ROOT}, {@code NLM_F_MATCH} (together
 * {@code NLM_F_DUMP}) and {@code NLM_F_ATOMIC}; in a NEW request {@code NLM_F_REPLACE},
 * {@code NLM_F_EXCL}, {@code NLM_F_CREATE} and {@code NLM_F_APPEND}; in an acknowledgement
 * ({@code NLMSG_ERROR}, {@code NLMSG_DONE}) {@code NLM_F_CAPPED} and {@code NLM_F_ACK_TLVS}.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * NetlinkFlags.toString(NetlinkFlags.REQUEST | NetlinkFlags.DUMP)   // ==> "NLM_F_REQUEST|NLM_F_DUMP"
 * NetlinkFlags.toString(0x605)   // ==> "NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE"
 * }
 */
public final class NetlinkFlags {
    private NetlinkFlags() {}

    /** {@code NLM_F_REQUEST}: a request; every message to the kernel carries it. */
    public static final int REQUEST = LibC.NLM_F_REQUEST();
    /** {@code NLM_F_MULTI}: part of a multipart reply, which {@code NLMSG_DONE} ends. */
    public static final int MULTI = LibC.NLM_F_MULTI();
    /** {@code NLM_F_ACK}: asks for an acknowledgement, an {@code NLMSG_ERROR} with error 0. */
    public static final int ACK = LibC.NLM_F_ACK();
    /** {@code NLM_F_ECHO}: asks the kernel to send the resulting notification back. */
    public static final int ECHO = LibC.NLM_F_ECHO();
    /** {@code NLM_F_DUMP_INTR}: the dump was inconsistent because its table changed. */
    public static final int DUMP_INTR = LibC.NLM_F_DUMP_INTR();
    /** {@code NLM_F_DUMP_FILTERED}: the kernel filtered the dump as the request asked. */
    public static final int DUMP_FILTERED = LibC.NLM_F_DUMP_FILTERED();
    /** {@code NLM_F_ROOT} (GET): return the whole table. */
    public static final int ROOT = LibC.NLM_F_ROOT();
    /** {@code NLM_F_MATCH} (GET): return all matching entries. */
    public static final int MATCH = LibC.NLM_F_MATCH();
    /** {@code NLM_F_ATOMIC} (GET): an atomic snapshot; obsolete. */
    public static final int ATOMIC = LibC.NLM_F_ATOMIC();
    /** {@code NLM_F_DUMP} (GET): {@code NLM_F_ROOT | NLM_F_MATCH}, a dump of a table. */
    public static final int DUMP = LibC.NLM_F_DUMP();
    /** {@code NLM_F_REPLACE} (NEW): replace an existing entry. */
    public static final int REPLACE = LibC.NLM_F_REPLACE();
    /** {@code NLM_F_EXCL} (NEW): fail if the entry exists. */
    public static final int EXCL = LibC.NLM_F_EXCL();
    /** {@code NLM_F_CREATE} (NEW): create the entry if it does not exist. */
    public static final int CREATE = LibC.NLM_F_CREATE();
    /** {@code NLM_F_APPEND} (NEW): add to the end of a list. */
    public static final int APPEND = LibC.NLM_F_APPEND();
    /** {@code NLM_F_CAPPED} (acknowledgement): the request's payload was left out. */
    public static final int CAPPED = LibC.NLM_F_CAPPED();
    /** {@code NLM_F_ACK_TLVS} (acknowledgement): extended-ack attributes follow. */
    public static final int ACK_TLVS = LibC.NLM_F_ACK_TLVS();

    private static final int[] COMMON = {REQUEST, MULTI, ACK, ECHO, DUMP_INTR, DUMP_FILTERED};
    private static final String[] COMMON_NAMES = {"NLM_F_REQUEST", "NLM_F_MULTI", "NLM_F_ACK", "NLM_F_ECHO",
        "NLM_F_DUMP_INTR", "NLM_F_DUMP_FILTERED"};
    private static final int[] GET = {ROOT, MATCH, ATOMIC};
    private static final String[] GET_NAMES = {"NLM_F_ROOT", "NLM_F_MATCH", "NLM_F_ATOMIC"};
    private static final int[] NEW = {REPLACE, EXCL, CREATE, APPEND};
    private static final String[] NEW_NAMES = {"NLM_F_REPLACE", "NLM_F_EXCL", "NLM_F_CREATE", "NLM_F_APPEND"};
    private static final int[] ACKS = {CAPPED, ACK_TLVS};
    private static final String[] ACK_NAMES = {"NLM_F_CAPPED", "NLM_F_ACK_TLVS"};

    /**
     * {@return the flags' names joined by {@code |}}, guessing the kind of message from the bits:
     * {@code NLM_F_CREATE} or {@code NLM_F_APPEND} make it a NEW request, otherwise the bits read as
     * for a GET request. Bits without a name print in hex; no flags print as {@code 0}. See
     * netlink(7).
     *
     * {@snippet :
     * NetlinkFlags.toString(0x301)   // ==> "NLM_F_REQUEST|NLM_F_DUMP"
     * NetlinkFlags.toString(0)       // ==> "0"
     * }
     *
     * @param flags the {@code nlmsg_flags} value, 0 to 65535
     */
    public static String toString(int flags) {
        boolean isNew = (flags & (CREATE | APPEND)) != 0;
        return format(flags, isNew ? NEW : GET, isNew ? NEW_NAMES : GET_NAMES, !isNew);
    }

    /**
     * {@return the flags' names joined by {@code |}}, read as in a message of this type:
     * acknowledgement flags for {@code NLMSG_ERROR} and {@code NLMSG_DONE}, otherwise as
     * {@link #toString(int)} guesses. See netlink(7).
     *
     * {@snippet :
     * NetlinkFlags.toString(0x300, 2)   // ==> "NLM_F_CAPPED|NLM_F_ACK_TLVS", in an NLMSG_ERROR
     * }
     *
     * @param flags the {@code nlmsg_flags} value, 0 to 65535
     * @param type the {@code nlmsg_type} of the message
     */
    public static String toString(int flags, int type) {
        if (type == LibC.NLMSG_ERROR() || type == LibC.NLMSG_DONE()) {
            return format(flags, ACKS, ACK_NAMES, false);
        }
        return toString(flags);
    }

    private static String format(int flags, int[] high, String[] highNames, boolean dump) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder s = new StringBuilder();
        int rest = flags;
        for (int i = 0; i < COMMON.length; i++) {
            if ((rest & COMMON[i]) != 0) {
                append(s, COMMON_NAMES[i]);
                rest &= ~COMMON[i];
            }
        }
        if (dump && (rest & DUMP) == DUMP) {
            append(s, "NLM_F_DUMP");
            rest &= ~DUMP;
        }
        for (int i = 0; i < high.length; i++) {
            if ((rest & high[i]) != 0) {
                append(s, highNames[i]);
                rest &= ~high[i];
            }
        }
        if (rest != 0) {
            append(s, "0x" + Integer.toHexString(rest));
        }
        return s.toString();
    }

    private static void append(StringBuilder s, String name) {
        if (!s.isEmpty()) {
            s.append('|');
        }
        s.append(name);
    }
}
