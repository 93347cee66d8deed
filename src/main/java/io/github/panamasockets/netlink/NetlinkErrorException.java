package io.github.panamasockets.netlink;

import io.github.panamasockets.Errno;

import java.io.Serial;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Thrown when the kernel refuses a request: an {@code NLMSG_ERROR} reply with a non-zero error, or
 * a dump's {@code NLMSG_DONE} carrying one. It holds the errno and, when the kernel sent an
 * extended acknowledgement ({@code NETLINK_EXT_ACK}, which {@link NetlinkSocket} turns on), its
 * text ({@code NLMSGERR_ATTR_MSG}) and the offset of the offending attribute in the request
 * ({@code NLMSGERR_ATTR_OFFS}). See netlink(7).
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     rt.createLink("psk-demo", "no-such-kind");
 * } catch (NetlinkErrorException e) {
 *     e.errnoName();       // ==> "EOPNOTSUPP" (as root; EPERM otherwise)
 *     e.extAckMessage();   // ==> Optional[Unknown device type]
 * }
 * }
 */
public final class NetlinkErrorException extends NetlinkException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The errno, positive. */
    private final int errno;
    /** The request's message type, from the echoed header, or -1 when the reply did not echo one. */
    private final int requestType;
    /** NLMSGERR_ATTR_MSG, or null. */
    private final String extAckMessage;
    /** NLMSGERR_ATTR_OFFS, or -1. */
    private final int extAckOffset;

    /**
     * Creates the exception; the message reads
     * {@code netlink request type 16: EOPNOTSUPP (Operation not supported): Unknown device type}.
     * See {@code NLMSG_ERROR} in netlink(7).
     *
     * {@snippet :
     * throw new NetlinkErrorException(19, 18, null, -1);   // ENODEV for RTM_GETLINK
     * }
     *
     * @param errno the errno, positive (the kernel sends it negated)
     * @param requestType the type of the request that failed, or -1 if unknown
     * @param extAckMessage the kernel's extended-ack text, or null
     * @param extAckOffset the offset of the bad attribute in the request, or -1
     */
    public NetlinkErrorException(int errno, int requestType, String extAckMessage, int extAckOffset) {
        super(message(errno, requestType, extAckMessage, extAckOffset));
        this.errno = errno;
        this.requestType = requestType;
        this.extAckMessage = extAckMessage;
        this.extAckOffset = extAckOffset;
    }

    private static String message(int errno, int requestType, String text, int offset) {
        StringBuilder s = new StringBuilder("netlink request");
        if (requestType >= 0) {
            s.append(" type ").append(requestType);
        }
        s.append(": ").append(Errno.describe(errno));
        if (text != null && !text.isEmpty()) {
            s.append(": ").append(text);
        }
        if (offset >= 0) {
            s.append(" (attribute at offset ").append(offset).append(" of the request)");
        }
        return s.toString();
    }

    /**
     * {@return the errno, positive}, such as 19 for {@code ENODEV}; see errno(3) and netlink(7)
     *
     * {@snippet :
     * new NetlinkErrorException(19, 18, null, -1).errno()   // ==> 19
     * }
     */
    public int errno() {
        return errno;
    }

    /**
     * {@return the errno's C name}, such as {@code ENODEV}; see errno(3)
     *
     * {@snippet :
     * new NetlinkErrorException(19, 18, null, -1).errnoName()   // ==> "ENODEV"
     * }
     */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    /**
     * {@return the type of the request the kernel refused}, from the header the error echoes, or
     * -1 when it echoed none (an error in {@code NLMSG_DONE}); see {@code struct nlmsgerr} in
     * netlink(7)
     *
     * {@snippet :
     * new NetlinkErrorException(19, 18, null, -1).requestType()   // ==> 18
     * }
     */
    public int requestType() {
        return requestType;
    }

    /**
     * {@return the kernel's extended-ack text ({@code NLMSGERR_ATTR_MSG})}, if it sent one; see
     * {@code NETLINK_EXT_ACK} in netlink(7)
     *
     * {@snippet :
     * new NetlinkErrorException(95, 16, "Unknown device type", -1).extAckMessage()
     * // ==> Optional[Unknown device type]
     * }
     */
    public Optional<String> extAckMessage() {
        return Optional.ofNullable(extAckMessage);
    }

    /**
     * {@return the offset in the request of the attribute the kernel rejected
     * ({@code NLMSGERR_ATTR_OFFS})}, counted from the start of its {@code nlmsghdr}, if it sent one;
     * see {@code NETLINK_EXT_ACK} in netlink(7)
     *
     * {@snippet :
     * new NetlinkErrorException(22, 18, null, 32).extAckOffset()   // ==> OptionalInt[32]
     * }
     */
    public OptionalInt extAckOffset() {
        return extAckOffset < 0 ? OptionalInt.empty() : OptionalInt.of(extAckOffset);
    }
}
