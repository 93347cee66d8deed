package io.github.panamasockets;

/**
 * What control messages {@link Sock#recvmsg} makes room for; the library sizes the control buffer
 * from it ({@code CMSG_SPACE} of each). A message that does not fit is cut by the kernel and
 * reported with {@link MsgFlags#CTRUNC}; descriptors that did arrive are always returned.
 *
 * {@snippet :
 * ControlSpec.fds(3)                               // up to 3 descriptors
 * new ControlSpec(1, true, false, 0)               // a descriptor and credentials
 * }
 *
 * @param maxFds room for this many descriptors, 0 to {@value Cmsg#MAX_FDS}
 * @param credentials room for {@code SCM_CREDENTIALS}
 * @param pktInfo room for {@code IP_PKTINFO} or {@code IPV6_PKTINFO}
 * @param extraBytes further room, in exact bytes, for other control messages: 0 to 65536
 */
public record ControlSpec(int maxFds, boolean credentials, boolean pktInfo, int extraBytes) {

    /** No control data. */
    public static final ControlSpec NONE = new ControlSpec(0, false, false, 0);

    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public ControlSpec {
        if (maxFds < 0 || maxFds > Cmsg.MAX_FDS) {
            throw new IllegalArgumentException("maxFds " + maxFds + " is out of range 0 to " + Cmsg.MAX_FDS);
        }
        if (extraBytes < 0 || extraBytes > 65536) {
            throw new IllegalArgumentException("extraBytes " + extraBytes + " is out of range 0 to 65536");
        }
    }

    /**
     * {@return room for up to {@code n} descriptors}
     *
     * @param n 0 to {@value Cmsg#MAX_FDS}
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static ControlSpec fds(int n) {
        return new ControlSpec(n, false, false, 0);
    }
}
