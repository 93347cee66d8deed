package io.github.panamasockets.netlink;

import java.io.Serial;
import java.net.SocketException;

/**
 * The netlink layer's own failures: the kernel's error replies and everything that makes a reply
 * unusable. Each kind of failure has its own subclass, so callers can tell "the kernel said no"
 * from "the reply was not for us" from "events were lost"; see netlink(7).
 *
 * <ul>
 *   <li>{@link NetlinkErrorException}: the kernel answered with {@code NLMSG_ERROR} (or a
 *       {@code NLMSG_DONE} carrying an error), with its errno and extended-ack text;</li>
 *   <li>{@link NetlinkMalformedException}: bytes that are not a well-formed message or
 *       attribute, including a short {@code NLMSG_ERROR};</li>
 *   <li>{@link NetlinkTruncatedException}: a datagram longer than the receive buffer, or a
 *       dump that ended without {@code NLMSG_DONE};</li>
 *   <li>{@link NetlinkWrongPortException} and {@link NetlinkWrongSequenceException}: a reply
 *       addressed to another socket or another request;</li>
 *   <li>{@link NetlinkDumpInterruptedException}: a dump marked {@code NLM_F_DUMP_INTR};</li>
 *   <li>{@link NetlinkEventsLostException}: the receive queue overflowed ({@code ENOBUFS}), so
 *       events were dropped and the caller must resynchronise.</li>
 * </ul>
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     rt.link(999_999);
 * } catch (NetlinkErrorException e) {
 *     System.out.println(e.errnoName());   // ENODEV
 * }
 * }
 */
public abstract sealed class NetlinkException extends SocketException
        permits NetlinkErrorException, NetlinkMalformedException, NetlinkTruncatedException,
        NetlinkWrongPortException, NetlinkWrongSequenceException, NetlinkDumpInterruptedException,
        NetlinkEventsLostException {
    @Serial
    private static final long serialVersionUID = 1L;

    NetlinkException(String message) {
        super(message);
    }
}
