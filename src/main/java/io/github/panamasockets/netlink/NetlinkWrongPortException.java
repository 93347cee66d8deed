package io.github.panamasockets.netlink;

import java.io.Serial;

/**
 * Thrown when a reply carries another socket's port id in {@code nlmsg_pid}: it answers a request
 * this socket did not send; see netlink(7).
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * var e = new NetlinkWrongPortException(4242, 1234);
 * e.expected();   // ==> 4242
 * e.found();      // ==> 1234
 * }
 */
public final class NetlinkWrongPortException extends NetlinkException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The port id of this socket. */
    private final int expected;
    /** The port id the reply carried. */
    private final int found;

    /**
     * Creates the exception; see {@code nlmsg_pid} in netlink(7).
     *
     * {@snippet :
     * throw new NetlinkWrongPortException(4242, 1234);
     * }
     *
     * @param expected this socket's port id, unsigned
     * @param found the reply's {@code nlmsg_pid}, unsigned
     */
    public NetlinkWrongPortException(int expected, int found) {
        super("reply for port id " + Integer.toUnsignedString(found) + ", but this socket's port id is "
                + Integer.toUnsignedString(expected));
        this.expected = expected;
        this.found = found;
    }

    /**
     * {@return this socket's port id, unsigned}; see {@code nl_pid} in netlink(7)
     *
     * {@snippet :
     * new NetlinkWrongPortException(1, 2).expected()   // ==> 1
     * }
     */
    public int expected() {
        return expected;
    }

    /**
     * {@return the port id the reply carried, unsigned}; see {@code nlmsg_pid} in netlink(7)
     *
     * {@snippet :
     * new NetlinkWrongPortException(1, 2).found()   // ==> 2
     * }
     */
    public int found() {
        return found;
    }
}
