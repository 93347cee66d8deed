package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.SockClosedException;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.inet_diag_req_v2;
import io.github.panamasockets.internal.gen.unix_diag_req;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A sock_diag client: lists the system's TCP, UDP and Unix sockets as {@code ss} does, over a
 * {@code NETLINK_SOCK_DIAG} {@link NetlinkSocket}; see
 * <a href="https://man7.org/linux/man-pages/man7/sock_diag.7.html">sock_diag(7)</a>.
 *
 * <p>Each listing is one {@code SOCK_DIAG_BY_FAMILY} dump, filtered by the kernel by family,
 * protocol and state; with no states given, every state is listed. Listing needs no privilege, and
 * shows the sockets of the network namespace the client was opened in: the caller's, or the one
 * given to {@link #open(NetNamespace)}. Thread-safety is that of {@link NetlinkSocket}.
 *
 * {@snippet :
 * import io.github.panamasockets.*;
 * import io.github.panamasockets.netlink.*;
 * try (var diag = SockDiag.open()) {
 *     diag.tcp(Family.INET, TcpState.LISTEN).forEach(System.out::println);   // ss -t -l -n -4
 *     diag.udp(Family.INET6).forEach(System.out::println);                    // ss -u -a -n -6
 *     diag.unix().forEach(System.out::println);                               // ss -x -a
 * }
 * }
 */
public final class SockDiag implements AutoCloseable {
    private final NetlinkSocket socket;

    private SockDiag(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Opens a sock_diag socket; see {@link NetlinkSocket#open} and sock_diag(7).
     *
     * {@snippet :
     * var diag = SockDiag.open();
     * }
     *
     * @return the client
     * @throws java.net.SocketException if the kernel refuses the socket
     * @throws IOException if another I/O error occurs
     */
    public static SockDiag open() throws IOException {
        return new SockDiag(NetlinkSocket.open(Protocol.NETLINK_SOCK_DIAG));
    }

    /**
     * Opens a sock_diag socket inside a network namespace, so that it lists that namespace's
     * sockets: {@link #open()} run by {@link NetNamespace#call}; see sock_diag(7) and setns(2).
     *
     * {@snippet :
     * try (var ns = NetNamespace.open("blue"); var diag = SockDiag.open(ns)) {
     *     diag.tcp(Family.INET, TcpState.LISTEN)   // the namespace's listeners
     * }
     * }
     *
     * @param namespace the namespace
     * @return the client, whose socket stays in the namespace
     * @throws NetNamespaceException if entering the namespace fails
     * @throws java.net.SocketException if the kernel refuses the socket
     * @throws IOException if another I/O error occurs
     * @throws IllegalStateException if the namespace is closed
     * @throws NullPointerException if {@code namespace} is null
     */
    public static SockDiag open(NetNamespace namespace) throws IOException {
        return Objects.requireNonNull(namespace, "namespace").call(SockDiag::open);
    }

    /**
     * {@return the netlink socket underneath}; see sock_diag(7)
     *
     * {@snippet :
     * diag.socket().protocol()   // ==> NETLINK_SOCK_DIAG
     * }
     */
    public NetlinkSocket socket() {
        return socket;
    }

    /**
     * Lists TCP sockets of one family in the given states; see {@link #inet} and sock_diag(7).
     *
     * {@snippet :
     * diag.tcp(Family.INET, TcpState.LISTEN)        // listeners, as ss -t -l -4
     * diag.tcp(Family.INET6)                         // every state
     * }
     *
     * @param family {@link Family#INET} or {@link Family#INET6}
     * @param states the states to list; all when none is given
     * @return the sockets
     * @throws NetlinkException if the dump fails or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the family is not INET or INET6, or a state is 32 or more
     * @throws NullPointerException if an argument is null
     */
    public List<InetSockInfo> tcp(Family family, TcpState... states) throws IOException {
        return inet(family, Protocol.TCP, states);
    }

    /**
     * Lists UDP sockets of one family in the given states; see {@link #inet} and sock_diag(7).
     * Unconnected UDP sockets are in {@link TcpState#CLOSE}, connected ones in
     * {@link TcpState#ESTABLISHED}.
     *
     * {@snippet :
     * diag.udp(Family.INET)
     * }
     *
     * @param family {@link Family#INET} or {@link Family#INET6}
     * @param states the states to list; all when none is given
     * @return the sockets
     * @throws NetlinkException if the dump fails or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the family is not INET or INET6, or a state is 32 or more
     * @throws NullPointerException if an argument is null
     */
    public List<InetSockInfo> udp(Family family, TcpState... states) throws IOException {
        return inet(family, Protocol.UDP, states);
    }

    /**
     * Lists IP sockets of one family and protocol in the given states: a
     * {@code SOCK_DIAG_BY_FAMILY} dump with a {@code struct inet_diag_req_v2}; see sock_diag(7).
     *
     * {@snippet :
     * diag.inet(Family.INET, Protocol.TCP, TcpState.ESTABLISHED)
     * }
     *
     * @param family {@link Family#INET} or {@link Family#INET6}
     * @param protocol {@link Protocol#TCP} or {@link Protocol#UDP} (or another protocol the kernel's
     *        inet_diag serves, such as {@code IPPROTO_RAW})
     * @param states the states to list; all when none is given
     * @return the sockets
     * @throws NetlinkErrorException if the kernel refuses, such as {@code ENOENT} for a protocol
     *         without a diag module
     * @throws NetlinkException if the dump fails otherwise or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if the family is not INET or INET6, or a state is 32 or more
     * @throws NullPointerException if an argument is null
     */
    public List<InetSockInfo> inet(Family family, Protocol protocol, TcpState... states) throws IOException {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(protocol, "protocol");
        if (!family.equals(Family.INET) && !family.equals(Family.INET6)) {
            throw new IllegalArgumentException("address family " + family + " is not AF_INET or AF_INET6");
        }
        if (protocol.value() > 0xFF) {
            throw new IllegalArgumentException("protocol " + protocol + " does not fit sdiag_protocol's 8 bits");
        }
        int mask = TcpState.mask(states);
        byte[] req = new byte[(int) inet_diag_req_v2.sizeof()];
        req[(int) inet_diag_req_v2.sdiag_family$offset()] = (byte) family.value();
        req[(int) inet_diag_req_v2.sdiag_protocol$offset()] = (byte) protocol.value();
        Wire.put32(req, (int) inet_diag_req_v2.idiag_states$offset(), mask);
        List<InetSockInfo> out = new ArrayList<>();
        for (NetlinkMessage m : socket.execute(NetlinkMessage.request(LibC.SOCK_DIAG_BY_FAMILY(), NetlinkFlags.DUMP, req))) {
            out.add(InetSockInfo.from(m, protocol));
        }
        return out;
    }

    /**
     * Lists Unix sockets in the given states, with their names, peers and queue lengths: a
     * {@code SOCK_DIAG_BY_FAMILY} dump with a {@code struct unix_diag_req} asking for
     * {@code UDIAG_SHOW_NAME}, {@code UDIAG_SHOW_PEER} and {@code UDIAG_SHOW_RQLEN}; see sock_diag(7).
     *
     * {@snippet :
     * diag.unix(TcpState.LISTEN)   // listening stream and seqpacket sockets, as ss -x -l
     * }
     *
     * @param states the states to list; all when none is given
     * @return the sockets
     * @throws NetlinkErrorException if the kernel refuses, such as {@code ENOENT} without the
     *         unix_diag module
     * @throws NetlinkException if the dump fails otherwise or a reply is malformed
     * @throws SockClosedException if the client is closed
     * @throws IOException if receiving fails otherwise
     * @throws IllegalArgumentException if a state is 32 or more
     * @throws NullPointerException if {@code states} or an element is null
     */
    public List<UnixSockInfo> unix(TcpState... states) throws IOException {
        int mask = TcpState.mask(states);
        byte[] req = new byte[(int) unix_diag_req.sizeof()];
        req[(int) unix_diag_req.sdiag_family$offset()] = (byte) LibC.AF_UNIX();
        Wire.put32(req, (int) unix_diag_req.udiag_states$offset(), mask);
        Wire.put32(req, (int) unix_diag_req.udiag_show$offset(),
                LibC.UDIAG_SHOW_NAME() | LibC.UDIAG_SHOW_PEER() | LibC.UDIAG_SHOW_RQLEN());
        List<UnixSockInfo> out = new ArrayList<>();
        for (NetlinkMessage m : socket.execute(NetlinkMessage.request(LibC.SOCK_DIAG_BY_FAMILY(), NetlinkFlags.DUMP, req))) {
            out.add(UnixSockInfo.from(m));
        }
        return out;
    }

    /**
     * Closes the socket; see {@link NetlinkSocket#close()} and
     * <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>.
     *
     * {@snippet :
     * diag.close();
     * }
     */
    @Override
    public void close() {
        socket.close();
    }

    /**
     * {@return a description with the socket}; see sock_diag(7)
     *
     * {@snippet :
     * diag.toString()   // ==> "SockDiag[NetlinkSocket[NETLINK_SOCK_DIAG, pid 4242]]"
     * }
     */
    @Override
    public String toString() {
        return "SockDiag[" + socket + "]";
    }
}
