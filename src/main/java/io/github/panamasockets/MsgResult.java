package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Sock#recvmsg} returns: the bytes received, the flags the kernel reported, the
 * sender, and the control messages. Descriptors among them belong to the caller.
 *
 * {@snippet :
 * var got = sock.recvmsg(ControlSpec.NONE, 0, java.nio.ByteBuffer.allocate(8));
 * got.truncated()   // true if the datagram was longer than the buffers
 * }
 *
 * @param length bytes received (with {@link MsgFlags#TRUNC} asked, a datagram's real length); -1
 *        at end of stream; {@link Sock#WOULD_BLOCK} when nothing was there to receive in
 *        non-blocking mode or with {@link MsgFlags#DONTWAIT}
 * @param flags the {@code msg_flags} the kernel returned, such as {@link MsgFlags#TRUNC}
 * @param from the sender, or null where the kernel gives none
 * @param control the control messages, in the order received
 */
public record MsgResult(long length, int flags, Sockaddr from, List<Cmsg> control) {

    /**
     * Copies the control list.
     *
     * @throws NullPointerException if {@code control} is null
     */
    public MsgResult {
        control = List.copyOf(control);
    }

    /** What a receive that would have had to wait returns: nothing received, nothing from anyone. */
    static final MsgResult WOULD_BLOCK = new MsgResult(Sock.WOULD_BLOCK, 0, null, List.of());

    /**
     * {@return whether nothing was received because the call would have had to wait}
     * ({@code EAGAIN}): the length is {@link Sock#WOULD_BLOCK}
     *
     * {@snippet :
     * Sock.pair(SockType.DGRAM).second().recvmsg(ControlSpec.NONE, MsgFlags.DONTWAIT, new byte[8]).wouldBlock()   // ==> true
     * }
     */
    public boolean wouldBlock() {
        return length == Sock.WOULD_BLOCK;
    }

    /** {@return whether the data was cut because the buffers were too small ({@code MSG_TRUNC})} */
    public boolean truncated() {
        return (flags & MsgFlags.TRUNC) != 0;
    }

    /** {@return whether control data was cut for lack of room ({@code MSG_CTRUNC})} */
    public boolean controlTruncated() {
        return (flags & MsgFlags.CTRUNC) != 0;
    }

    /**
     * {@return every descriptor received, from all {@code SCM_RIGHTS} messages in order}; each is
     * the caller's to close or to hand to a {@link Sock}
     *
     * {@snippet :
     * got.fds().forEach(OwnedFd::close);
     * }
     */
    public List<OwnedFd> fds() {
        List<OwnedFd> all = new ArrayList<>();
        for (Cmsg c : control) {
            if (c instanceof Cmsg.Fds f) {
                all.addAll(f.fds());
            }
        }
        return List.copyOf(all);
    }

    /** {@return the fields, with the flags by name, such as {@code MsgResult[length=5, flags=MSG_CTRUNC, ...]}} */
    @Override
    public String toString() {
        return "MsgResult[length=" + length + ", flags=" + MsgFlags.toString(flags) + ", from=" + from
                + ", control=" + control + "]";
    }
}
