package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.inet_diag_msg;
import io.github.panamasockets.internal.gen.inet_diag_sockid;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A TCP or UDP socket as sock_diag lists it: the {@code struct inet_diag_msg} of a
 * {@code SOCK_DIAG_BY_FAMILY} reply, what {@code ss -t -u -a -n -e} prints; see sock_diag(7).
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var diag = SockDiag.open()) {
 *     for (InetSockInfo s : diag.tcp(io.github.panamasockets.Family.INET, TcpState.LISTEN)) {
 *         System.out.println(s.local() + " inode " + s.inode());
 *     }
 * }
 * }
 *
 * @param family {@code AF_INET} or {@code AF_INET6}
 * @param protocol {@link Protocol#TCP} or {@link Protocol#UDP}, as asked for
 * @param state the state ({@code idiag_state})
 * @param local the local address and port ({@code idiag_src}, {@code idiag_sport})
 * @param remote the peer's address and port ({@code idiag_dst}, {@code idiag_dport}); all zeros
 *        when not connected
 * @param interfaceIndex the interface the socket is bound to ({@code idiag_if}), 0 if none
 * @param inode the socket's inode number ({@code idiag_inode}), as in {@code /proc/PID/fd}'s
 *        {@code socket:[inode]}; 0 for sockets without one, such as {@code TIME_WAIT}
 * @param uid the owner's user id ({@code idiag_uid}), unsigned
 * @param receiveQueue {@code idiag_rqueue}: bytes not yet read, or for a listener the connections
 *        waiting to be accepted
 * @param sendQueue {@code idiag_wqueue}: bytes not yet acknowledged, or for a listener its backlog
 * @param cookie the kernel's socket cookie ({@code idiag_cookie})
 */
public record InetSockInfo(Family family, Protocol protocol, TcpState state, Sockaddr local, Sockaddr remote,
        int interfaceIndex, long inode, int uid, long receiveQueue, long sendQueue, long cookie) {

    private static final int ID = (int) inet_diag_msg.id$offset();

    /**
     * Checks for nulls; see sock_diag(7).
     *
     * {@snippet :
     * new InetSockInfo(io.github.panamasockets.Family.INET, io.github.panamasockets.Protocol.TCP, TcpState.LISTEN,
     *         io.github.panamasockets.address.SockaddrInet4.loopback(80),
     *         io.github.panamasockets.address.SockaddrInet4.any(0), 0, 12345, 0, 0, 128, 1)
     * }
     *
     * @throws NullPointerException if an object field is null
     */
    public InetSockInfo {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
    }

    /**
     * Decodes a {@code SOCK_DIAG_BY_FAMILY} reply for an IP socket; see sock_diag(7).
     *
     * {@snippet :
     * InetSockInfo.from(message, io.github.panamasockets.Protocol.TCP)
     * }
     *
     * @param message the reply
     * @param protocol the protocol the request asked for, which the reply does not repeat
     * @return the socket
     * @throws NetlinkMalformedException if the message is of another type, shorter than
     *         {@code struct inet_diag_msg}, or of another family than AF_INET and AF_INET6
     * @throws NullPointerException if an argument is null
     */
    public static InetSockInfo from(NetlinkMessage message, Protocol protocol) throws NetlinkMalformedException {
        Objects.requireNonNull(protocol, "protocol");
        if (message.type() != LibC.SOCK_DIAG_BY_FAMILY()) {
            throw new NetlinkMalformedException("message type " + message.type() + " is not SOCK_DIAG_BY_FAMILY ("
                    + LibC.SOCK_DIAG_BY_FAMILY() + ")");
        }
        message.requirePayload(inet_diag_msg.sizeof(), "struct inet_diag_msg");
        byte[] p = message.raw();
        int fam = Wire.u8(p, (int) inet_diag_msg.idiag_family$offset());
        Family family = Rtnl.ipFamily(fam, "inet_diag_msg");
        int state = Wire.u8(p, (int) inet_diag_msg.idiag_state$offset());
        int sport = Wire.u16(p, ID + (int) inet_diag_sockid.idiag_sport$offset(), ByteOrder.BIG_ENDIAN);
        int dport = Wire.u16(p, ID + (int) inet_diag_sockid.idiag_dport$offset(), ByteOrder.BIG_ENDIAN);
        int src = ID + (int) inet_diag_sockid.idiag_src$offset();
        int dst = ID + (int) inet_diag_sockid.idiag_dst$offset();
        int ifindex = Wire.u32(p, ID + (int) inet_diag_sockid.idiag_if$offset());
        int cookieOff = ID + (int) inet_diag_sockid.idiag_cookie$offset();
        long cookie = Integer.toUnsignedLong(Wire.u32(p, cookieOff))
                | Integer.toUnsignedLong(Wire.u32(p, cookieOff + 4)) << 32;
        Sockaddr local = address(fam, p, src, sport);
        Sockaddr remote = address(fam, p, dst, dport);
        long rq = Integer.toUnsignedLong(Wire.u32(p, (int) inet_diag_msg.idiag_rqueue$offset()));
        long wq = Integer.toUnsignedLong(Wire.u32(p, (int) inet_diag_msg.idiag_wqueue$offset()));
        int uid = Wire.u32(p, (int) inet_diag_msg.idiag_uid$offset());
        long inode = Integer.toUnsignedLong(Wire.u32(p, (int) inet_diag_msg.idiag_inode$offset()));
        return new InetSockInfo(family, protocol, TcpState.of(state), local, remote, ifindex, inode, uid, rq, wq, cookie);
    }

    private static Sockaddr address(int family, byte[] p, int off, int port) {
        if (family == Rtnl.AF_INET) {
            return new SockaddrInet4(Arrays.copyOfRange(p, off, off + 4), port);
        }
        return new SockaddrInet6(Arrays.copyOfRange(p, off, off + 16), port, 0, 0);
    }

    /**
     * {@return the fields, with addresses in their text form}; see sock_diag(7)
     *
     * {@snippet :
     * s.toString()   // ==> "InetSockInfo[IPPROTO_TCP TCP_LISTEN 127.0.0.1:8080 -> 0.0.0.0:0, inode=12345, ...]"
     * }
     */
    @Override
    public String toString() {
        return "InetSockInfo[" + protocol + " " + state + " " + local + " -> " + remote + ", inode=" + inode + ", uid="
                + Integer.toUnsignedString(uid) + ", rq=" + receiveQueue + ", wq=" + sendQueue + ", if="
                + interfaceIndex + ", cookie=0x" + Long.toHexString(cookie) + "]";
    }
}
