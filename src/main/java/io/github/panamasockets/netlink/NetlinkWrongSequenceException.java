package io.github.panamasockets.netlink;

import java.io.Serial;

/**
 * Thrown when a reply carries another request's sequence number in {@code nlmsg_seq}, such as a
 * late reply to an earlier request; see netlink(7).
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * var e = new NetlinkWrongSequenceException(7, 6);
 * e.getMessage()   // ==> "reply has sequence number 6, but the request's is 7"
 * }
 */
public final class NetlinkWrongSequenceException extends NetlinkException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The request's sequence number. */
    private final int expected;
    /** The reply's sequence number. */
    private final int found;

    /**
     * Creates the exception; see {@code nlmsg_seq} in netlink(7).
     *
     * {@snippet :
     * throw new NetlinkWrongSequenceException(7, 6);
     * }
     *
     * @param expected the request's {@code nlmsg_seq}, unsigned
     * @param found the reply's {@code nlmsg_seq}, unsigned
     */
    public NetlinkWrongSequenceException(int expected, int found) {
        super("reply has sequence number " + Integer.toUnsignedString(found) + ", but the request's is "
                + Integer.toUnsignedString(expected));
        this.expected = expected;
        this.found = found;
    }

    /**
     * {@return the request's sequence number, unsigned}; see {@code nlmsg_seq} in netlink(7)
     *
     * {@snippet :
     * new NetlinkWrongSequenceException(7, 6).expected()   // ==> 7
     * }
     */
    public int expected() {
        return expected;
    }

    /**
     * {@return the sequence number the reply carried, unsigned}; see {@code nlmsg_seq} in netlink(7)
     *
     * {@snippet :
     * new NetlinkWrongSequenceException(7, 6).found()   // ==> 6
     * }
     */
    public int found() {
        return found;
    }
}
