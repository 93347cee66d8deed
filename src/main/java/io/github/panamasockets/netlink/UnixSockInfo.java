package io.github.panamasockets.netlink;

import io.github.panamasockets.SockType;
import io.github.panamasockets.address.InvalidSockaddrException;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.unix_diag_msg;
import io.github.panamasockets.internal.gen.unix_diag_rqlen;

import java.util.Objects;

/**
 * A Unix socket as sock_diag lists it: the {@code struct unix_diag_msg} of a
 * {@code SOCK_DIAG_BY_FAMILY} reply and its {@code UNIX_DIAG_*} attributes, what
 * {@code ss -x -a} prints; see sock_diag(7).
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var diag = SockDiag.open()) {
 *     for (UnixSockInfo s : diag.unix(TcpState.LISTEN)) {
 *         System.out.println(s.name() + " inode " + s.inode());
 *     }
 * }
 * }
 *
 * @param type {@code SOCK_STREAM}, {@code SOCK_DGRAM} or {@code SOCK_SEQPACKET} ({@code udiag_type})
 * @param state the state ({@code udiag_state}): {@link TcpState#LISTEN}, {@link TcpState#ESTABLISHED}
 *        or {@link TcpState#CLOSE}
 * @param inode the socket's inode number ({@code udiag_ino})
 * @param name the bound name ({@code UNIX_DIAG_NAME}): a pathname, an abstract name, or
 *        {@linkplain SockaddrUnix#unnamed() unnamed}
 * @param peerInode the connected peer's inode ({@code UNIX_DIAG_PEER}), 0 if none
 * @param receiveQueue {@code UNIX_DIAG_RQLEN}'s {@code udiag_rqueue}: bytes (stream) or messages
 *        queued to read, or for a listener the connections waiting to be accepted
 * @param sendQueue {@code udiag_wqueue}: bytes queued to send, or for a listener its backlog
 */
public record UnixSockInfo(SockType type, TcpState state, long inode, SockaddrUnix name, long peerInode,
        long receiveQueue, long sendQueue) {

    /**
     * Checks for nulls; see sock_diag(7).
     *
     * {@snippet :
     * new UnixSockInfo(io.github.panamasockets.SockType.STREAM, TcpState.LISTEN, 12345,
     *         io.github.panamasockets.address.SockaddrUnix.abstractName("svc"), 0, 0, 128)
     * }
     *
     * @throws NullPointerException if an object field is null
     */
    public UnixSockInfo {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(name, "name");
    }

    /**
     * Decodes a {@code SOCK_DIAG_BY_FAMILY} reply for a Unix socket; see sock_diag(7).
     *
     * {@snippet :
     * UnixSockInfo.from(message).name()   // ==> @my-service
     * }
     *
     * @param message the reply
     * @return the socket
     * @throws NetlinkMalformedException if the message is of another type or family, shorter than
     *         {@code struct unix_diag_msg}, or has an attribute of the wrong size, a name that is
     *         no Unix address, or a type that is no socket type
     * @throws NullPointerException if {@code message} is null
     */
    public static UnixSockInfo from(NetlinkMessage message) throws NetlinkMalformedException {
        if (message.type() != LibC.SOCK_DIAG_BY_FAMILY()) {
            throw new NetlinkMalformedException("message type " + message.type() + " is not SOCK_DIAG_BY_FAMILY ("
                    + LibC.SOCK_DIAG_BY_FAMILY() + ")");
        }
        message.requirePayload(unix_diag_msg.sizeof(), "struct unix_diag_msg");
        byte[] p = message.raw();
        int family = Wire.u8(p, (int) unix_diag_msg.udiag_family$offset());
        if (family != LibC.AF_UNIX()) {
            throw new NetlinkMalformedException("unix_diag_msg of family " + family + ", not AF_UNIX (" + LibC.AF_UNIX() + ")");
        }
        int type = Wire.u8(p, (int) unix_diag_msg.udiag_type$offset());
        int state = Wire.u8(p, (int) unix_diag_msg.udiag_state$offset());
        long inode = Integer.toUnsignedLong(Wire.u32(p, (int) unix_diag_msg.udiag_ino$offset()));
        SockaddrUnix name = SockaddrUnix.unnamed();
        long peer = 0;
        long rq = 0;
        long wq = 0;
        AttributeDecoder d = message.attributes((int) unix_diag_msg.sizeof());
        while (d.next()) {
            int a = d.type();
            if (a == LibC.UNIX_DIAG_NAME()) {
                name = name(d.bytes());
            } else if (a == LibC.UNIX_DIAG_PEER()) {
                peer = Integer.toUnsignedLong(d.u32());
            } else if (a == LibC.UNIX_DIAG_RQLEN()) {
                byte[] v = d.bytes();
                if (v.length != unix_diag_rqlen.sizeof()) {
                    throw new NetlinkMalformedException("attribute type " + a + " (UNIX_DIAG_RQLEN): struct unix_diag_rqlen needs "
                            + unix_diag_rqlen.sizeof() + " bytes, found " + v.length);
                }
                rq = Integer.toUnsignedLong(Wire.u32(v, (int) unix_diag_rqlen.udiag_rqueue$offset()));
                wq = Integer.toUnsignedLong(Wire.u32(v, (int) unix_diag_rqlen.udiag_wqueue$offset()));
            }
        }
        SockType sockType;
        try {
            sockType = SockType.of(type);
        } catch (IllegalArgumentException e) {
            throw new NetlinkMalformedException("udiag_type " + type + " is no socket type: " + e.getMessage());
        }
        return new UnixSockInfo(sockType, TcpState.of(state), inode, name, peer, rq, wq);
    }

    /** The sun_path bytes of UNIX_DIAG_NAME, decoded as the address the socket was bound to. */
    private static SockaddrUnix name(byte[] path) throws NetlinkMalformedException {
        if (path.length > SockaddrUnix.SUN_PATH_SIZE) {
            throw new NetlinkMalformedException("UNIX_DIAG_NAME is " + path.length + " bytes; sun_path holds "
                    + SockaddrUnix.SUN_PATH_SIZE);
        }
        byte[] addr = new byte[2 + path.length];
        Wire.put16(addr, 0, LibC.AF_UNIX());
        System.arraycopy(path, 0, addr, 2, path.length);
        try {
            return (SockaddrUnix) Sockaddr.decode(addr);
        } catch (InvalidSockaddrException e) {
            throw new NetlinkMalformedException("UNIX_DIAG_NAME is no Unix address: " + e.getMessage());
        }
    }

    /**
     * {@return the fields, with the name in its text form}; see sock_diag(7)
     *
     * {@snippet :
     * s.toString()   // ==> "UnixSockInfo[SOCK_STREAM TCP_LISTEN @my-service, inode=12345, peer=0, rq=0, wq=4096]"
     * }
     */
    @Override
    public String toString() {
        return "UnixSockInfo[" + type + " " + state + " " + name + ", inode=" + inode + ", peer=" + peerInode + ", rq="
                + receiveQueue + ", wq=" + sendQueue + "]";
    }
}
