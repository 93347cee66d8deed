package io.github.panamasockets.netlink;

import java.io.Serial;

/**
 * Thrown when a reply arrived incomplete: a datagram longer than the receive buffer (the kernel
 * dropped the rest, so the whole datagram is discarded rather than half of it parsed), or a
 * multipart dump that ended without {@code NLMSG_DONE}; see netlink(7).
 *
 * <p>A {@link NetlinkSocket} sizes its buffer to the next datagram with {@code MSG_PEEK} and
 * {@code MSG_TRUNC} before each receive, so the first case is rare: a datagram that arrives while
 * the socket is already waiting, and that is longer than the buffer it waits with.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var nl = NetlinkSocket.open(io.github.panamasockets.Protocol.NETLINK_ROUTE)) {
 *     nl.receive();
 * } catch (NetlinkTruncatedException e) {
 *     System.out.println(e.getMessage());   // names both lengths
 * }
 * }
 */
public final class NetlinkTruncatedException extends NetlinkException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; see netlink(7) and {@code MSG_TRUNC} in recv(2).
     *
     * {@snippet :
     * new NetlinkTruncatedException("a 70000-byte datagram did not fit the 65536-byte buffer")
     * }
     *
     * @param message what was cut, and the lengths involved
     */
    public NetlinkTruncatedException(String message) {
        super(message);
    }
}
