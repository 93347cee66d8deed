package io.github.panamasockets.netlink;

import java.io.Serial;

/**
 * Thrown when bytes are not a well-formed netlink message or attribute: a length shorter than its
 * header or longer than what remains, an attribute of the wrong size for the type read from it,
 * or an {@code NLMSG_ERROR} too short to hold {@code struct nlmsgerr}. The message names what was
 * found, where, and what was needed; see netlink(7).
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try {
 *     NetlinkMessage.parseAll(new byte[] {12, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
 * } catch (NetlinkMalformedException e) {
 *     System.out.println(e.getMessage());
 *     // netlink message at offset 0: nlmsg_len 12 is less than the 16-byte nlmsghdr
 * }
 * }
 */
public final class NetlinkMalformedException extends NetlinkException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; see netlink(7) for the structures whose lengths it reports.
     *
     * {@snippet :
     * new NetlinkMalformedException("attribute type 3: u32 needs 4 bytes, found 2")
     * }
     *
     * @param message what was found, where, and what was needed
     */
    public NetlinkMalformedException(String message) {
        super(message);
    }
}
