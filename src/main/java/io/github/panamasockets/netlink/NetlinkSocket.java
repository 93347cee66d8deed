package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.Received;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockClosedException;
import io.github.panamasockets.SockType;
import io.github.panamasockets.SyscallException;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A netlink socket that speaks the message protocol: it numbers requests, sizes its receive buffer
 * to each datagram, collects multipart replies, and turns error replies into exceptions; see
 * <a href="https://man7.org/linux/man-pages/man7/netlink.7.html">netlink(7)</a>.
 *
 * <p>It owns a {@link Sock} of family {@code AF_NETLINK}, type {@code SOCK_RAW}, bound to a port id
 * the kernel assigns, with {@code NETLINK_EXT_ACK} on so that errors carry the kernel's text.
 * {@link #execute} sends a request with the next sequence number and this socket's port id, then
 * reads the replies: one message, or a multipart dump up to {@code NLMSG_DONE}, or an
 * acknowledgement. Replies are checked on the way: a wrong port id, a wrong sequence number, a
 * dump marked {@code NLM_F_DUMP_INTR}, a dump cut short and a malformed or short
 * {@code NLMSG_ERROR} each throw their own {@link NetlinkException}. Datagrams from anyone but the
 * kernel are dropped unread, since any local process may send to a netlink port id.
 *
 * <p>The receive buffer starts at 64 KiB, twice what the kernel puts in one datagram of a dump, so
 * a dump's datagrams are received straight into it, one recvfrom(2) each, copied once into an
 * array the socket reuses, and parsed there. Before any other receive (a single reply, an acknowledgement, an event, which may be of any
 * length) the socket peeks at the next datagram's length with {@code MSG_PEEK | MSG_TRUNC} and
 * grows its buffer to fit. A datagram that still does not fit (a dump's, or one that arrives while
 * the socket is waiting, longer than its buffer) is dropped whole by the kernel: it is reported as
 * a {@link NetlinkTruncatedException}, never parsed in half, and the buffer grows for the next try.
 * Each message returned is a copy; none refers to the buffer.
 *
 * <h2>Threads</h2>
 * One exchange runs at a time: concurrent callers of {@link #execute} and {@link #receive} wait
 * their turn. {@link #close()} may be called from any thread and wakes a blocked receive. Use one
 * socket for requests and another for multicast events: events arriving during a request would
 * break its sequence check.
 *
 * {@snippet :
 * import io.github.panamasockets.*;
 * import io.github.panamasockets.netlink.*;
 * try (var nl = NetlinkSocket.open(Protocol.NETLINK_ROUTE)) {
 *     var dump = NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[16]);   // RTM_GETLINK, ifinfomsg
 *     for (var m : nl.execute(dump)) {
 *         System.out.println(RtnlLink.from(m).name());
 *     }
 * }
 * }
 */
public final class NetlinkSocket implements AutoCloseable {
    /**
     * The receive buffer's first size: twice the largest datagram of a kernel dump, which fills at
     * most 32 KiB ({@code max_recvmsg_len} is capped there) unless a family asks for more.
     */
    static final int INITIAL_BUFFER = 64 * 1024;
    /** The largest datagram the socket grows its buffer for. */
    static final int MAX_BUFFER = 16 << 20;

    private static final int MSG_PEEK = LibC.MSG_PEEK();
    private static final int MSG_TRUNC = LibC.MSG_TRUNC();
    private static final int MSG_DONTWAIT = LibC.MSG_DONTWAIT();
    private static final int EINTR = LibC.EINTR();
    private static final int EAGAIN = LibC.EAGAIN();
    private static final int ENOBUFS = LibC.ENOBUFS();
    private static final int EMSGSIZE = LibC.EMSGSIZE();
    private static final int ENOPROTOOPT = LibC.ENOPROTOOPT();
    private static final int SOL_NETLINK = LibC.SOL_NETLINK();
    private static final int NETLINK_LIST_MEMBERSHIPS = LibC.NETLINK_LIST_MEMBERSHIPS();
    private static final int NLMSG_NOOP = LibC.NLMSG_NOOP();
    private static final int NLMSG_ERROR = LibC.NLMSG_ERROR();
    private static final int NLMSG_DONE = LibC.NLMSG_DONE();
    private static final int NLMSG_OVERRUN = LibC.NLMSG_OVERRUN();

    private final Sock sock;
    private final Protocol protocol;
    private final SockaddrNetlink peer;
    private final int pid;

    /** One exchange (send and its replies, or one receive) at a time. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Guards the calls made on the descriptor directly, so that none runs after close. */
    private final ReentrantLock fdLock = new ReentrantLock();
    private volatile boolean closed;

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
    private final MemorySegment scratch = arena.allocate(256, 8);
    private final MemorySegment scratchLen = arena.allocate(ValueLayout.JAVA_INT);
    /** Guarded by lock. */
    private MemorySegment buffer = arena.allocate(INITIAL_BUFFER, 16);
    /**
     * Guarded by lock: the last datagram, copied out of the buffer in one go, since the decoders
     * read arrays faster than native memory; as large as the buffer, and reused.
     */
    private byte[] datagram = new byte[INITIAL_BUFFER];
    /** Guarded by lock. The limit the buffer grows to; lowered by tests. */
    private int maxBuffer = MAX_BUFFER;
    /** Guarded by lock. */
    private int sequence = ThreadLocalRandom.current().nextInt(1, 1 << 30);
    /** Guarded by lock: an exchange failed part-way, so replies to it may still be queued. */
    private boolean stale;

    private NetlinkSocket(Sock sock, Protocol protocol, SockaddrNetlink peer, int pid) {
        this.sock = sock;
        this.protocol = protocol;
        this.peer = peer;
        this.pid = pid;
    }

    /**
     * Opens a netlink socket for a protocol, bound to a port id the kernel assigns, with
     * {@code NETLINK_EXT_ACK} on;
     * <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>,
     * <a href="https://man7.org/linux/man-pages/man2/bind.2.html">bind(2)</a> and
     * <a href="https://man7.org/linux/man-pages/man7/netlink.7.html">netlink(7)</a>.
     *
     * {@snippet :
     * var nl = NetlinkSocket.open(io.github.panamasockets.Protocol.NETLINK_SOCK_DIAG);
     * }
     *
     * @param protocol a netlink protocol, such as {@link Protocol#NETLINK_ROUTE}
     * @return the open socket
     * @throws java.net.SocketException if the kernel refuses, such as {@code EPROTONOSUPPORT}
     *         for a protocol it lacks
     * @throws IOException if another I/O error occurs
     * @throws NullPointerException if {@code protocol} is null
     */
    public static NetlinkSocket open(Protocol protocol) throws IOException {
        return open(protocol, SockaddrNetlink.kernel());
    }

    /** Opens a socket that talks to {@code peer} instead of the kernel: for tests with a fake kernel. */
    static NetlinkSocket open(Protocol protocol, SockaddrNetlink peer) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        Sock sock = Sock.open(Family.NETLINK, SockType.RAW, protocol);
        try {
            sock.bind(SockaddrNetlink.kernel());
            int pid = ((SockaddrNetlink) sock.localAddress()).pid();
            NetlinkSocket s = new NetlinkSocket(sock, protocol, peer, pid);
            s.setOption("NETLINK_EXT_ACK", LibC.NETLINK_EXT_ACK(), 1, true);
            return s;
        } catch (IOException | RuntimeException | Error e) {
            sock.close();
            throw e;
        }
    }

    /**
     * {@return the protocol the socket was opened with}; see socket(2) and netlink(7)
     *
     * {@snippet :
     * nl.protocol()   // ==> NETLINK_ROUTE
     * }
     */
    public Protocol protocol() {
        return protocol;
    }

    /**
     * {@return this socket's port id ({@code nl_pid})}, unsigned: what the kernel puts in the
     * {@code nlmsg_pid} of its replies, and what requests carry; see netlink(7)
     *
     * {@snippet :
     * nl.pid()   // ==> 4242, assigned by the kernel
     * }
     */
    public int pid() {
        return pid;
    }

    /**
     * {@return the underlying socket}, for socket options this class does not set, such as
     * {@code SO_RCVBUF} (socket(7)); receiving from it directly bypasses the checks here, and it is
     * closed by closing this object, not directly
     *
     * {@snippet :
     * nl.socket().fd()   // the descriptor
     * }
     */
    public Sock socket() {
        return sock;
    }

    // ------------------------------------------------------------------------------ requests

    /**
     * Sends a request and returns its replies, checked: a single reply, the parts of a multipart
     * dump up to {@code NLMSG_DONE}, or nothing when the request asked only for an acknowledgement
     * ({@link NetlinkFlags#ACK}). The sequence number (when 0) and port id (when 0) are filled in;
     * <a href="https://man7.org/linux/man-pages/man2/sendto.2.html">sendto(2)</a> and
     * <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a>, see
     * netlink(7).
     *
     * <p>An {@code NLMSG_ERROR} with error 0 is the acknowledgement and ends the exchange; any other
     * error throws. A dump's parts are collected until {@code NLMSG_DONE}, which may carry an error
     * too. A reply must carry this socket's port id (or 0) and the request's sequence number. After
     * an exchange that failed part-way, the next send first discards the datagrams still queued
     * from it.
     *
     * {@snippet :
     * var replies = nl.execute(NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[16]));   // RTM_GETLINK dump
     * replies.size()   // one message per link
     * }
     *
     * @param request the request, usually made by {@link NetlinkMessage#request}
     * @return the replies, without {@code NLMSG_DONE} and acknowledgements
     * @throws NetlinkErrorException if the kernel refuses, with its errno and extended-ack text
     * @throws NetlinkWrongPortException if a reply carries another port id
     * @throws NetlinkWrongSequenceException if a reply carries another sequence number
     * @throws NetlinkDumpInterruptedException if the dump's table changed while it was read
     * @throws NetlinkTruncatedException if a datagram did not fit, or the dump ended early
     * @throws NetlinkMalformedException if a reply is malformed, such as a short {@code NLMSG_ERROR}
     * @throws NetlinkEventsLostException if the receive queue overflowed
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if sending or receiving fails otherwise
     * @throws NullPointerException if {@code request} is null
     */
    public List<NetlinkMessage> execute(NetlinkMessage request) throws IOException {
        Objects.requireNonNull(request, "request");
        lock.lock();
        try {
                return replies0(send0(request));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a message without waiting for replies, filling in the sequence number and port id where
     * they are 0; <a href="https://man7.org/linux/man-pages/man2/sendto.2.html">sendto(2)</a>, see
     * netlink(7). Pass the returned message to {@link #receiveReplies} to read the answers.
     *
     * {@snippet :
     * var sent = nl.send(NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[16]));
     * var links = nl.receiveReplies(sent);
     * }
     *
     * @param message the message
     * @return the message as sent, with its sequence number and port id
     * @throws SockClosedException if the socket is closed
     * @throws IOException if the send fails, such as {@code ECONNREFUSED} to a port nobody holds
     * @throws NullPointerException if {@code message} is null
     */
    public NetlinkMessage send(NetlinkMessage message) throws IOException {
        Objects.requireNonNull(message, "message");
        lock.lock();
        try {
            return send0(message);
        } finally {
            lock.unlock();
        }
    }

    private NetlinkMessage send0(NetlinkMessage message) throws IOException {
        if (stale) {
            discardQueued();
        }
        NetlinkHeader h = message.header();
        if (h.sequence() == 0) {
            h = h.withSequence(nextSequence());
        }
        if (h.pid() == 0) {
            h = h.withPid(pid);
        }
        NetlinkMessage m = new NetlinkMessage(h, message.raw());
        byte[] bytes = m.encode();
        int n = sock.sendTo(bytes, 0, bytes.length, peer);
        if (n != bytes.length) {
            throw new NetlinkTruncatedException("sendto sent " + n + " of the request's " + bytes.length + " bytes");
        }
        return m;
    }

    private int nextSequence() {
        sequence++;
        if (sequence == 0) {
            sequence = 1;
        }
        return sequence;
    }

    /**
     * Reads and checks the replies to a request sent with {@link #send}; see {@link #execute} for
     * what ends the exchange and what throws, and
     * <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a> and netlink(7).
     *
     * {@snippet :
     * var sent = nl.send(NetlinkMessage.request(18, NetlinkFlags.DUMP, new byte[16]));
     * nl.receiveReplies(sent).size()   // one message per link
     * }
     *
     * @param request the request as {@link #send} returned it
     * @return the replies, without {@code NLMSG_DONE} and acknowledgements
     * @throws NetlinkErrorException if the kernel refuses, with its errno and extended-ack text
     * @throws NetlinkWrongPortException if a reply carries another port id
     * @throws NetlinkWrongSequenceException if a reply carries another sequence number
     * @throws NetlinkDumpInterruptedException if the dump's table changed while it was read
     * @throws NetlinkTruncatedException if a datagram did not fit, or the dump ended early
     * @throws NetlinkMalformedException if a reply is malformed, such as a short {@code NLMSG_ERROR}
     * @throws NetlinkEventsLostException if the receive queue overflowed
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if receiving fails otherwise
     * @throws NullPointerException if {@code request} is null
     */
    public List<NetlinkMessage> receiveReplies(NetlinkMessage request) throws IOException {
        Objects.requireNonNull(request, "request");
        lock.lock();
        try {
            return replies0(request);
        } finally {
            lock.unlock();
        }
    }

    private List<NetlinkMessage> replies0(NetlinkMessage request) throws IOException {
        List<NetlinkMessage> out = new ArrayList<>();
        if (exchange(request, (data, offset, length) -> out.add(NetlinkMessage.copyOf(data, offset, length)))) {
            throw new NetlinkDumpInterruptedException(out);
        }
        return out;
    }

    /**
     * Takes each reply an exchange keeps, where it lies in the socket's copy of the datagram:
     * decoders read it there, and copy out only what they keep, since the next receive overwrites it.
     */
    @FunctionalInterface
    interface ReplySink {
        /**
         * Takes one reply: the message of {@code length} bytes (its checked {@code nlmsg_len}) at
         * {@code offset} of {@code data}, header first; valid only during the call.
         */
        void accept(byte[] data, int offset, int length) throws NetlinkException;
    }

    /**
     * Reads and checks the replies to a request already sent, as {@link #receiveReplies} does, and
     * hands each one it keeps to {@code sink} where it lies in the received datagram; under the lock.
     *
     * @return whether the dump was interrupted ({@code NLM_F_DUMP_INTR}); read to its end either way
     */
    boolean exchange(NetlinkMessage request, ReplySink sink) throws IOException {
        boolean clean = false;
        try {
            boolean interrupted = collect(request, sink);
            clean = true;
            return interrupted;
        } catch (NetlinkErrorException e) {
            clean = true;   // the kernel ended the exchange itself
            throw e;
        } finally {
            if (!clean) {
                stale = true;
            }
        }
    }

    /**
     * Sends a request and hands its replies to {@code sink} where they lie in the received datagram, as
     * {@link #execute} would return them; for decoders that keep only fields.
     *
     * @return whether the dump was interrupted ({@code NLM_F_DUMP_INTR})
     */
    boolean executeInPlace(NetlinkMessage request, ReplySink sink) throws IOException {
        lock.lock();
        try {
            return exchange(send0(request), sink);
        } finally {
            lock.unlock();
        }
    }

    /** The receive buffer's size now; it grows after a datagram did not fit. */
    long bufferSize() {
        lock.lock();
        try {
            return buffer.byteSize();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a request asks for a dump, whose datagrams the kernel fills to at most 32 KiB
     * ({@code max_recvmsg_len}, capped there, or {@code NLMSG_GOODSIZE}), so that they fit the
     * buffer without a peek; its error reply echoes it, hence the bound on its own length.
     */
    private boolean isSmallDump(NetlinkHeader request) {
        return (request.flags() & NetlinkFlags.DUMP) == NetlinkFlags.DUMP
                && Integer.toUnsignedLong(request.length()) <= buffer.byteSize() / 2;
    }

    private boolean collect(NetlinkMessage request, ReplySink sink) throws IOException {
        NetlinkHeader req = request.header();
        boolean wantAck = req.has(NetlinkFlags.ACK);
        boolean sized = !isSmallDump(req);
        int kept = 0;
        boolean multi = false;
        boolean interrupted = false;
        while (true) {
            int n;
            try {
                n = receiveDatagram(sized);
            } catch (NetlinkTruncatedException e) {
                if (multi) {
                    throw new NetlinkTruncatedException("dump cut short after " + kept + " messages: " + e.getMessage());
                }
                throw e;
            }
            byte[] d = datagram;
            for (int off = 0; off < n; ) {
                int m = off;
                int len = NetlinkMessage.checkedLength(d, 0, n, m);
                off = (int) Math.min(n, m + Wire.nlmsgAlign((long) len));
                check(req, Wire.u32(d, m + Wire.NLMSG_PID), Wire.u32(d, m + Wire.NLMSG_SEQ));
                int type = Wire.u16(d, m + Wire.NLMSG_TYPE);
                int flags = Wire.u16(d, m + Wire.NLMSG_FLAGS);
                if (type == NLMSG_NOOP) {
                    continue;
                }
                if (type == NLMSG_ERROR) {
                    Acks.checkError(NetlinkMessage.copyOf(d, m, len));
                    return interrupted;
                }
                if (type == NLMSG_DONE) {
                    if ((flags & NetlinkFlags.DUMP_INTR) != 0) {
                        interrupted = true;
                    }
                    Acks.checkDone(NetlinkMessage.copyOf(d, m, len), req.type());
                    return interrupted;
                }
                if (type == NLMSG_OVERRUN) {
                    throw new NetlinkEventsLostException("NLMSG_OVERRUN");
                }
                if ((flags & NetlinkFlags.DUMP_INTR) != 0) {
                    interrupted = true;
                }
                if ((flags & NetlinkFlags.MULTI) != 0) {
                    multi = true;
                    sink.accept(d, m, len);
                    kept++;
                } else if (multi) {
                    throw new NetlinkTruncatedException("dump cut short: after " + kept
                            + " parts, a message of type " + NetlinkHeader.typeName(type)
                            + " without NLM_F_MULTI came before NLMSG_DONE");
                } else {
                    sink.accept(d, m, len);
                    kept++;
                    if (!wantAck) {
                        return interrupted;
                    }
                }
            }
        }
    }

    /** The reply must carry this socket's port id (or 0) and the request's sequence number. */
    private void check(NetlinkHeader request, int replyPid, int replySequence) throws NetlinkException {
        if (replyPid != pid && replyPid != 0) {
            throw new NetlinkWrongPortException(pid, replyPid);
        }
        if (replySequence != request.sequence()) {
            throw new NetlinkWrongSequenceException(request.sequence(), replySequence);
        }
    }

    /** Drops every datagram already queued, without waiting; after an exchange failed part-way. */
    private void discardQueued() throws IOException {
        stale = false;
        long want;
        while ((want = peekLength()) >= 0) {
            fit(want);
            try {
                receiveOne();
            } catch (NetlinkTruncatedException | NetlinkEventsLostException e) {
                // dropped either way
            }
        }
    }

    // ------------------------------------------------------------------------------ receiving

    /**
     * Receives the next datagram from the kernel and returns its messages, unchecked: what a
     * subscriber to multicast groups reads;
     * <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a>, see netlink(7).
     * Waits until one arrives. The buffer is sized to the datagram first.
     *
     * {@snippet :
     * nl.joinGroup(1);                 // RTNLGRP_LINK
     * for (var m : nl.receive()) {     // waits for a link to change
     *     System.out.println(m.header());
     * }
     * }
     *
     * @return the datagram's messages, in order
     * @throws NetlinkEventsLostException if the receive queue overflowed ({@code ENOBUFS}): events
     *         were lost and the caller should read the state again
     * @throws NetlinkTruncatedException if the datagram did not fit the buffer
     * @throws NetlinkMalformedException if the datagram is not well-formed messages
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if receiving fails otherwise
     */
    public List<NetlinkMessage> receive() throws IOException {
        lock.lock();
        try {
            int n = receiveDatagram(true);
            return NetlinkMessage.parseAll(datagram, 0, n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Receives one whole datagram from the peer into the buffer and returns its length; when
     * {@code sized}, the buffer is first grown to the length a peek finds queued.
     */
    private int receiveDatagram(boolean sized) throws IOException {
        while (true) {
            if (sized) {
                fit(peekLength());
            }
            int n = receiveOne();
            if (n >= 0) {
                return n;
            }
        }
    }

    /** Grows the buffer to hold a datagram of {@code length} bytes, up to the limit. */
    private void fit(long length) {
        if (length > buffer.byteSize() && length <= maxBuffer) {
            buffer = arena.allocate(Math.min(maxBuffer, (length + 4095) & ~4095L), 16);
        }
    }

    /**
     * Receives one datagram into the buffer and returns its length; -1 if it came from someone
     * other than the peer (anyone may send to our port id), and was dropped. A datagram longer
     * than the buffer is lost whole (MSG_TRUNC tells): the buffer grows for the next one, and this
     * throws.
     */
    private int receiveOne() throws IOException {
        Received r;
        try {
            r = sock.recvFrom(buffer);
        } catch (SyscallException e) {
            if (e.errno() == EMSGSIZE) {
                long grown = Math.min(maxBuffer, buffer.byteSize() * 2);
                if (grown > buffer.byteSize()) {
                    buffer = arena.allocate(grown, 16);
                }
                throw new NetlinkTruncatedException("a datagram did not fit the receive buffer and was dropped whole ("
                        + e.getMessage() + ")");
            }
            if (e.errno() == ENOBUFS) {
                throw new NetlinkEventsLostException("recvfrom: ENOBUFS");
            }
            throw e;
        }
        if (!(r.from() instanceof SockaddrNetlink from) || from.pid() != peer.pid()) {
            return -1;
        }
        int n = Math.max(0, r.length());
        if (datagram.length < n) {
            datagram = new byte[(int) buffer.byteSize()];
        }
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, datagram, 0, n);
        return n;
    }

    /**
     * The length of the next queued datagram, or -1 if none is queued: recv(2) with
     * MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT and an empty buffer, which returns the full length.
     */
    private long peekLength() throws IOException {
        fdLock.lock();
        try {
            requireOpen("recv(MSG_PEEK)");
            while (true) {
                long n = Syscalls.recv(capture, sock.fd(), scratch, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
                if (n >= 0) {
                    return n;
                }
                int errno = Syscalls.errno(capture);
                if (errno == EAGAIN) {
                    return -1;
                }
                if (errno == ENOBUFS) {
                    throw new NetlinkEventsLostException("recv(MSG_PEEK): ENOBUFS");
                }
                if (errno != EINTR) {
                    throw new SyscallException("recv(MSG_PEEK|MSG_TRUNC)", errno, null);
                }
            }
        } finally {
            fdLock.unlock();
        }
    }

    /** Lowers the largest buffer the socket grows to; for tests of truncation. */
    void maxBuffer(int max) {
        lock.lock();
        try {
            maxBuffer = max;
            buffer = arena.allocate(Math.min(buffer.byteSize(), max), 16);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------ groups

    /**
     * Joins a multicast group, so that {@link #receive()} returns its events;
     * <a href="https://man7.org/linux/man-pages/man2/setsockopt.2.html">setsockopt(2)</a>
     * {@code SOL_NETLINK}, {@code NETLINK_ADD_MEMBERSHIP}, see netlink(7). Unlike the
     * {@code nl_groups} mask of the address, this reaches groups beyond 32.
     *
     * {@snippet :
     * nl.joinGroup(1);    // RTNLGRP_LINK
     * nl.joinGroup(33);   // RTNLGRP_BRVLAN: beyond the 32 bits of nl_groups
     * }
     *
     * @param group the group number, 1 or more, such as {@link RtnlGroup#LINK}'s value
     * @throws java.net.SocketException if the kernel refuses, such as {@code EINVAL} for a group the
     *         protocol lacks, or {@code EPERM} for one that needs privilege
     * @throws SockClosedException if the socket is closed
     * @throws IllegalArgumentException if {@code group} is 0 or negative
     */
    public void joinGroup(int group) throws IOException {
        checkGroup(group);
        setOption("NETLINK_ADD_MEMBERSHIP " + group, LibC.NETLINK_ADD_MEMBERSHIP(), group, false);
    }

    /**
     * Leaves a multicast group; <a href="https://man7.org/linux/man-pages/man2/setsockopt.2.html">setsockopt(2)</a>
     * {@code SOL_NETLINK}, {@code NETLINK_DROP_MEMBERSHIP}, see netlink(7). Leaving a group not
     * joined does nothing.
     *
     * {@snippet :
     * nl.leaveGroup(1);
     * }
     *
     * @param group the group number, 1 or more
     * @throws java.net.SocketException if the kernel refuses, such as {@code EINVAL} for a group the
     *         protocol lacks
     * @throws SockClosedException if the socket is closed
     * @throws IllegalArgumentException if {@code group} is 0 or negative
     */
    public void leaveGroup(int group) throws IOException {
        checkGroup(group);
        setOption("NETLINK_DROP_MEMBERSHIP " + group, LibC.NETLINK_DROP_MEMBERSHIP(), group, false);
    }

    private static void checkGroup(int group) {
        if (group <= 0) {
            throw new IllegalArgumentException("multicast group " + group + " is not a group: they are numbered from 1");
        }
    }

    /**
     * {@return the multicast groups this socket belongs to}, in ascending order;
     * <a href="https://man7.org/linux/man-pages/man2/getsockopt.2.html">getsockopt(2)</a>
     * {@code SOL_NETLINK}, {@code NETLINK_LIST_MEMBERSHIPS}, see netlink(7)
     *
     * {@snippet :
     * nl.joinGroup(33);
     * nl.groups()   // ==> [33]
     * }
     *
     * @throws java.net.SocketException if the kernel refuses
     * @throws SockClosedException if the socket is closed
     */
    public List<Integer> groups() throws IOException {
        fdLock.lock();
        try {
            requireOpen("getsockopt(NETLINK_LIST_MEMBERSHIPS)");
            MemorySegment buf = scratch;
            while (true) {
                scratchLen.set(ValueLayout.JAVA_INT, 0, (int) buf.byteSize());
                if (Syscalls.getsockopt(capture, sock.fd(), SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, buf, scratchLen) < 0) {
                    throw new SyscallException("getsockopt(SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS)", Syscalls.errno(capture), null);
                }
                int len = scratchLen.get(ValueLayout.JAVA_INT, 0);
                if (len <= buf.byteSize()) {
                    List<Integer> groups = new ArrayList<>();
                    for (int word = 0; word < len / 4; word++) {
                        int bits = buf.get(ValueLayout.JAVA_INT, word * 4L);
                        for (int bit = 0; bit < 32; bit++) {
                            if ((bits & (1 << bit)) != 0) {
                                groups.add(word * 32 + bit + 1);
                            }
                        }
                    }
                    return groups;
                }
                buf = arena.allocate(len, 8);
            }
        } finally {
            fdLock.unlock();
        }
    }

    /** setsockopt(SOL_NETLINK, name, &value, 4); ENOPROTOOPT ignored where the option is optional. */
    void setOption(String label, int name, int value, boolean optional) throws IOException {
        fdLock.lock();
        try {
            requireOpen("setsockopt(" + label + ")");
            scratch.set(ValueLayout.JAVA_INT, 0, value);
            if (Syscalls.setsockopt(capture, sock.fd(), SOL_NETLINK, name, scratch, 4) < 0) {
                int errno = Syscalls.errno(capture);
                if (!(optional && errno == ENOPROTOOPT)) {
                    throw new SyscallException("setsockopt(SOL_NETLINK, " + label + ")", errno, null);
                }
            }
        } finally {
            fdLock.unlock();
        }
    }

    private void requireOpen(String call) throws SockClosedException {
        if (closed || !sock.isOpen()) {
            throw new SockClosedException(call + ": the socket is closed");
        }
    }

    // ------------------------------------------------------------------------------ life cycle

    /**
     * Closes the socket; <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>.
     * A receive blocked in another thread wakes with a {@link SockClosedException}. Closing again
     * does nothing.
     *
     * {@snippet :
     * nl.close();
     * }
     */
    @Override
    public void close() {
        fdLock.lock();
        try {
            closed = true;
            sock.close();
        } finally {
            fdLock.unlock();
        }
    }

    /**
     * {@return a description}, such as {@code NetlinkSocket[NETLINK_ROUTE, pid 4242]}; see
     * netlink(7)
     *
     * {@snippet :
     * nl.toString()   // ==> "NetlinkSocket[NETLINK_ROUTE, pid 4242]"
     * }
     */
    @Override
    public String toString() {
        return "NetlinkSocket[" + protocol + ", pid " + Integer.toUnsignedString(pid) + (closed ? ", closed" : "") + "]";
    }
}
