package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.msghdr;
import io.github.panamasockets.internal.sys.FdRef;
import io.github.panamasockets.internal.sys.Poller;
import io.github.panamasockets.internal.sys.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static io.github.panamasockets.internal.sys.FdRef.CONTROL;
import static io.github.panamasockets.internal.sys.FdRef.READ;
import static io.github.panamasockets.internal.sys.FdRef.WRITE;

/**
 * A socket: an open file descriptor of any family and type, closed by {@link #close()}.
 *
 * <p>The methods are the BSD socket calls, each named after its system call and throwing a
 * {@link SyscallError} exception that names the call, the errno and the address when it fails.
 * Every descriptor is opened close-on-exec, and every send passes {@code MSG_NOSIGNAL}, so writing
 * to a closed peer is an exception, never a {@code SIGPIPE}.
 *
 * <h2>Threads</h2>
 * A socket may be used as a NIO channel is: one thread receiving (recv, recvFrom, accept) and one
 * sending (send, sendTo, connect) at the same time, with further callers of the same kind waiting
 * their turn, and {@link #close()} from any thread. A call blocked when another thread closes or
 * shuts down the socket wakes with a {@link SockClosedException} (after close) or end of stream
 * (after shutdown). The descriptor number is kept until every call on it has returned, so no
 * call can reach a file that later took the same number. A socket that becomes unreachable
 * without being closed is closed by a {@link Cleaner}. A socket that one thread alone uses may be
 * {@linkplain #confine() confined} to it, which spares each call the atomic instructions that
 * sharing takes.
 *
 * <h2>Allocation</h2>
 * Once compiled, send, recv, sendTo, recvFrom, and sendmsg and recvmsg without control data
 * allocate nothing, however deep in the caller's own code they are called: each makes its system
 * call in a method that the JIT compiles by itself, not inlined into the caller. An object that
 * the caller makes for one call and passes to it, such as a
 * {@linkplain MemorySegment#asSlice(long, long) slice} of a segment, is therefore allocated: send
 * from and receive into segments made once, or use the array methods, which take an offset and a
 * length.
 *
 * <h2>Blocking, non-blocking, timeouts and virtual threads</h2>
 * A new socket is in blocking mode: a call waits until it can be done. In
 * {@linkplain #setNonBlocking(boolean) non-blocking mode} a call that would wait returns at once
 * with {@link #WOULD_BLOCK} ({@code EAGAIN}), {@code null} from {@link #accept()}, or a pending
 * connection ({@code EINPROGRESS}; see {@link #finishConnect()}); {@link #poll(int, Duration)},
 * {@link Poll} and {@link EpollSelector} say when to try again. A
 * {@linkplain #setReceiveTimeout(Duration) receive timeout} bounds recv, recvFrom, recvmsg and
 * accept, a {@linkplain #setSendTimeout(Duration) send timeout} bounds send, sendTo, sendmsg and
 * connect; either raises {@link SyscallTimeoutException}, and a signal that interrupts the wait does
 * not start the time again.
 *
 * <p>A platform thread blocks in the system call itself, as C does. A virtual thread never does:
 * its calls are made non-blocking underneath and, when they would wait, the virtual thread parks
 * and its carrier thread runs other virtual threads until the socket is ready. Interrupting a
 * virtual thread that waits in a call ends the call with an {@link InterruptedIOException} and
 * leaves the socket open and unchanged (nothing was sent or received by the call), except that an
 * interrupted or timed-out {@link #connect(Sockaddr)} closes the socket, because the kernel would
 * go on connecting; the thread's interrupt status stays set. A platform thread blocked in a system
 * call is not woken by an interrupt, as with {@code java.net.Socket}: close the socket, shut it
 * down, or use a timeout.
 *
 * {@snippet :
 * import io.github.panamasockets.*;
 * import io.github.panamasockets.address.*;
 * try (var pair = Sock.pair(SockType.SEQPACKET)) {
 *     pair.first().send("hello".getBytes());
 *     byte[] buf = new byte[100];
 *     int n = pair.second().recv(buf);
 *     System.out.println(new String(buf, 0, n));   // hello
 * }
 * }
 */
public final class Sock implements AutoCloseable {

    /** Closes what is dropped unclosed: sockets here, and {@link EpollSelector}s. */
    static final Cleaner CLEANER = Cleaner.create();
    /**
     * The largest bounce buffer used for byte arrays and heap buffers on stream sockets, where a
     * call must go through native memory (see send0 and recvHeap).
     */
    private static final int CHUNK = 64 * 1024;
    /**
     * The most one call on a stream socket moves straight to or from heap memory. The garbage
     * collector waits for such a call, so it is bounded; about 100 µs of copying.
     */
    private static final int HEAP_MAX = 1024 * 1024;
    /** How much of a heap send on a stream waits for room in the kernel; see send0. */
    private static final int WAIT_PIECE = 4096;
    /** A heap receive of this much or more makes the next try first without waiting; see recvHeap. */
    private static final int BULK = 8 * 1024;
    private static final int NOSIGNAL = LibC.MSG_NOSIGNAL();
    private static final int DONTWAIT = LibC.MSG_DONTWAIT();
    private static final int TRUNC = LibC.MSG_TRUNC();
    private static final int CMSG_CLOEXEC = LibC.MSG_CMSG_CLOEXEC();
    private static final int WAITALL = LibC.MSG_WAITALL();
    private static final int PEEK = LibC.MSG_PEEK();
    private static final int EINTR = LibC.EINTR();
    private static final int EAGAIN = LibC.EAGAIN();
    private static final int EINPROGRESS = LibC.EINPROGRESS();
    private static final int O_NONBLOCK = LibC.O_NONBLOCK();
    private static final short POLLIN = (short) LibC.POLLIN();
    private static final short POLLOUT = (short) LibC.POLLOUT();
    private static final short POLLRDHUP = (short) LibC.POLLRDHUP();
    private static final short POLLHUP = (short) LibC.POLLHUP();

    /**
     * What a call that would block returns in non-blocking mode, or with {@link MsgFlags#DONTWAIT}:
     * the call found nothing to do ({@code EAGAIN}) and did nothing. Distinct from 0 (an empty
     * datagram) and -1 (end of stream).
     *
     * {@snippet :
     * var pair = Sock.pair(SockType.DGRAM);
     * pair.second().setNonBlocking(true).recv(new byte[10]) == Sock.WOULD_BLOCK   // ==> true
     * }
     */
    public static final int WOULD_BLOCK = -2;

    /*
     * How calls block, and how close wakes them.
     *
     * A platform thread in blocking mode with no timeout blocks in the system call itself: one
     * syscall per operation, as in C, so the blocking path costs what C's does. close() (and
     * FdRef) wake such a call with shutdown(SHUT_RDWR), which ends accept, recv and send on TCP,
     * UDP and Unix sockets.
     *
     * Every other call is made without blocking in the kernel (MSG_DONTWAIT, or O_NONBLOCK on the
     * fd for accept and connect) and, on EAGAIN, waits in await(): where shutdown wakes nothing
     * (netlink receives, sends on Unix datagram and seqpacket sockets, which wait on the peer's
     * queue, connection-oriented connects), where a timeout is set (a deadline survives EINTR;
     * the kernel's SO_RCVTIMEO would start again), and on virtual threads. await() parks a virtual
     * thread in the Poller, and makes a platform thread wait in poll(2) on the socket and FdRef's
     * wake-up eventfd. In non-blocking mode EAGAIN is returned instead, as WOULD_BLOCK.
     *
     * O_NONBLOCK on the fd (fdNonBlocking) is set while the socket is in non-blocking mode, during
     * a connect, and from the first accept that must not block, for the life of the listener.
     * EAGAIN with MSG_DONTWAIT or O_NONBLOCK means "not ready"; EAGAIN from a blocking fd without
     * MSG_DONTWAIT means the kernel's own SO_RCVTIMEO or SO_SNDTIMEO (set through setInt) ran out,
     * and throws SyscallTimeoutException.
     */

    private final FdRef ref;
    private final Family family;
    private final SockType type;
    /** Whether type is SOCK_STREAM, which the data paths ask on every call. */
    private final boolean stream;
    private final Protocol protocol;
    private final Cleaner.Cleanable cleanable;
    /** Waits go through poll(2) with a wake-up fd: shutdown(2) does not wake netlink calls. */
    private final boolean pollReceives;
    /**
     * Sends on Unix datagram and seqpacket sockets block on the peer's queue, which shutdown(2) of
     * this socket does not wake; they go through poll(2) too.
     */
    private final boolean pollSends;
    private final Scratch reader = new Scratch();
    private final Scratch writer = new Scratch();
    private final Scratch control;
    /** The thread this socket is confined to, or null; see {@link #confine()}. Set once. */
    private volatile Thread owner;
    /** Non-blocking mode, as the caller set it. */
    private volatile boolean nonBlocking;
    /** Whether O_NONBLOCK is set on the fd. Changed under modeLock. */
    private volatile boolean fdNonBlocking;
    /** Whether accept needed O_NONBLOCK, which then stays. Guarded by modeLock. */
    private boolean listenerNonBlocking;
    private final Object modeLock = new Object();
    /** The receive and send timeouts in nanoseconds; 0 for none. */
    private volatile long receiveTimeout;
    private volatile long sendTimeout;

    /** A non-blocking connect in progress, and its peer. Changed by calls of the write direction. */
    private volatile boolean connectPending;
    private Sockaddr pendingPeer;
    private InputStream in;
    private OutputStream out;

    /**
     * Native memory reused by one direction of calls, used by one call of that direction at a time (see enter): the errno
     * capture, an address buffer, a length, two pollfds, and a bounce buffer made on first use.
     */
    private static final class Scratch {
        private static final long CAPTURE_SIZE = (Syscalls.CAPTURE_LAYOUT.byteSize() + 7) & ~7L;
        private static final long VALUE_SIZE = 256;

        final Arena arena = Arena.ofAuto();
        /** One allocation, sliced: capture, address, length, option value, two pollfds, an epoll_event. */
        private final MemorySegment all = arena.allocate(CAPTURE_SIZE + Sockaddr.MAX_LENGTH + 8 + VALUE_SIZE + 32, 8);
        final MemorySegment capture = all.asSlice(0, Syscalls.CAPTURE_LAYOUT.byteSize());
        final MemorySegment addr = all.asSlice(CAPTURE_SIZE, Sockaddr.MAX_LENGTH);
        final MemorySegment len = all.asSlice(CAPTURE_SIZE + Sockaddr.MAX_LENGTH, 4);
        final MemorySegment value = all.asSlice(CAPTURE_SIZE + Sockaddr.MAX_LENGTH + 8, VALUE_SIZE);
        final MemorySegment pollfds = all.asSlice(CAPTURE_SIZE + Sockaddr.MAX_LENGTH + 8 + VALUE_SIZE, 16);
        final MemorySegment event = all.asSlice(CAPTURE_SIZE + Sockaddr.MAX_LENGTH + 8 + VALUE_SIZE + 16, 16);
        MemorySegment buffer = MemorySegment.NULL;

        /** msghdr, iovecs and control data for sendmsg and recvmsg, grown on demand. */
        MemorySegment aux = MemorySegment.NULL;

        /** The msghdr at the start of aux, kept as a segment so that a call makes none. */
        MemorySegment msg = MemorySegment.NULL;

        MemorySegment aux(long size) {
            if (aux.byteSize() < size) {
                aux = arena.allocate(Math.max(size, 1024), 16);
                msg = aux.asSlice(0, msghdr.layout().byteSize());
            }
            return aux;
        }

        /** The buffers of sendmsg and recvmsg and their iovecs; see MsgBuffers. */
        final MsgBuffers buffers = new MsgBuffers();

        MemorySegment buffer(long size) {
            if (buffer.byteSize() < size) {
                buffer = arena.allocate(Math.max(size, 4096), 16);
            }
            return buffer;
        }

        /** {@return the native buffer, holding a copy of the first {@code length} bytes of {@code src}} */
        MemorySegment copy(MemorySegment src, int length) {
            MemorySegment buf = buffer(length);
            MemorySegment.copy(src, 0, buf, 0, length);
            return buf;
        }

        int errno() {
            return Syscalls.errno(capture);
        }

        /**
         * The direct buffer or array last seen, a segment over all of its memory, and the last
         * slice of it. The buffer or array stays reachable from here until another comes or the
         * socket is dropped.
         */
        private Object seen;
        private MemorySegment seenMemory = MemorySegment.NULL;
        private MemorySegment seenSlice;
        private long seenOffset;
        private long seenLength;

        /**
         * {@return the bytes between a direct buffer's position and limit}, as a slice of a segment
         * made once per buffer, where MemorySegment.ofBuffer would make one per call; the same slice
         * again while the buffer comes back with the same position and limit (as after clear()),
         * so that no call allocates even where the JIT cannot prove the slice stays local
         */
        MemorySegment segment(ByteBuffer b) {
            if (b != seen) {
                seenMemory = MemorySegment.ofBuffer(b.duplicate().clear());
                seen = b;
                seenSlice = null;
            }
            return slice(b.position(), b.remaining());
        }

        /** {@return a range of an array as a heap segment}, cached as {@link #segment(ByteBuffer)} is */
        MemorySegment segment(byte[] a, int offset, long length) {
            if (a != seen) {
                seenMemory = MemorySegment.ofArray(a);
                seen = a;
                seenSlice = null;
            }
            return slice(offset, length);
        }

        private MemorySegment slice(long offset, long length) {
            if (seenSlice == null || offset != seenOffset || length != seenLength) {
                seenSlice = seenMemory.asSlice(offset, length);
                seenOffset = offset;
                seenLength = length;
            }
            return seenSlice;
        }

        /**
         * Whether the last receive into heap memory brought {@link #BULK} bytes or more: the next
         * then first tries without waiting, straight into the caller's memory (see recvHeap).
         */
        boolean bulk;

        /**
         * Whether the last heap send on a stream, where a blocking one would have been made, was
         * taken only in part: the buffer is full; see send0.
         */
        boolean full;

        /** The destination whose encoding {@link #addr} holds, and its length; see {@link #encode}. */
        Sockaddr encoded;
        private int encodedLength;

        /**
         * {@return the length of {@code to} encoded in {@link #addr}}, 0 for null: encoded again only
         * when it is another address than the last, as a loop sending to one peer gives
         */
        int encode(Sockaddr to) {
            if (to == null) {
                return 0;
            }
            if (to != encoded) {
                encodedLength = to.encode(addr);
                encoded = to;
            }
            return encodedLength;
        }

        /** The sender of the last recvfrom or recvmsg made through this scratch; see Sock.sender. */
        Sockaddr from;
        /** The last recvfrom result; see Sock.received. */
        Received received;
        /** The last recvmsg result without control messages; see Sock.recvmsg0. */
        MsgResult result;
        private Sockaddr lastSender;
        private int lastSenderLength;
        private MemorySegment lastSenderBytes = MemorySegment.NULL;

        /** {@return the address in {@link #addr}, {@code len} bytes}: the last one when they are equal */
        Sockaddr sender(int len) {
            if (len == lastSenderLength && lastSender != null && sameBytes(addr, lastSenderBytes, len)) {
                return lastSender;
            }
            Sockaddr a = Sockaddr.decode(addr, len);
            if (lastSenderBytes.byteSize() == 0) {
                lastSenderBytes = arena.allocate(Sockaddr.MAX_LENGTH, 8);
            }
            MemorySegment.copy(addr, 0, lastSenderBytes, 0, len);
            lastSenderLength = len;
            return lastSender = a;
        }

        /**
         * Compares the first {@code len} bytes, a word at a time: MemorySegment.mismatch makes
         * slices, which escape where the JIT does not inline it.
         */
        private static boolean sameBytes(MemorySegment a, MemorySegment b, int len) {
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                if (a.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != b.get(ValueLayout.JAVA_LONG_UNALIGNED, i)) {
                    return false;
                }
            }
            for (; i < len; i++) {
                if (a.get(ValueLayout.JAVA_BYTE, i) != b.get(ValueLayout.JAVA_BYTE, i)) {
                    return false;
                }
            }
            return true;
        }
    }

    private Sock(int fd, Family family, SockType type, Protocol protocol, Scratch control) {
        this.control = control;
        boolean netlink = family.equals(Family.NETLINK);
        this.ref = new FdRef(fd, !netlink);
        this.family = family;
        this.type = type;
        this.stream = type.equals(SockType.STREAM);
        this.protocol = protocol;
        this.pollReceives = netlink;
        this.pollSends = netlink || family.equals(Family.UNIX) && !stream;
        FdRef r = ref;
        this.cleanable = CLEANER.register(this, r::closeUnreachable);
    }

    // ------------------------------------------------------------------------------ creation

    /**
     * Opens a socket with the family's default protocol;
     * <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a> with
     * {@code SOCK_CLOEXEC}.
     *
     * {@snippet :
     * var s = Sock.open(Family.INET, SockType.DGRAM);   // a UDP socket
     * }
     *
     * @param family the address family
     * @param type the socket type
     * @return the open socket
     * @throws SocketException if the kernel refuses, such as {@code EAFNOSUPPORT} or
     *         {@code EPROTONOSUPPORT}
     * @throws NullPointerException if an argument is null
     */
    public static Sock open(Family family, SockType type) throws IOException {
        return open(family, type, Protocol.DEFAULT);
    }

    /**
     * Opens a socket; <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
     * with {@code SOCK_CLOEXEC}.
     *
     * {@snippet :
     * var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
     * }
     *
     * @param family the address family
     * @param type the socket type
     * @param protocol the protocol, or {@link Protocol#DEFAULT}
     * @return the open socket
     * @throws SocketException if the kernel refuses, such as {@code EPERM} for a raw socket without
     *         {@code CAP_NET_RAW}
     * @throws NullPointerException if an argument is null
     */
    public static Sock open(Family family, SockType type, Protocol protocol) throws IOException {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(protocol, "protocol");
        // The new socket's own control scratch serves the call: no arena per call.
        Scratch control = new Scratch();
        int fd = Syscalls.socket(control.capture, family.value(), type.value() | LibC.SOCK_CLOEXEC(), protocol.value());
        if (fd < 0) {
            throw Errors.of("socket(" + family + ", " + type + ", " + protocol + ")", control.errno(), null);
        }
        return new Sock(fd, family, type, protocol, control);
    }

    /**
     * Opens a connected pair of Unix sockets;
     * <a href="https://man7.org/linux/man-pages/man2/socketpair.2.html">socketpair(2)</a> with
     * {@code AF_UNIX} and {@code SOCK_CLOEXEC}. Both ends are unnamed.
     *
     * {@snippet :
     * try (var p = Sock.pair(SockType.DGRAM)) {
     *     p.first().send(new byte[] {1, 2, 3});
     *     p.second().recv(new byte[10]);   // ==> 3
     * }
     * }
     *
     * @param type {@link SockType#STREAM}, {@link SockType#DGRAM} or {@link SockType#SEQPACKET}
     * @return the two connected sockets
     * @throws SocketException if the kernel refuses
     * @throws NullPointerException if {@code type} is null
     */
    public static SockPair pair(SockType type) throws IOException {
        Objects.requireNonNull(type, "type");
        Scratch control = new Scratch();
        MemorySegment fds = control.value;
        if (Syscalls.socketpair(control.capture, Family.UNIX.value(), type.value() | LibC.SOCK_CLOEXEC(), 0, fds) < 0) {
            throw Errors.of("socketpair(AF_UNIX, " + type + ")", control.errno(), null);
        }
        return new SockPair(new Sock(fds.getAtIndex(ValueLayout.JAVA_INT, 0), Family.UNIX, type, Protocol.DEFAULT, control),
                new Sock(fds.getAtIndex(ValueLayout.JAVA_INT, 1), Family.UNIX, type, Protocol.DEFAULT, new Scratch()));
    }

    /**
     * Takes ownership of an open socket descriptor, such as one inherited from systemd or received
     * from another process. Its family, type and protocol are read with
     * <a href="https://man7.org/linux/man-pages/man2/getsockopt.2.html">getsockopt(2)</a>
     * ({@code SO_DOMAIN}, {@code SO_TYPE}, {@code SO_PROTOCOL}); close-on-exec is set on it, and
     * it is put in blocking mode, which every call here expects. The receive and send timeouts it
     * came with ({@code SO_RCVTIMEO}, {@code SO_SNDTIMEO}) are kept, as
     * {@link #receiveTimeout()} and {@link #sendTimeout()}. Closing the returned socket closes the
     * descriptor.
     *
     * {@snippet :
     * var s = Sock.adopt(3);   // the first socket systemd passes
     * }
     *
     * @param fd an open socket descriptor that nothing else will close
     * @return the socket
     * @throws SocketException if {@code fd} is not open ({@code EBADF}) or not a socket
     *         ({@code ENOTSOCK})
     * @throws IllegalArgumentException if {@code fd} is negative
     */
    public static Sock adopt(int fd) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative");
        }
        Scratch control = new Scratch();
        MemorySegment capture = control.capture;
        MemorySegment value = control.value;
        MemorySegment len = control.len;
        int[] got = new int[3];
        int[] names = {LibC.SO_DOMAIN(), LibC.SO_TYPE(), LibC.SO_PROTOCOL()};
        String[] labels = {"SO_DOMAIN", "SO_TYPE", "SO_PROTOCOL"};
        for (int i = 0; i < 3; i++) {
            len.set(ValueLayout.JAVA_INT, 0, 4);
            if (Syscalls.getsockopt(capture, fd, LibC.SOL_SOCKET(), names[i], value, len) < 0) {
                throw Errors.of("getsockopt(fd " + fd + ", " + labels[i] + ")", Syscalls.errno(capture), null);
            }
            got[i] = value.get(ValueLayout.JAVA_INT, 0);
        }
        int flags = Syscalls.fcntl(capture, fd, LibC.F_GETFD(), 0);
        if (flags < 0 || Syscalls.fcntl(capture, fd, LibC.F_SETFD(), flags | LibC.FD_CLOEXEC()) < 0) {
            throw Errors.of("fcntl(fd " + fd + ", F_SETFD, FD_CLOEXEC)", Syscalls.errno(capture), null);
        }
        int status = Syscalls.fcntl(capture, fd, LibC.F_GETFL(), 0);
        if (status < 0 || (status & LibC.O_NONBLOCK()) != 0
                && Syscalls.fcntl(capture, fd, LibC.F_SETFL(), status & ~LibC.O_NONBLOCK()) < 0) {
            throw Errors.of("fcntl(fd " + fd + ", F_SETFL, blocking)", Syscalls.errno(capture), null);
        }
        long receive = kernelTimeout(control, fd, SockOpt.SO_RCVTIMEO);
        long send = kernelTimeout(control, fd, SockOpt.SO_SNDTIMEO);
        Family family = Family.of(got[0]);
        Sock s = new Sock(fd, family, SockType.of(got[1]), Protocol.of(family, got[2]), control);
        s.receiveTimeout = receive;
        s.sendTimeout = send;
        return s;
    }

    /**
     * {@return the SO_RCVTIMEO or SO_SNDTIMEO a descriptor came with}, in nanoseconds: an adopted
     * socket keeps them, and the library enforces them where the kernel's would not act (virtual
     * threads and poll(2) waits never block in the kernel's call).
     */
    private static long kernelTimeout(Scratch s, int fd, SockOpt<Duration> option) throws IOException {
        s.len.set(ValueLayout.JAVA_INT, 0, (int) s.value.byteSize());
        if (Syscalls.getsockopt(s.capture, fd, option.level(), option.optname(), s.value, s.len) < 0) {
            throw Errors.of("getsockopt(fd " + fd + ", " + option + ")", s.errno(), null);
        }
        return nanos(option.decode(s.value, s.len.get(ValueLayout.JAVA_INT, 0), null));
    }

    // ------------------------------------------------------------------------------ identity

    /**
     * {@return the address family}
     *
     * {@snippet :
     * Sock.open(Family.INET6, SockType.DGRAM).family()   // ==> AF_INET6
     * }
     */
    public Family family() {
        return family;
    }

    /**
     * {@return the socket type}
     *
     * {@snippet :
     * Sock.open(Family.UNIX, SockType.SEQPACKET).type()   // ==> SOCK_SEQPACKET
     * }
     */
    public SockType type() {
        return type;
    }

    /**
     * {@return the protocol it was opened with}
     *
     * {@snippet :
     * Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).protocol()   // ==> NETLINK_ROUTE
     * }
     */
    public Protocol protocol() {
        return protocol;
    }

    /**
     * {@return the descriptor number}, for passing to other processes or native code. It stays
     * valid until {@link #close()}; closing it elsewhere breaks this socket.
     *
     * {@snippet :
     * Sock.open(Family.UNIX, SockType.DGRAM).fd()   // ==> 7, say
     * }
     */
    public int fd() {
        return ref.fd();
    }

    /**
     * {@return whether {@link #close()} has not been called}
     *
     * {@snippet :
     * var s = Sock.open(Family.UNIX, SockType.DGRAM);
     * s.close();
     * s.isOpen()   // ==> false
     * }
     */
    public boolean isOpen() {
        return !ref.isClosed();
    }

    /**
     * Confines this socket to the calling thread, for the rest of its life, as
     * {@link java.lang.foreign.Arena#ofConfined()} confines memory. Its calls then cost what the
     * system call does and little more: a shared socket claims and frees a direction of calls
     * with an atomic instruction at each end of every call, so that threads take turns and a
     * close from another thread waits for the calls in flight; a confined socket needs neither,
     * since only its owner may use it.
     *
     * <p>After this, every call from another thread, {@link #close()} included, throws
     * {@link WrongThreadException}, and leaves the socket as it was; {@link Poll},
     * {@link EpollSelector}, {@link #fd()}, {@link #isOpen()} and {@code toString} still work from
     * any thread. Nothing can then wake the owner from another thread, so a confined socket that
     * may have to stop waiting wants a timeout or non-blocking mode. An accepted socket is not
     * confined. Not for jshell, which may run each snippet in a thread of its own.
     *
     * {@snippet :
     * try (var pair = Sock.pair(SockType.SEQPACKET)) {
     *     Sock a = pair.first().confine();
     *     Sock b = pair.second().confine();
     *     a.send(new byte[] {1});
     *     b.recv(new byte[1]);   // ==> 1
     * }
     * }
     *
     * @return this socket
     * @throws SockClosedException if the socket is closed
     * @throws WrongThreadException if it is confined to another thread
     * @throws IllegalStateException if a call is in flight in another thread
     */
    public Sock confine() throws SockClosedException {
        Thread me = Thread.currentThread();
        Thread o = owner;
        if (o == me) {
            return this;
        }
        if (o != null) {
            throw wrongThread("confine");
        }
        boolean open;
        try {
            open = ref.confine();
        } catch (IllegalStateException e) {
            if (owner != null) {
                throw wrongThread("confine");       // another thread confined it first
            }
            throw new IllegalStateException("confine " + this + ": " + e.getMessage(), e);
        }
        if (!open) {
            throw new SockClosedException("confine: the socket is closed");
        }
        owner = me;
        return this;
    }

    /**
     * {@return the thread the socket is confined to}, if {@link #confine()} was called
     *
     * {@snippet :
     * Sock.open(Family.UNIX, SockType.DGRAM).owner()   // ==> Optional.empty
     * }
     */
    public java.util.Optional<Thread> owner() {
        return java.util.Optional.ofNullable(owner);
    }

    /** The descriptor's owner, for {@link Poll} and {@link EpollSelector}. */
    FdRef ref() {
        return ref;
    }

    // ------------------------------------------------------------------------------ blocking

    /**
     * Switches non-blocking mode on or off; fcntl(2) {@code F_SETFL} with or without
     * {@code O_NONBLOCK}. In non-blocking mode a call that would wait returns at once:
     * {@link #WOULD_BLOCK} from send, recv and their kin, null from {@link #accept()}, a
     * {@linkplain #isConnectPending() pending} connection from {@link #connect(Sockaddr)}; see
     * socket(7) and connect(2) on {@code EAGAIN} and {@code EINPROGRESS}. {@link #sendAll},
     * {@link #inputStream()} and {@link #outputStream()} need blocking mode. Calls already waiting
     * in other threads go on waiting.
     *
     * {@snippet :
     * var pair = Sock.pair(SockType.STREAM);
     * pair.second().setNonBlocking(true).recv(new byte[10])   // ==> -2, Sock.WOULD_BLOCK: no data yet
     * }
     *
     * @param on true for non-blocking mode, false for blocking mode
     * @return this socket
     * @throws SockClosedException if the socket is closed
     * @throws SocketException if fcntl(2) fails
     */
    public Sock setNonBlocking(boolean on) throws IOException {
        enter(CONTROL, "fcntl");
        try {
            synchronized (modeLock) {
                nonBlocking = on;
                applyFdMode("fcntl", control, false);
            }
            return this;
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * {@return whether the socket is in non-blocking mode}; see {@link #setNonBlocking(boolean)}
     *
     * {@snippet :
     * Sock.open(Family.UNIX, SockType.STREAM).isNonBlocking()   // ==> false
     * }
     */
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    /**
     * Sets how long recv, recvFrom, recvmsg and accept wait; setsockopt(2) {@code SO_RCVTIMEO},
     * which the library also enforces itself, on every wait (virtual threads and poll(2) waits
     * included), counting the time from the start of the call even across signals (socket(7)).
     * When it passes, the call throws {@link SyscallTimeoutException} and the socket stays usable.
     * The same as {@code set(SockOpt.SO_RCVTIMEO, timeout)}.
     *
     * {@snippet :
     * var pair = Sock.pair(SockType.DGRAM);
     * pair.second().setReceiveTimeout(java.time.Duration.ofMillis(200)).recv(new byte[10]);
     * // ==> SyscallTimeoutException after 200 ms
     * }
     *
     * @param timeout how long; {@link Duration#ZERO} to wait forever
     * @return this socket
     * @throws SockClosedException if the socket is closed
     * @throws SocketException if setsockopt(2) fails
     * @throws IllegalArgumentException if the timeout is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public Sock setReceiveTimeout(Duration timeout) throws IOException {
        return set(SockOpt.SO_RCVTIMEO, timeout);
    }

    /**
     * {@return the receive timeout}; {@link Duration#ZERO} for none
     *
     * {@snippet :
     * Sock.open(Family.UNIX, SockType.STREAM).receiveTimeout()   // ==> PT0S
     * }
     */
    public Duration receiveTimeout() {
        return Duration.ofNanos(receiveTimeout);
    }

    /**
     * Sets how long send, sendTo, sendmsg, sendAll (each of its calls) and connect wait;
     * setsockopt(2) {@code SO_SNDTIMEO}, enforced by the library as
     * {@link #setReceiveTimeout(Duration)} describes. The same as
     * {@code set(SockOpt.SO_SNDTIMEO, timeout)}.
     *
     * {@snippet :
     * var c = Sock.open(Family.UNIX, SockType.STREAM).setSendTimeout(java.time.Duration.ofSeconds(1));
     * }
     *
     * @param timeout how long; {@link Duration#ZERO} to wait forever
     * @return this socket
     * @throws SockClosedException if the socket is closed
     * @throws SocketException if setsockopt(2) fails
     * @throws IllegalArgumentException if the timeout is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public Sock setSendTimeout(Duration timeout) throws IOException {
        return set(SockOpt.SO_SNDTIMEO, timeout);
    }

    /**
     * {@return the send timeout}; {@link Duration#ZERO} for none
     *
     * {@snippet :
     * Sock.open(Family.UNIX, SockType.STREAM).sendTimeout()   // ==> PT0S
     * }
     */
    public Duration sendTimeout() {
        return Duration.ofNanos(sendTimeout);
    }

    /**
     * Waits until the socket is ready for any of {@code events}, or the timeout passes;
     * <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a> on this socket alone
     * (a virtual thread parks instead). See {@link Poll} for several descriptors at once.
     *
     * {@snippet :
     * var pair = Sock.pair(SockType.STREAM);
     * pair.first().send("x".getBytes());
     * PollEvents.toString(pair.second().poll(PollEvents.IN, java.time.Duration.ofSeconds(1)))   // ==> "POLLIN"
     * }
     *
     * @param events {@link PollEvents} such as {@link PollEvents#IN} | {@link PollEvents#OUT}
     * @param timeout how long to wait at most; {@link Duration#ZERO} to look without waiting
     * @return the events that occurred ({@code revents}), which may include
     *         {@link PollEvents#ERR}, {@link PollEvents#HUP} and {@link PollEvents#NVAL} (the socket
     *         was closed during the wait) though not asked for; 0 if the time passed
     * @throws SockClosedException if the socket was closed before the call
     * @throws InterruptedIOException if the calling virtual thread was interrupted
     * @throws IllegalArgumentException if {@code events} has bits poll(2) does not know, or the
     *         timeout is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public int poll(int events, Duration timeout) throws IOException {
        List<Poll.Ready> ready = Poll.poll(timeout, Poll.of(this, events));
        return ready.isEmpty() ? 0 : ready.get(0).events();
    }

    /**
     * Waits, with no time limit, until the socket is ready for any of {@code events};
     * <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>, as
     * {@link #poll(int, Duration)} does.
     *
     * {@snippet :
     * pair.second().poll(PollEvents.IN)   // returns when data arrives
     * }
     *
     * @param events {@link PollEvents} to wait for
     * @return the events that occurred
     * @throws SockClosedException if the socket was closed before the call
     * @throws InterruptedIOException if the calling virtual thread was interrupted
     * @throws IllegalArgumentException if {@code events} has bits poll(2) does not know
     */
    public int poll(int events) throws IOException {
        return Poll.poll(Poll.of(this, events)).get(0).events();
    }

    /**
     * Sets or clears O_NONBLOCK on the fd as the mode needs: set in non-blocking mode, on a listener
     * whose accept needed it, and while {@code connecting}.
     */
    private void applyFdMode(String call, Scratch s, boolean connecting) throws IOException {
        synchronized (modeLock) {
            boolean want = connecting || nonBlocking || listenerNonBlocking;
            if (want == fdNonBlocking) {
                return;
            }
            int fd = ref.fd();
            int flags = Syscalls.fcntl(s.capture, fd, LibC.F_GETFL(), 0);
            if (flags < 0 || Syscalls.fcntl(s.capture, fd, LibC.F_SETFL(),
                    want ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0) {
                throw error(call + " (fcntl F_SETFL" + (want ? " O_NONBLOCK" : "") + ")", s.errno(), null);
            }
            fdNonBlocking = want;
        }
    }

    /** accept has no MSG_DONTWAIT: a listener that must not block gets O_NONBLOCK for good. */
    private void listenerNonBlocking() throws IOException {
        synchronized (modeLock) {
            listenerNonBlocking = true;
            applyFdMode("accept", reader, false);
        }
    }

    /** {@return a positive duration in nanoseconds}, saturated at Long.MAX_VALUE */
    static long positiveNanos(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " " + d + " is not positive");
        }
        return nanos(d);
    }

    /** {@return a non-negative duration in nanoseconds}, saturated at Long.MAX_VALUE */
    static long nanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    // ------------------------------------------------------------------------------ life cycle

    /**
     * Gives the socket a local address;
     * <a href="https://man7.org/linux/man-pages/man2/bind.2.html">bind(2)</a>.
     *
     * {@snippet :
     * var s = Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.abstractName("demo"));
     * }
     *
     * @param address the address, of this socket's family; port 0 or
     *        {@link SockaddrUnix#unnamed()} ask the kernel to choose
     * @return this socket
     * @throws java.net.BindException if the address is in use, not local, or not permitted
     * @throws SocketException if the call fails otherwise, or the socket is closed
     * @throws IllegalArgumentException if the address is of another family
     * @throws NullPointerException if {@code address} is null
     */
    public Sock bind(Sockaddr address) throws IOException {
        checkFamily("bind", address);
        enter(CONTROL, "bind");
        try {
            int len = address.encode(control.addr);
            if (Syscalls.bind(control.capture, ref.fd(), control.addr, len) < 0) {
                throw error("bind", control.errno(), address);
            }
            return this;
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Marks a stream or seqpacket socket as accepting connections, with the system's largest
     * backlog ({@code SOMAXCONN}); <a href="https://man7.org/linux/man-pages/man2/listen.2.html">listen(2)</a>.
     *
     * {@snippet :
     * var server = Sock.open(Family.UNIX, SockType.SEQPACKET).bind(SockaddrUnix.abstractName("svc")).listen();
     * }
     *
     * @return this socket
     * @throws SocketException if the socket's type cannot listen ({@code EOPNOTSUPP}), or it is
     *         closed
     */
    public Sock listen() throws IOException {
        return listen(LibC.SOMAXCONN());
    }

    /**
     * Marks a stream or seqpacket socket as accepting connections;
     * <a href="https://man7.org/linux/man-pages/man2/listen.2.html">listen(2)</a>. An unbound
     * socket is bound to an ephemeral port or an autobind name first, by the kernel.
     *
     * {@snippet :
     * var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen(16);
     * }
     *
     * @param backlog how many connections may wait to be accepted, 0 or more; the kernel caps it
     *        at {@code net.core.somaxconn}
     * @return this socket
     * @throws SocketException if the socket's type cannot listen ({@code EOPNOTSUPP}), or it is
     *         closed
     * @throws IllegalArgumentException if {@code backlog} is negative
     */
    public Sock listen(int backlog) throws IOException {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog " + backlog + " is negative; use 0 or more");
        }
        enter(CONTROL, "listen");
        try {
            if (Syscalls.listen(control.capture, ref.fd(), backlog) < 0) {
                throw error("listen", control.errno(), null);
            }
            return this;
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Waits for and accepts a connection;
     * <a href="https://man7.org/linux/man-pages/man2/accept.2.html">accept4(2)</a> with
     * {@code SOCK_CLOEXEC}.
     *
     * {@snippet :
     * var conn = server.accept();
     * conn.peer();      // who connected
     * conn.socket();    // the connected socket
     * }
     *
     * <p>In non-blocking mode it returns null when no connection is waiting. The receive timeout,
     * if set, bounds the wait. The accepted socket is in blocking mode, with no timeouts.
     *
     * @return the connected socket and the peer's address; null in non-blocking mode when no
     *         connection is waiting
     * @throws SyscallTimeoutException if the receive timeout passed first
     * @throws InterruptedIOException if the calling virtual thread was interrupted while waiting
     * @throws SockClosedException if this socket is closed, before or during the call
     * @throws SocketException if the socket is not listening ({@code EINVAL}) or the call fails
     */
    public Accepted accept() throws IOException {
        enter(READ, "accept");
        try {
            long timeout = receiveTimeout;
            if (!fdNonBlocking && mustNotBlock(false, timeout)) {
                listenerNonBlocking();
            }
            long deadline = 0;
            boolean waited = false;
            while (true) {
                reader.len.set(ValueLayout.JAVA_INT, 0, Sockaddr.MAX_LENGTH);
                int fd = Syscalls.accept4(reader.capture, ref.fd(), reader.addr, reader.len, LibC.SOCK_CLOEXEC());
                if (fd >= 0) {
                    Sock s = new Sock(fd, family, type, protocol, new Scratch());
                    if (timeout != 0 || sendTimeout != 0) {
                        clearTimeouts(s);
                    }
                    return new Accepted(s, decode(reader));
                }
                int errno = reader.errno();
                if (errno == EAGAIN && fdNonBlocking) {
                    if (nonBlocking) {
                        return null;
                    }
                    if (waited && receiveShutDown()) {
                        // A Unix listener shut down: readable for good, yet EAGAIN for good to a
                        // non-blocking accept; the blocking accept ends with EINVAL, and so does this.
                        throw error("accept", LibC.EINVAL(), null);
                    }
                    deadline = await("accept", reader, POLLIN, deadline, timeout);
                    waited = true;
                } else if (errno != EINTR && errno != LibC.ECONNABORTED()) {
                    throw error("accept", errno, null);
                }
            }
        } finally {
            exit(READ);
        }
    }

    /**
     * Clears the timeouts an accepted socket took from its listener: TCP copies SO_RCVTIMEO and
     * SO_SNDTIMEO to the sockets it accepts (Unix sockets start afresh), so a blocking recv on the
     * new socket would time out in the kernel while {@link #receiveTimeout()} says it has none.
     * Closes the socket if the kernel refuses.
     */
    private static void clearTimeouts(Sock s) throws IOException {
        try {
            s.set(SockOpt.SO_RCVTIMEO, Duration.ZERO).set(SockOpt.SO_SNDTIMEO, Duration.ZERO);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Connects to a peer; <a href="https://man7.org/linux/man-pages/man2/connect.2.html">connect(2)</a>.
     * On a datagram socket it sets the only peer that datagrams are sent to and received from.
     *
     * <p>The wait for a stream connection is done with poll(2) (or, on a virtual thread, by
     * parking), so that {@link #close()} from another thread ends it; the
     * {@linkplain #setSendTimeout(Duration) send timeout}, if set, bounds it, as {@code SO_SNDTIMEO}
     * bounds connect(2) in the kernel. In non-blocking mode a stream connection that cannot be made
     * at once is left in progress ({@code EINPROGRESS}): {@link #isConnectPending()} is then true,
     * and {@link #finishConnect()} completes it.
     *
     * {@snippet :
     * var c = Sock.open(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.of("/run/app.sock"));
     * }
     *
     * @param address the peer, of this socket's family
     * @return this socket
     * @throws java.net.ConnectException if the peer refuses ({@code ECONNREFUSED}) or does not
     *         answer ({@code ETIMEDOUT})
     * @throws SyscallTimeoutException if the send timeout passed first; the socket is closed
     * @throws InterruptedIOException if the calling virtual thread was interrupted; the socket is
     *         closed
     * @throws SyscallException with {@code EAGAIN} in non-blocking mode when a Unix listener's
     *         backlog is full: no connection was started
     * @throws SocketException if the call fails otherwise, or the socket is closed
     * @throws IllegalArgumentException if the address is of another family
     * @throws NullPointerException if {@code address} is null
     */
    public Sock connect(Sockaddr address) throws IOException {
        checkFamily("connect", address);
        return connect0(address, sendTimeout);
    }

    /**
     * Connects to a peer, waiting at most {@code timeout};
     * <a href="https://man7.org/linux/man-pages/man2/connect.2.html">connect(2)</a> with
     * {@code O_NONBLOCK}, then poll(2) for the outcome. If the time passes first, the socket is
     * closed (the kernel would go on trying) and {@link SyscallTimeoutException} is thrown, as
     * {@code java.net.Socket.connect(address, timeout)} does.
     *
     * {@snippet :
     * var c = Sock.open(Family.INET, SockType.STREAM)
     *         .connect(SockaddrInet4.loopback(8080), java.time.Duration.ofSeconds(2));
     * }
     *
     * @param address the peer, of this socket's family
     * @param timeout how long to wait, more than zero
     * @return this socket
     * @throws SyscallTimeoutException if no connection was made in time; the socket is closed
     * @throws java.net.ConnectException if the peer refuses ({@code ECONNREFUSED})
     * @throws InterruptedIOException if the calling virtual thread was interrupted; the socket is
     *         closed
     * @throws SocketException if the call fails otherwise, or the socket is closed
     * @throws IllegalArgumentException if the address is of another family, or the timeout is not
     *         positive
     * @throws NullPointerException if an argument is null
     */
    public Sock connect(Sockaddr address, Duration timeout) throws IOException {
        checkFamily("connect", address);
        return connect0(address, positiveNanos("connect timeout", timeout));
    }

    private Sock connect0(Sockaddr address, long timeout) throws IOException {
        enter(WRITE, "connect");
        try {
            // Only connection-oriented connects wait. Datagram connects return at once, and
            // leaving their fd alone spares a concurrent receive a spurious EAGAIN.
            boolean connectionOriented = stream || type.equals(SockType.SEQPACKET);
            boolean toggled = connectionOriented && !fdNonBlocking;
            if (toggled) {
                applyFdMode("connect", writer, true);
            }
            try {
                int fd = ref.fd();
                int len = address.encode(writer.addr);
                writer.encoded = null;          // writer.addr no longer holds a destination
                int rc = Syscalls.connect(writer.capture, fd, writer.addr, len);
                int errno = rc < 0 ? writer.errno() : 0;
                if (rc < 0 && (errno == EINPROGRESS || errno == EINTR) && connectionOriented) {
                    if (nonBlocking) {
                        connectPending = true;
                        pendingPeer = address;
                        return this;
                    }
                    errno = awaitConnect(address, timeout);
                    rc = errno == 0 ? 0 : -1;
                } else if (rc < 0 && errno == EAGAIN && family.equals(Family.UNIX) && !nonBlocking) {
                    // A Unix listener's backlog is full. Nothing can be polled for room in it, so
                    // try again after short, growing pauses, ending the wait if the socket closes.
                    long deadline = timeout > 0 ? System.nanoTime() + timeout : 0;
                    for (int pause = 1; rc < 0 && errno == EAGAIN; pause = Math.min(pause * 2, 20)) {
                        if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                            throw timedOut("connect", address, timeout, "connect");
                        }
                        sleepOrClose("connect", pause);
                        rc = Syscalls.connect(writer.capture, fd, writer.addr, len);
                        errno = rc < 0 ? writer.errno() : 0;
                    }
                }
                if (rc < 0 && errno == EAGAIN && !ref.isClosed()) {
                    // A full Unix backlog in non-blocking mode (or, elsewhere, no routing entry):
                    // nothing was started and nothing timed out, so no SyscallTimeoutException,
                    // which would also close the socket below.
                    throw new SyscallException("connect", errno, address);
                }
                if (rc < 0) {
                    throw error("connect", errno, address);
                }
                return this;
            } catch (InterruptedIOException e) {     // a timeout (SocketTimeoutException) or an interrupt
                close();            // the kernel would go on connecting: see the class comment
                throw e;
            } finally {
                if (toggled && !ref.isClosed()) {
                    applyFdMode("connect", writer, false);
                }
            }
        } finally {
            exit(WRITE);
        }
    }

    /** Waits for a connection in progress; {@return its SO_ERROR, 0 for connected} */
    private int awaitConnect(Sockaddr address, long timeout) throws IOException {
        long deadline = 0;
        do {
            try {
                deadline = await("connect", writer, POLLOUT, deadline, timeout);
            } catch (SyscallTimeoutException e) {
                throw timedOut("connect", address, timeout, "connect");
            }
        } while (!ready(writer, POLLOUT));
        return intOption(writer, LibC.SOL_SOCKET(), LibC.SO_ERROR());
    }

    /**
     * Completes a connection that {@link #connect(Sockaddr)} started in non-blocking mode;
     * getsockopt(2) {@code SO_ERROR} once poll(2) says the socket is writable, as connect(2)
     * describes for {@code EINPROGRESS}. In blocking mode it waits for the outcome.
     *
     * {@snippet :
     * var c = Sock.open(Family.INET, SockType.STREAM).setNonBlocking(true).connect(server.localAddress());
     * while (!c.finishConnect()) {
     *     c.poll(PollEvents.OUT, java.time.Duration.ofSeconds(1));
     * }
     * }
     *
     * @return true if the socket is connected, or no connection was pending; false if it is still
     *         in progress (non-blocking mode only)
     * @throws java.net.ConnectException if the connection was refused ({@code ECONNREFUSED}) or
     *         timed out in the kernel ({@code ETIMEDOUT}); no connection is pending after that
     * @throws SyscallTimeoutException in blocking mode, if the send timeout passed first; the
     *         connection stays pending and the socket open
     * @throws InterruptedIOException if the calling virtual thread was interrupted while it waited
     * @throws SockClosedException if the socket is closed
     * @throws SocketException if the call fails otherwise
     */
    public boolean finishConnect() throws IOException {
        enter(WRITE, "connect");
        try {
            if (!connectPending) {
                return true;
            }
            int errno;
            if (ready(writer, POLLOUT)) {
                errno = intOption(writer, LibC.SOL_SOCKET(), LibC.SO_ERROR());
            } else if (nonBlocking) {
                return false;
            } else {
                errno = awaitConnect(pendingPeer, sendTimeout);
            }
            Sockaddr peer = pendingPeer;
            connectPending = false;
            pendingPeer = null;
            if (errno != 0) {
                throw error("connect", errno, peer);
            }
            return true;
        } finally {
            exit(WRITE);
        }
    }

    /**
     * {@return whether a non-blocking connect is in progress}: {@link #connect(Sockaddr)} in
     * non-blocking mode returned with {@code EINPROGRESS}, and {@link #finishConnect()} has not
     * yet seen its outcome
     *
     * {@snippet :
     * Sock.open(Family.INET, SockType.STREAM).isConnectPending()   // ==> false
     * }
     */
    public boolean isConnectPending() {
        return connectPending;
    }

    /**
     * Shuts down one or both directions of a connection;
     * <a href="https://man7.org/linux/man-pages/man2/shutdown.2.html">shutdown(2)</a>. A thread
     * blocked receiving wakes with end of stream. The descriptor stays open until {@link #close()}.
     *
     * {@snippet :
     * client.shutdown(Shutdown.WRITE);   // the server reads end of stream
     * }
     *
     * @param how which direction
     * @throws SocketException if the socket is not connected ({@code ENOTCONN}) or is closed
     * @throws NullPointerException if {@code how} is null
     */
    public void shutdown(Shutdown how) throws IOException {
        Objects.requireNonNull(how, "how");
        enter(CONTROL, "shutdown");
        try {
            if (Syscalls.shutdown(control.capture, ref.fd(), how.value()) < 0) {
                throw error("shutdown(" + how + ")", control.errno(), null);
            }
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * {@return the local address}; <a href="https://man7.org/linux/man-pages/man2/getsockname.2.html">getsockname(2)</a>
     *
     * {@snippet :
     * Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)).localAddress()   // ==> 127.0.0.1:40123
     * }
     *
     * @throws SocketException if the socket is closed
     */
    public Sockaddr localAddress() throws IOException {
        return name("getsockname", true);
    }

    /**
     * {@return the connected peer's address}; <a href="https://man7.org/linux/man-pages/man2/getpeername.2.html">getpeername(2)</a>
     *
     * {@snippet :
     * var c = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress());
     * c.peerAddress()   // ==> 127.0.0.1:40123, the server
     * }
     *
     * @throws SocketException if the socket is not connected ({@code ENOTCONN}) or is closed
     */
    public Sockaddr peerAddress() throws IOException {
        return name("getpeername", false);
    }

    private Sockaddr name(String call, boolean local) throws IOException {
        enter(CONTROL, call);
        try {
            control.len.set(ValueLayout.JAVA_INT, 0, Sockaddr.MAX_LENGTH);
            int rc = local ? Syscalls.getsockname(control.capture, ref.fd(), control.addr, control.len)
                    : Syscalls.getpeername(control.capture, ref.fd(), control.addr, control.len);
            if (rc < 0) {
                throw error(call, control.errno(), null);
            }
            return decode(control);
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Closes the socket; <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>.
     * Calls blocked in other threads wake with {@link SockClosedException}; the descriptor is
     * closed when the last of them has returned. Closing again does nothing.
     *
     * {@snippet :
     * try (var s = Sock.open(Family.UNIX, SockType.STREAM)) {
     *     // use s
     * }   // closed here
     * }
     */
    @Override
    public void close() {
        Thread o = owner;
        if (o != null && o != Thread.currentThread() && !ref.isClosed()) {
            throw wrongThread("close");
        }
        if (ref.close()) {
            cleanable.clean();
        }
    }

    // ------------------------------------------------------------------------------ sending

    /**
     * Sends bytes from an array; <a href="https://man7.org/linux/man-pages/man2/send.2.html">send(2)</a>
     * with {@code MSG_NOSIGNAL}. On a stream socket it may send fewer than asked, and one call sends
     * at most 1 MiB: see {@link #sendAll(byte[], int, int)}.
     *
     * <p>The kernel reads the array in place, in a call made with {@code MSG_DONTWAIT} (the
     * garbage collector waits for it, so it must not block). When there is no room, a platform
     * thread in blocking mode blocks in the kernel as C does, sending a first part (4 KiB of a
     * stream, or the whole message) through native memory.
     *
     * {@snippet :
     * pair.first().send("hello world".getBytes(), 0, 5)   // ==> 5: "hello"
     * }
     *
     * @param src the bytes
     * @param offset where they start in {@code src}
     * @param length how many
     * @return how many were sent
     * @throws SocketException if the call fails (such as {@code EPIPE} when the peer has gone, or
     *         {@code EMSGSIZE} for a datagram too large), or the socket is closed
     * @throws IndexOutOfBoundsException if offset and length do not fit in {@code src}
     * @throws NullPointerException if {@code src} is null
     */
    public int send(byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(src, "src").length);
        enter(WRITE, "send");
        try {
            return (int) send0("send", writer.segment(src, offset, length), null);
        } finally {
            exit(WRITE);
        }
    }

    /**
     * Sends a whole array; see {@link #send(byte[], int, int)}.
     *
     * {@snippet :
     * pair.first().send("hello".getBytes())   // ==> 5
     * }
     *
     * @param src the bytes
     * @return how many were sent
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code src} is null
     */
    public int send(byte[] src) throws IOException {
        return send(src, 0, Objects.requireNonNull(src, "src").length);
    }

    /**
     * Sends the bytes between a buffer's position and limit, and advances the position past those
     * sent; <a href="https://man7.org/linux/man-pages/man2/send.2.html">send(2)</a>. A direct buffer
     * is sent without a copy.
     *
     * {@snippet :
     * var b = java.nio.ByteBuffer.wrap("hello".getBytes());
     * pair.first().send(b);   // b.position() is now 5
     * }
     *
     * @param src the buffer
     * @return how many were sent
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code src} is null
     */
    public int send(ByteBuffer src) throws IOException {
        return sendBuffer("send", src, null);
    }

    /**
     * Sends the bytes of a memory segment, without a copy;
     * <a href="https://man7.org/linux/man-pages/man2/send.2.html">send(2)</a>. A heap segment is
     * sent as an array is: see {@link #send(byte[], int, int)}.
     *
     * {@snippet :
     * pair.first().send(java.lang.foreign.Arena.ofAuto().allocateFrom("hi"))   // ==> 3, with the NUL
     * }
     *
     * @param src the bytes
     * @return how many were sent
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code src} is null
     */
    public long send(MemorySegment src) throws IOException {
        return sendSegment("send", src, null);
    }

    /**
     * Sends every byte of the range, calling send(2) until all are sent: what a stream socket
     * needs, since one send may take only part.
     *
     * {@snippet :
     * conn.sendAll(new byte[16 << 20], 0, 16 << 20);   // 16 MiB, however many calls it takes
     * }
     *
     * @param src the bytes
     * @param offset where they start in {@code src}
     * @param length how many
     * @throws SocketException if a call fails or the socket is closed; some bytes may have been sent
     * @throws IndexOutOfBoundsException if offset and length do not fit in {@code src}
     * @throws NullPointerException if {@code src} is null
     */
    public void sendAll(byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(src, "src").length);
        requireBlocking();
        do {
            int n = send(src, offset, length);
            offset += n;
            length -= n;
        } while (length > 0);
    }

    /**
     * Sends every byte from a buffer's position to its limit; see {@link #sendAll(byte[], int, int)}.
     *
     * {@snippet :
     * conn.sendAll(java.nio.ByteBuffer.allocateDirect(1 << 20));   // 1 MiB of zeros
     * }
     *
     * @param src the buffer; its position ends at its limit
     * @throws SocketException if a call fails or the socket is closed
     * @throws NullPointerException if {@code src} is null
     */
    public void sendAll(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        requireBlocking();
        do {
            send(src);
        } while (src.hasRemaining());
    }

    /**
     * Sends a datagram to an address;
     * <a href="https://man7.org/linux/man-pages/man2/sendto.2.html">sendto(2)</a> with
     * {@code MSG_NOSIGNAL}.
     *
     * {@snippet :
     * udp.sendTo("ping".getBytes(), 0, 4, SockaddrInet4.loopback(9999));
     * }
     *
     * @param src the bytes
     * @param offset where they start in {@code src}
     * @param length how many
     * @param to the destination, of this socket's family
     * @return how many were sent
     * @throws SocketException if the call fails or the socket is closed
     * @throws IllegalArgumentException if the address is of another family
     * @throws IndexOutOfBoundsException if offset and length do not fit in {@code src}
     * @throws NullPointerException if {@code src} or {@code to} is null
     */
    public int sendTo(byte[] src, int offset, int length, Sockaddr to) throws IOException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(src, "src").length);
        checkFamily("sendto", to);
        enter(WRITE, "sendto");
        try {
            return (int) send0("sendto", writer.segment(src, offset, length), to);
        } finally {
            exit(WRITE);
        }
    }

    /**
     * Sends the bytes between a buffer's position and limit to an address, and advances the
     * position; <a href="https://man7.org/linux/man-pages/man2/sendto.2.html">sendto(2)</a>.
     *
     * {@snippet :
     * udp.sendTo(java.nio.ByteBuffer.wrap("ping".getBytes()), SockaddrInet4.loopback(9999))   // ==> 4
     * }
     *
     * @param src the buffer
     * @param to the destination, of this socket's family
     * @return how many were sent
     * @throws SocketException if the call fails or the socket is closed
     * @throws IllegalArgumentException if the address is of another family
     * @throws NullPointerException if an argument is null
     */
    public int sendTo(ByteBuffer src, Sockaddr to) throws IOException {
        checkFamily("sendto", to);
        return sendBuffer("sendto", src, to);
    }

    /**
     * Sends the bytes of a memory segment to an address;
     * <a href="https://man7.org/linux/man-pages/man2/sendto.2.html">sendto(2)</a>.
     *
     * {@snippet :
     * nl.sendTo(request, SockaddrNetlink.kernel());   // a netlink request to the kernel
     * }
     *
     * @param src the bytes
     * @param to the destination, of this socket's family
     * @return how many were sent
     * @throws SocketException if the call fails or the socket is closed
     * @throws IllegalArgumentException if the address is of another family
     * @throws NullPointerException if an argument is null
     */
    public long sendTo(MemorySegment src, Sockaddr to) throws IOException {
        checkFamily("sendto", to);
        return sendSegment("sendto", src, to);
    }

    private int sendBuffer(String call, ByteBuffer src, Sockaddr to) throws IOException {
        Objects.requireNonNull(src, "src");
        int pos = src.position();
        int rem = src.remaining();
        int n;
        if (src.hasArray()) {
            n = to == null ? send(src.array(), src.arrayOffset() + pos, rem)
                    : sendTo(src.array(), src.arrayOffset() + pos, rem, to);
        } else {
            n = (int) sendView(call, src, to);      // direct, or a read-only heap buffer
        }
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }

    /**
     * Sends a buffer's remaining bytes in place, through the writer's cached view of it: a direct
     * buffer's native memory, or the heap memory of a read-only heap buffer, whose array is out of
     * reach but whose bytes the kernel reads as it reads an array's (see send0).
     */
    private long sendView(String call, ByteBuffer src, Sockaddr to) throws IOException {
        enter(WRITE, call);
        try {
            MemorySegment seg = writer.segment(src);
            return send0(call, seg, to);
        } finally {
            exit(WRITE);
        }
    }

    private long sendSegment(String call, MemorySegment src, Sockaddr to) throws IOException {
        Objects.requireNonNull(src, "src");
        enter(WRITE, call);
        try {
            return send0(call, src, to);
        } finally {
            exit(WRITE);
        }
    }

    /** How much of a heap range one call sends: all of a message, at most a chunk of a stream. */
    private int messageLength(long length) {
        return stream ? (int) Math.min(length, CHUNK) : Math.toIntExact(length);
    }

    /**
     * Makes one send of {@code src}: send(2), or sendto(2) to {@code to}, retried on EINTR; on
     * EAGAIN, {@link #WOULD_BLOCK} in non-blocking mode, else a wait in {@link #await} where the
     * call must not block in the kernel. Every call that must not block passes MSG_DONTWAIT
     * through a critical downcall (see {@link Syscalls#sendNow}).
     *
     * <p>Heap memory (an array's range, or a heap segment) is read by the kernel in place, with no
     * copy, and only by such a call, which is the only kind that may read it; a stream call sends
     * at most {@link #HEAP_MAX} bytes of it. A platform thread that would block in the kernel,
     * finding no room, blocks there as C does, in a send through the writer's native buffer: of
     * the whole message, or on a stream of a first {@link #WAIT_PIECE} bytes only, after which the
     * room the kernel waited for takes the next sends straight from the heap. A blocking send is
     * also what keeps to an SO_SNDTIMEO set on the descriptor behind the library's back. After a
     * stream send that the kernel took only part of, the buffer is full, and the next such send
     * goes to the blocking one at once rather than first making a call that would find no room.
     *
     * <p>This is where every send but sendmsg's is compiled (see {@link #recv0} for why).
     */
    private long send0(String call, MemorySegment src, Sockaddr to) throws IOException {
        int fd = ref.fd();
        int toLen = writer.encode(to);
        long timeout = sendTimeout;
        boolean dontWait = mustNotBlock(pollSends, timeout);
        boolean heap = !src.isNative();
        long len = heap && stream ? Math.min(src.byteSize(), HEAP_MAX) : src.byteSize();
        // A heap send in place of a blocking one: first straight from the heap, without waiting,
        // unless the last one found the buffer full; then (buffered) the blocking send, through
        // native memory.
        boolean inPlaceOfBlocking = heap && !dontWait;
        boolean buffered = inPlaceOfBlocking && writer.full;
        boolean now = heap || dontWait;
        long deadline = 0;
        while (true) {
            if (buffered) {
                buffered = inPlaceOfBlocking = now = false;
                writer.full = false;
                len = stream ? Math.min(len, WAIT_PIECE) : messageLength(len);
                src = writer.copy(src, (int) len);
            }
            int flags = NOSIGNAL | (now ? DONTWAIT : 0);
            long n;
            if (now) {
                n = to == null ? Syscalls.sendNow(writer.capture, fd, src, len, flags)
                        : Syscalls.sendtoNow(writer.capture, fd, src, len, flags, writer.addr, toLen);
            } else {
                n = to == null ? Syscalls.send(writer.capture, fd, src, len, flags)
                        : Syscalls.sendto(writer.capture, fd, src, len, flags, writer.addr, toLen);
            }
            if (n >= 0) {
                if (inPlaceOfBlocking) {
                    writer.full = stream && n < len;
                }
                return n;
            }
            int errno = writer.errno();
            if (errno == EAGAIN && (now || fdNonBlocking)) {
                if (nonBlocking) {
                    return WOULD_BLOCK;
                }
                if (inPlaceOfBlocking) {        // no room
                    buffered = true;
                    continue;
                }
                deadline = await(call, writer, POLLOUT, deadline, timeout);
            } else if (errno != EINTR) {
                throw error(call, errno, to);
            }
        }
    }

    // ------------------------------------------------------------------------------ receiving

    /**
     * Receives bytes into an array; <a href="https://man7.org/linux/man-pages/man2/recv.2.html">recv(2)</a>.
     * Waits until there are some.
     *
     * <p>On a stream or seqpacket socket, -1 means end of stream: the peer shut down or closed. On
     * a datagram socket 0 is an empty datagram. A datagram or seqpacket message longer than
     * {@code length} is not cut silently: the call throws, naming both lengths, after filling the
     * array with the first {@code length} bytes.
     *
     * <p>A platform thread in blocking mode makes one blocking recv(2) into native memory and copies
     * what came, as small messages are cheapest received; while receives bring 8 KiB or more, it
     * first tries, with {@code MSG_DONTWAIT}, straight into the array. Virtual threads, timed calls
     * and non-blocking mode always receive straight into the array.
     *
     * {@snippet :
     * byte[] buf = new byte[1500];
     * int n = sock.recv(buf, 0, buf.length);   // -1 at end of stream
     * }
     *
     * @param dst where the bytes go
     * @param offset where in {@code dst}
     * @param length how many at most
     * @return how many were received, or -1 at end of stream
     * @throws SocketException if the call fails, a message was longer than {@code length}, or the
     *         socket is closed
     * @throws IndexOutOfBoundsException if offset and length do not fit in {@code dst}
     * @throws NullPointerException if {@code dst} is null
     */
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return (int) recvArray("recv", dst, offset, length);
    }

    /**
     * Receives into a whole array; see {@link #recv(byte[], int, int)}.
     *
     * {@snippet :
     * byte[] buf = new byte[100];
     * int n = pair.second().recv(buf);
     * }
     *
     * @param dst where the bytes go
     * @return how many were received, or -1 at end of stream
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code dst} is null
     */
    public int recv(byte[] dst) throws IOException {
        return recv(dst, 0, Objects.requireNonNull(dst, "dst").length);
    }

    /**
     * Receives into a buffer between its position and limit, and advances the position;
     * <a href="https://man7.org/linux/man-pages/man2/recv.2.html">recv(2)</a>. A direct buffer
     * receives without a copy. See {@link #recv(byte[], int, int)} for -1 and long messages.
     *
     * {@snippet :
     * var b = java.nio.ByteBuffer.allocateDirect(1500);
     * pair.second().recv(b);   // b.position() is how many arrived
     * }
     *
     * @param dst the buffer
     * @return how many were received, or -1 at end of stream
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code dst} is null
     */
    public int recv(ByteBuffer dst) throws IOException {
        return (int) recvBuffer("recv", dst);
    }

    /**
     * Receives into a memory segment; <a href="https://man7.org/linux/man-pages/man2/recv.2.html">recv(2)</a>.
     * A native segment receives without a copy, a heap one as an array does. See
     * {@link #recv(byte[], int, int)} for -1, long messages and heap memory.
     *
     * {@snippet :
     * var seg = java.lang.foreign.Arena.ofAuto().allocate(1500);
     * long n = pair.second().recv(seg);
     * }
     *
     * @param dst where the bytes go; at most its size is received
     * @return how many were received, or -1 at end of stream
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code dst} is null
     */
    public long recv(MemorySegment dst) throws IOException {
        return recvSegment("recv", dst);
    }

    /**
     * Receives a datagram and its sender's address;
     * <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a>.
     *
     * {@snippet :
     * byte[] buf = new byte[1500];
     * var r = udp.recvFrom(buf, 0, buf.length);
     * r.length();   // how many bytes
     * r.from();     // who sent them
     * }
     *
     * @param dst where the bytes go
     * @param offset where in {@code dst}
     * @param length how many at most
     * @return the length received (-1 at end of stream) and the sender's address
     * @throws SocketException if the call fails, a datagram was longer than {@code length}, or the
     *         socket is closed
     * @throws IndexOutOfBoundsException if offset and length do not fit in {@code dst}
     * @throws NullPointerException if {@code dst} is null
     */
    public Received recvFrom(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(dst, "dst").length);
        enter(READ, "recvfrom");
        try {
            return received(recvArrayLocked("recvfrom", dst, offset, length, true));
        } finally {
            exit(READ);
        }
    }

    /**
     * Receives a datagram into a buffer between its position and limit, advances the position,
     * and returns the sender; <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a>.
     *
     * {@snippet :
     * var r = udp.recvFrom(java.nio.ByteBuffer.allocate(1500));
     * r.from()   // ==> 127.0.0.1:51234, the sender
     * }
     *
     * @param dst the buffer
     * @return the length received (-1 at end of stream) and the sender's address
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code dst} is null
     */
    public Received recvFrom(ByteBuffer dst) throws IOException {
        checkWritable("recvfrom", dst);
        enter(READ, "recvfrom");
        try {
            return received(recvBufferLocked("recvfrom", dst, true));
        } finally {
            exit(READ);
        }
    }

    /**
     * Receives a datagram into a memory segment and returns the sender;
     * <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a>.
     *
     * {@snippet :
     * var r = nl.recvFrom(java.lang.foreign.Arena.ofAuto().allocate(32768));
     * r.from()   // ==> netlink:0/0, the kernel
     * }
     *
     * @param dst where the bytes go
     * @return the length received (-1 at end of stream) and the sender's address
     * @throws SocketException if the call fails or the socket is closed
     * @throws NullPointerException if {@code dst} is null
     */
    public Received recvFrom(MemorySegment dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        enter(READ, "recvfrom");
        try {
            return received(recvSegmentLocked("recvfrom", dst, true));
        } finally {
            exit(READ);
        }
    }

    private long recvArray(String call, byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(dst, "dst").length);
        enter(READ, call);
        try {
            return recvArrayLocked(call, dst, offset, length, false);
        } finally {
            exit(READ);
        }
    }

    private long recvSegment(String call, MemorySegment dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        enter(READ, call);
        try {
            return recvSegmentLocked(call, dst, false);
        } finally {
            exit(READ);
        }
    }

    private long recvBuffer(String call, ByteBuffer dst) throws IOException {
        checkWritable(call, dst);
        enter(READ, call);
        try {
            return recvBufferLocked(call, dst, false);
        } finally {
            exit(READ);
        }
    }

    /** Receives into an array; in a call of the read direction. */
    private long recvArrayLocked(String call, byte[] dst, int offset, int length, boolean from) throws IOException {
        return recvHeap(call, reader.segment(dst, offset, length), from);
    }

    /** Receives into a segment, in place; in a call of the read direction. */
    private long recvSegmentLocked(String call, MemorySegment dst, boolean from) throws IOException {
        if (dst.isNative()) {
            return kept(call, recv0(call, dst, dst.byteSize(), from, false), dst.byteSize());
        }
        return recvHeap(call, dst, from);
    }

    /**
     * Receives into heap memory (an array's range, or a heap segment). A call that must not block
     * anyway receives straight into it, by a critical downcall with MSG_DONTWAIT (see
     * {@link Syscalls#recvNow}), and waits in {@link #await} when nothing is there. A platform
     * thread that blocks in the kernel does so through the reader's native buffer, and copies what
     * came: one system call, as C makes. It tries first without waiting, straight into the heap,
     * only while receives bring {@link #BULK} bytes or more, where the copy would cost more than
     * a call that finds nothing.
     */
    private long recvHeap(String call, MemorySegment dst, boolean from) throws IOException {
        boolean blocks = !mustNotBlock(pollReceives, receiveTimeout);
        if (!blocks || reader.bulk) {
            long len = stream ? Math.min(dst.byteSize(), HEAP_MAX) : dst.byteSize();
            long n = recv0(call, dst, len, from, true);
            if (n != BLOCKS) {
                reader.bulk = n >= BULK;
                return kept(call, n, len);
            }
        }
        int len = messageLength(dst.byteSize());
        MemorySegment buf = reader.buffer(len);
        long n = recv0(call, buf, len, from, false);
        if (n > 0) {
            MemorySegment.copy(buf, 0, dst, 0, Math.min(n, len));
        }
        reader.bulk = n >= BULK;
        return kept(call, n, len);
    }

    /** Receives into a buffer by way of a segment or its array, and advances its position; in a call of the read direction. */
    private long recvBufferLocked(String call, ByteBuffer dst, boolean from) throws IOException {
        int pos = dst.position();
        long n;
        if (dst.isDirect()) {
            MemorySegment seg = reader.segment(dst);
            n = kept(call, recv0(call, seg, seg.byteSize(), from, false), seg.byteSize());
        } else {
            n = recvArrayLocked(call, dst.array(), dst.arrayOffset() + pos, dst.remaining(), from);
        }
        if (n > 0) {
            dst.position(pos + (int) n);
        }
        return n;
    }

    private static void checkWritable(String call, ByteBuffer dst) {
        if (Objects.requireNonNull(dst, "dst").isReadOnly()) {
            throw new IllegalArgumentException(call + " into a read-only buffer: " + dst);
        }
    }

    /**
     * The result of a recvfrom, in a call of the read direction: the last one again when it is equal, as
     * successive datagrams of one size from one sender give, so that a receive loop allocates
     * nothing.
     */
    private Received received(long n) {
        Received last = reader.received;
        if (last != null && last.length() == n && last.from() == reader.from) {
            return last;
        }
        return reader.received = new Received((int) n, reader.from);
    }

    /**
     * The address the kernel left in the reader's scratch, {@code len} bytes: null where it gave
     * none (unnamed for Unix sockets), else the last sender again when its bytes are the same, as
     * the JDK's DatagramChannel does, so that a receive loop allocates nothing.
     */
    private Sockaddr sender(int len) {
        if (len == 0) {
            return family.equals(Family.UNIX) ? SockaddrUnix.unnamed() : null;
        }
        return reader.sender(Math.min(len, Sockaddr.MAX_LENGTH));
    }

    /**
     * recv(2), or recvfrom(2) when {@code from}, leaving the sender in the reader's scratch (null
     * when the call failed or would block), retried on EINTR, with end of stream as -1 and EAGAIN
     * as {@link #WOULD_BLOCK} in non-blocking mode. On a message-based socket it passes MSG_TRUNC,
     * so the result is the message's real length, which may exceed {@code len}: see {@link #kept}.
     *
     * <p>{@code now}, and every call that must not block, passes MSG_DONTWAIT through a critical
     * downcall (see {@link Syscalls#recvNow}), the only kind that may write heap memory. With
     * {@code now} where the thread would otherwise block in the kernel, EAGAIN returns
     * {@link #BLOCKS}, for the caller to make the blocking call instead.
     *
     * <p>This method and {@link #send0} are where receives and sends are compiled. Each is over
     * 325 bytes of bytecode, the most that C2 inlines into a hot caller (FreqInlineSize), so C2
     * compiles it by itself, with the downcall inlined into it and the JDK's check of the capture
     * segment too. That check makes a slice of the segment, which C2 removes only where it
     * inlines all the way down to the slice's constructor; that is 9 levels below the Syscalls
     * method, and C2 inlines 15 levels deep (MaxInlineLevel). Inlined into the caller's code, it
     * lay too deep for callers 3 or more calls below their compiled method, and every call
     * allocated 40 bytes. AllocationDeepTest checks this.
     */
    private long recv0(String call, MemorySegment dst, long len, boolean from, boolean now) throws IOException {
        if (stream && len == 0) {
            reader.from = null;
            return 0;
        }
        int fd = ref.fd();
        long timeout = receiveTimeout;
        boolean dontWait = mustNotBlock(pollReceives, timeout);
        boolean fallBack = now && !dontWait;
        now |= dontWait;
        int flags = (stream ? 0 : TRUNC) | (now ? DONTWAIT : 0);
        long deadline = 0;
        boolean waited = false;
        while (true) {
            long n;
            if (from) {
                reader.len.set(ValueLayout.JAVA_INT, 0, Sockaddr.MAX_LENGTH);
                n = now ? Syscalls.recvfromNow(reader.capture, fd, dst, len, flags, reader.addr, reader.len)
                        : Syscalls.recvfrom(reader.capture, fd, dst, len, flags, reader.addr, reader.len);
                reader.from = n >= 0 ? sender(reader.len.get(ValueLayout.JAVA_INT, 0)) : null;
            } else {
                n = now ? Syscalls.recvNow(reader.capture, fd, dst, len, flags)
                        : Syscalls.recv(reader.capture, fd, dst, len, flags);
            }
            if (n > 0) {
                return n;
            }
            if (n == 0) {
                if (ref.isClosed()) {
                    throw closedDuring(call);
                }
                return endOfStream() ? -1 : 0;
            }
            int errno = reader.errno();
            if (errno == EAGAIN && (now || fdNonBlocking)) {
                if (nonBlocking) {
                    return WOULD_BLOCK;
                }
                if (fallBack) {
                    return BLOCKS;
                }
                if (waited && receiveShutDown()) {
                    if (ref.isClosed()) {
                        throw closedDuring(call);       // the shutdown was close's wake-up
                    }
                    // A datagram socket shut down for reading: readable for good, yet EAGAIN for
                    // good to MSG_DONTWAIT; the blocking call returns 0 from no one, as this does.
                    reader.from = sender(0);
                    return 0;
                }
                deadline = await(call, reader, POLLIN, deadline, timeout);
                waited = true;
            } else if (errno != EINTR) {
                throw error(call, errno, null);
            }
        }
    }

    /** What {@link #recv0} returns when a call made with {@code now} would have had to block. */
    private static final long BLOCKS = Long.MIN_VALUE + 1;

    /**
     * The bytes a receive kept: all of {@code n}, unless a message was longer than the buffer,
     * which is reported rather than lost silently (the buffer holds its first {@code len} bytes).
     */
    private static long kept(String call, long n, long len) throws SyscallException {
        if (n > len) {
            throw new SyscallException(call + " (a " + n + "-byte message into a " + len
                    + "-byte buffer: only the first " + len + " bytes were kept)", LibC.EMSGSIZE(), null);
        }
        return n;
    }

    /**
     * Whether nothing more can be received: the socket was shut down for reading, by this end or
     * (seqpacket) by the peer's close or shutdown; poll(2) says POLLRDHUP or POLLHUP.
     */
    private boolean receiveShutDown() {
        return (pollNow(reader, (short) (POLLIN | POLLRDHUP)) & (POLLRDHUP | POLLHUP)) != 0;
    }

    /**
     * Whether a call must not block in the kernel, and so passes MSG_DONTWAIT: in non-blocking
     * mode, with a timeout, on a virtual thread, or where shutdown(2) would not wake it.
     */
    private boolean mustNotBlock(boolean polls, long timeout) {
        return polls || nonBlocking || timeout != 0 || Thread.currentThread().isVirtual();
    }

    /**
     * Waits until the socket may have any of {@code events} (or an error or hang-up), or is closed:
     * a virtual thread parks in the {@link Poller}; a platform thread waits in poll(2) on the
     * socket and the wake-up eventfd, so that close ends the wait at once (without an eventfd, as
     * when the process is out of descriptors, it polls in 20 ms slices). The caller then makes its
     * call again.
     *
     * @param deadline the deadline an earlier wait of the same call returned, or 0 on the first
     * @param timeout the call's timeout in nanoseconds, 0 for none
     * @return the deadline, to pass to the next wait of the same call
     */
    private long await(String call, Scratch s, short events, long deadline, long timeout) throws IOException {
        if (timeout != 0 && deadline == 0) {
            deadline = (System.nanoTime() + timeout) | 1;
        }
        if (ref.isClosed()) {
            throw closedDuring(call);
        }
        if (Thread.currentThread().isVirtual()) {
            switch (Poller.await(ref, ref.fd(), events == POLLOUT, deadline, s.capture, s.event)) {
                case TIMEOUT -> throw timedOut(call, null, timeout, events == POLLOUT ? "send" : "receive");
                case INTERRUPTED -> throw interrupted(call);
                case READY -> {
                    if (ref.isClosed()) {
                        throw closedDuring(call);
                    }
                }
            }
            return deadline;
        }
        int wake = ref.wakeFd();
        MemorySegment p = s.pollfds;
        while (true) {
            int millis = wake >= 0 ? -1 : 20;
            if (deadline != 0) {
                int left = Poll.millisLeft(deadline);
                if (left == 0) {
                    throw timedOut(call, null, timeout, events == POLLOUT ? "send" : "receive");
                }
                millis = millis < 0 ? left : Math.min(left, millis);
            }
            Poll.pollfd(p, 0, ref.fd(), events);
            Poll.pollfd(p, 1, wake, POLLIN);
            int rc = Syscalls.poll(s.capture, p, wake >= 0 ? 2 : 1, millis);
            if (rc < 0 && s.errno() != EINTR) {
                throw error("poll", s.errno(), null);
            }
            if (ref.isClosed()) {
                throw closedDuring(call);
            }
            if (rc > 0 && p.get(ValueLayout.JAVA_SHORT, 6) != 0) {
                return deadline;
            }
        }
    }

    /** {@return whether poll(2) reports any of {@code events} on the socket now}, without waiting */
    private boolean ready(Scratch s, short events) throws IOException {
        int revents = pollNow(s, events);
        if (revents < 0 && s.errno() != EINTR) {
            throw error("poll", s.errno(), null);
        }
        return revents > 0;
    }

    /** poll(2) of the socket alone, without waiting: {@return the revents, or -1 if poll failed} */
    private int pollNow(Scratch s, short events) {
        MemorySegment p = s.pollfds;
        Poll.pollfd(p, 0, ref.fd(), events);
        int rc = Syscalls.pollNow(s.capture, p, 1);
        return rc < 0 ? -1 : rc == 0 ? 0 : p.get(ValueLayout.JAVA_SHORT, 6) & 0xFFFF;
    }

    private static SyscallTimeoutException timedOut(String call, Sockaddr address, long timeout, String which) {
        return new SyscallTimeoutException(call + " (the " + Duration.ofNanos(timeout).toMillis() + " ms " + which
                + " timeout passed)", which.equals("connect") ? LibC.ETIMEDOUT() : EAGAIN, address);
    }

    private InterruptedIOException interrupted(String call) {
        return new InterruptedIOException(call + " on " + this + ": the virtual thread was interrupted while it "
                + "waited; the interrupt status is kept");
    }

    /**
     * Pauses between connect attempts, in a call of the write direction. A virtual thread sleeps, and an
     * interrupt ends the call. A platform thread is not woken by an interrupt here either, as in
     * every other blocking call (see the class comment): it pauses in poll(2) on the wake-up
     * eventfd, which also lets close() end the pause at once.
     */
    private void sleepOrClose(String call, int millis) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(call);
            }
        } else {
            int wake = ref.wakeFd();
            MemorySegment p = writer.pollfds;
            Poll.pollfd(p, 0, wake, POLLIN);
            Syscalls.poll(writer.capture, p, wake >= 0 ? 1 : 0, millis);  // EINTR: a shorter pause
        }
        if (ref.isClosed()) {
            throw closedDuring(call);
        }
    }

    // ------------------------------------------------------------------------------ socket options
    /**
     * Reads a socket option; <a href="https://man7.org/linux/man-pages/man2/getsockopt.2.html">getsockopt(2)</a>.
     *
     * {@snippet :
     * Sock.open(Family.INET, SockType.STREAM).get(SockOpt.SO_TYPE)   // ==> SOCK_STREAM
     * }
     *
     * @param <T> the value type
     * @param option the option
     * @return its value
     * @throws IOException if the call fails or the socket is closed
     * @throws IllegalArgumentException if the option is for another family or type of socket
     * @throws UnsupportedOperationException if the option can only be set
     * @throws NullPointerException if {@code option} is null
     */
    public <T> T get(SockOpt<T> option) throws IOException {
        Objects.requireNonNull(option, "option").check(this, false);
        enter(CONTROL, "getsockopt");
        try {
            int len = getsockopt(option, option.level(), option.optname(), (int) control.value.byteSize());
            return option.decode(control.value, len, family);
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Sets a socket option; <a href="https://man7.org/linux/man-pages/man2/setsockopt.2.html">setsockopt(2)</a>.
     * The value is checked first where its limits are known.
     *
     * {@snippet :
     * var s = Sock.open(Family.INET, SockType.STREAM).set(SockOpt.SO_REUSEADDR, true).set(SockOpt.TCP_NODELAY, true);
     * }
     *
     * @param <T> the value type
     * @param option the option
     * @param value its new value
     * @return this socket
     * @throws IOException if the kernel refuses the value or the socket is closed
     * @throws IllegalArgumentException if the value is out of range, or the option is for another
     *         family or type of socket
     * @throws UnsupportedOperationException if the option can only be read
     * @throws NullPointerException if an argument is null
     */
    public <T> Sock set(SockOpt<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option").check(this, true);
        Objects.requireNonNull(value, () -> option + " value");
        enter(CONTROL, "setsockopt");
        try {
            int len = option.encode(value, control.value);
            setsockopt(option, value, option.level(), option.optname(), len);
            if (option == SockOpt.SO_RCVTIMEO) {
                receiveTimeout = nanos((Duration) value);
            } else if (option == SockOpt.SO_SNDTIMEO) {
                sendTimeout = nanos((Duration) value);
            }
            return this;
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Reads an int-valued option that {@link SockOpt} does not name;
     * <a href="https://man7.org/linux/man-pages/man2/getsockopt.2.html">getsockopt(2)</a>.
     *
     * {@snippet :
     * sock.getInt(6, 1)   // IPPROTO_TCP, TCP_NODELAY ==> 0 or 1
     * }
     *
     * @param level the option level
     * @param name the option name
     * @return the value
     * @throws IOException if the call fails or the socket is closed
     */
    public int getInt(int level, int name) throws IOException {
        enter(CONTROL, "getsockopt");
        try {
            getsockopt(null, level, name, 4);
            return control.value.get(ValueLayout.JAVA_INT, 0);
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Sets an int-valued option that {@link SockOpt} does not name;
     * <a href="https://man7.org/linux/man-pages/man2/setsockopt.2.html">setsockopt(2)</a>.
     *
     * {@snippet :
     * sock.setInt(6, 1, 1);   // IPPROTO_TCP, TCP_NODELAY, on
     * }
     *
     * @param level the option level
     * @param name the option name
     * @param value the value
     * @return this socket
     * @throws IOException if the call fails or the socket is closed
     */
    public Sock setInt(int level, int name, int value) throws IOException {
        enter(CONTROL, "setsockopt");
        try {
            control.value.set(ValueLayout.JAVA_INT, 0, value);
            if (!setsockopt(level, name, 4)) {
                throw error("setsockopt(" + level + ", " + name + ", " + value + ")", control.errno(), null);
            }
            return this;
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Reads any option as bytes;
     * <a href="https://man7.org/linux/man-pages/man2/getsockopt.2.html">getsockopt(2)</a>.
     *
     * {@snippet :
     * sock.getBytes(1, 25, 16)   // SOL_SOCKET, SO_BINDTODEVICE ==> the interface name's bytes
     * }
     *
     * @param level the option level
     * @param name the option name
     * @param maxLength the most bytes to read, 0 to 256
     * @return the bytes the kernel returned
     * @throws IOException if the call fails or the socket is closed
     * @throws IllegalArgumentException if {@code maxLength} is outside 0 to 256
     */
    public byte[] getBytes(int level, int name, int maxLength) throws IOException {
        if (maxLength < 0 || maxLength > control.value.byteSize()) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is out of range 0 to " + control.value.byteSize());
        }
        enter(CONTROL, "getsockopt");
        try {
            int len = getsockopt(null, level, name, maxLength);
            return control.value.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * Sets any option from bytes;
     * <a href="https://man7.org/linux/man-pages/man2/setsockopt.2.html">setsockopt(2)</a>.
     *
     * {@snippet :
     * sock.setBytes(1, 25, "lo\0".getBytes());   // SOL_SOCKET, SO_BINDTODEVICE
     * }
     *
     * @param level the option level
     * @param name the option name
     * @param value the bytes, at most 256
     * @return this socket
     * @throws IOException if the call fails or the socket is closed
     * @throws IllegalArgumentException if {@code value} is longer than 256 bytes
     * @throws NullPointerException if {@code value} is null
     */
    public Sock setBytes(int level, int name, byte[] value) throws IOException {
        Objects.requireNonNull(value, "value");
        if (value.length > control.value.byteSize()) {
            throw new IllegalArgumentException("option value is " + value.length + " bytes; at most " + control.value.byteSize());
        }
        enter(CONTROL, "setsockopt");
        try {
            MemorySegment.copy(value, 0, control.value, ValueLayout.JAVA_BYTE, 0, value.length);
            setsockopt(null, null, level, name, value.length);
            return this;
        } finally {
            exit(CONTROL);
        }
    }

    /**
     * {@return the credentials of the connected Unix peer}; the {@code SO_PEERCRED} option, see
     * unix(7)
     *
     * {@snippet :
     * Sock.pair(SockType.STREAM).first().peerCredentials()   // ==> PeerCred[pid=..., uid=..., gid=...]
     * }
     *
     * @throws IOException if the call fails or the socket is closed
     * @throws IllegalArgumentException if this is not a Unix socket
     */
    public PeerCred peerCredentials() throws IOException {
        return get(SockOpt.SO_PEERCRED);
    }

    /**
     * Accepts the next connection whose peer's user id passes {@code allowed}, closing the others:
     * a Unix server's guard where file permissions cannot help, as on abstract names. The uid is
     * the kernel's record of the connecting process ({@code SO_PEERCRED}), not anything it sent.
     *
     * {@snippet :
     * var conn = server.acceptFrom(uid -> uid == 0 || uid == 1000);
     * }
     *
     * @param allowed which user ids may connect
     * @return the first allowed connection
     * @throws IOException if accepting fails or the socket is closed
     * @throws IllegalArgumentException if this is not a Unix socket
     * @throws NullPointerException if {@code allowed} is null
     */
    public Accepted acceptFrom(java.util.function.IntPredicate allowed) throws IOException {
        Objects.requireNonNull(allowed, "allowed");
        SockOpt.SO_PEERCRED.check(this, false);
        while (true) {
            Accepted a = accept();
            boolean ok = false;
            try {
                ok = allowed.test(a.socket().peerCredentials().uid());
            } finally {
                if (!ok) {
                    a.close();
                }
            }
            if (ok) {
                return a;
            }
        }
    }

    /**
     * getsockopt(2) into the control scratch; {@return the length the kernel gave}. The call's
     * name for an error, such as {@code getsockopt(SO_TYPE)} or {@code getsockopt(1, 3)}, is made
     * only on failure.
     */
    private int getsockopt(SockOpt<?> option, int level, int name, int maxLength) throws IOException {
        control.len.set(ValueLayout.JAVA_INT, 0, maxLength);
        if (Syscalls.getsockopt(control.capture, ref.fd(), level, name, control.value, control.len) < 0) {
            throw error("getsockopt(" + (option != null ? option : level + ", " + name) + ")", control.errno(), null);
        }
        return control.len.get(ValueLayout.JAVA_INT, 0);
    }

    /** setsockopt(2) from the control scratch; named in an error with the value, if not null. */
    private void setsockopt(SockOpt<?> option, Object value, int level, int name, int length) throws IOException {
        if (!setsockopt(level, name, length)) {
            throw error("setsockopt(" + (option != null ? option : level + ", " + name)
                    + (value != null ? ", " + value : "") + ")", control.errno(), null);
        }
    }

    /** {@return whether setsockopt(2) from the control scratch succeeded}; if not, errno says why */
    private boolean setsockopt(int level, int name, int length) {
        return Syscalls.setsockopt(control.capture, ref.fd(), level, name, control.value, length) >= 0;
    }

    // ------------------------------------------------------------------------------ messages
    /**
     * Sends bytes gathered from several buffers, with control messages and an optional address;
     * <a href="https://man7.org/linux/man-pages/man2/sendmsg.2.html">sendmsg(2)</a> with
     * {@code MSG_NOSIGNAL}. Each buffer's position advances past the bytes sent from it; direct
     * buffers are sent in place, heap ones through a copy. The control list is copied first and
     * every message is checked against this socket before the call (see cmsg(3), unix(7), ip(7),
     * ipv6(7)); the descriptors it passes are held open until the call returns.
     *
     * {@snippet :
     * import io.github.panamasockets.*;
     * try (var pair = Sock.pair(SockType.SEQPACKET)) {
     *     // pass this process's stdin to the peer, with a note in two parts
     *     pair.first().sendmsg(null, java.util.List.of(Cmsg.fds(OwnedFd.borrow(0))), 0,
     *             java.nio.ByteBuffer.wrap("std".getBytes()), java.nio.ByteBuffer.wrap("in".getBytes()));   // ==> 5
     * }
     * }
     *
     * @param to the destination, or null on a connected socket
     * @param control the control messages; empty for none
     * @param flags {@link MsgFlags} such as {@link MsgFlags#DONTWAIT} or {@link MsgFlags#EOR}; 0
     *        for none
     * @param buffers the data, in order, at most 1024 buffers
     * @return how many bytes were sent
     * @throws SyscallException if the call fails, such as {@code EAGAIN} with
     *         {@link MsgFlags#DONTWAIT}, or {@code EPERM} for credentials that are not the
     *         sender's
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if the call fails otherwise, as {@link #send(ByteBuffer)} does
     * @throws IllegalArgumentException if the address is of another family, there are more than
     *         1024 buffers, or a control message does not suit this socket: descriptors or
     *         credentials on a socket that is not {@code AF_UNIX}, more than 253 descriptors, IPv6
     *         packet information on an {@code AF_INET} socket, raw data over 64 KiB
     * @throws IllegalStateException if a descriptor to pass was closed or handed to a Sock
     * @throws NullPointerException if {@code control}, {@code buffers} or an element is null
     */
    public long sendmsg(Sockaddr to, List<? extends Cmsg> control, int flags, ByteBuffer... buffers) throws IOException {
        return sendmsg0(to, control, flags, buffers);
    }

    /**
     * Sends bytes gathered from memory segments, with control messages and an optional address;
     * <a href="https://man7.org/linux/man-pages/man2/sendmsg.2.html">sendmsg(2)</a>, as
     * {@link #sendmsg(Sockaddr, List, int, ByteBuffer...)} does. Native segments are sent in place
     * and must stay alive until the call returns; heap ones go through a copy.
     *
     * {@snippet :
     * import io.github.panamasockets.*;
     * try (var pair = Sock.pair(SockType.DGRAM); var arena = java.lang.foreign.Arena.ofConfined()) {
     *     pair.first().sendmsg(null, java.util.List.of(), 0, arena.allocateFrom("head"), arena.allocateFrom("body"));   // ==> 10
     * }
     * }
     *
     * @param to the destination, or null on a connected socket
     * @param control the control messages; empty for none
     * @param flags {@link MsgFlags}, or 0
     * @param buffers the data, in order, at most 1024 segments
     * @return how many bytes were sent
     * @throws SyscallException if the call fails
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if the call fails otherwise
     * @throws IllegalArgumentException if the address is of another family, there are too many
     *         segments, or a control message does not suit this socket
     * @throws IllegalStateException if a segment's arena is closed, or a descriptor to pass was
     *         closed or handed over
     * @throws WrongThreadException if a segment is confined to another thread
     * @throws NullPointerException if {@code control}, {@code buffers} or an element is null
     */
    public long sendmsg(Sockaddr to, List<? extends Cmsg> control, int flags, MemorySegment... buffers) throws IOException {
        return sendmsg0(to, control, flags, buffers);
    }

    /**
     * Sends bytes gathered from whole byte arrays, with control messages and an optional address;
     * <a href="https://man7.org/linux/man-pages/man2/sendmsg.2.html">sendmsg(2)</a>, as
     * {@link #sendmsg(Sockaddr, List, int, ByteBuffer...)} does.
     *
     * {@snippet :
     * import io.github.panamasockets.*;
     * try (var pair = Sock.pair(SockType.DGRAM)) {
     *     pair.first().sendmsg(null, java.util.List.of(), 0, "head".getBytes(), "body".getBytes());   // ==> 8
     * }
     * }
     *
     * @param to the destination, or null on a connected socket
     * @param control the control messages; empty for none
     * @param flags {@link MsgFlags}, or 0
     * @param buffers the data, in order, at most 1024 arrays
     * @return how many bytes were sent
     * @throws SyscallException if the call fails
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if the call fails otherwise
     * @throws IllegalArgumentException if the address is of another family, there are too many
     *         arrays, or a control message does not suit this socket
     * @throws IllegalStateException if a descriptor to pass was closed or handed over
     * @throws NullPointerException if {@code control}, {@code buffers} or an element is null
     */
    public long sendmsg(Sockaddr to, List<? extends Cmsg> control, int flags, byte[]... buffers) throws IOException {
        return sendmsg0(to, control, flags, buffers);
    }

    /**
     * Receives into several buffers in turn, with the sender, the flags the kernel reports and the
     * control messages asked for; <a href="https://man7.org/linux/man-pages/man2/recvmsg.2.html">recvmsg(2)</a>
     * with {@code MSG_CMSG_CLOEXEC}. Each buffer's position advances past the bytes received into
     * it. The control buffer is sized from {@code want}; control data that did not fit is reported
     * by {@link MsgResult#controlTruncated()}, never dropped unseen. Control data is read only from
     * a call that succeeded, and every descriptor the kernel passed is returned (see
     * {@link MsgResult#fds()}), also from a message it cut short; see cmsg(3) and unix(7).
     *
     * {@snippet :
     * import io.github.panamasockets.*;
     * try (var pair = Sock.pair(SockType.SEQPACKET)) {
     *     pair.first().sendmsg(null, java.util.List.of(Cmsg.fds(OwnedFd.borrow(0))), 0, "stdin".getBytes());
     *     var got = pair.second().recvmsg(ControlSpec.fds(1), 0, java.nio.ByteBuffer.allocate(64));
     *     got.fds().forEach(OwnedFd::close);   // got.fds() ==> [OwnedFd[9]], a new descriptor for stdin
     * }
     * }
     *
     * @param want the control messages to make room for
     * @param flags {@link MsgFlags} such as {@link MsgFlags#PEEK}, {@link MsgFlags#TRUNC},
     *        {@link MsgFlags#WAITALL} or {@link MsgFlags#DONTWAIT}; 0 for none. {@code WAITALL}
     *        waits for the buffers to fill on virtual threads and with a timeout too (though not
     *        with {@code PEEK}: there it returns what has come); as in the kernel, a timeout or an
     *        interrupt after some bytes returns those bytes
     * @param buffers where the data goes, in order, at most 1024 buffers; heap buffers are filled
     *        through a copy
     * @return the length (-1 at end of stream), flags, sender and control messages
     * @throws SyscallException if the call fails, such as {@code EAGAIN} with
     *         {@link MsgFlags#DONTWAIT}
     * @throws SyscallTimeoutException if a receive timeout ({@code SO_RCVTIMEO}) expired
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if the call fails otherwise
     * @throws IllegalArgumentException if a buffer is read-only, or there are more than 1024
     * @throws NullPointerException if {@code want}, {@code buffers} or an element is null
     */
    public MsgResult recvmsg(ControlSpec want, int flags, ByteBuffer... buffers) throws IOException {
        return recvmsg0(want, flags, buffers);
    }

    /**
     * Receives into memory segments in turn, each filled from its start;
     * <a href="https://man7.org/linux/man-pages/man2/recvmsg.2.html">recvmsg(2)</a>, as
     * {@link #recvmsg(ControlSpec, int, ByteBuffer...)} does. Native segments receive in place and
     * must stay alive until the call returns; heap ones through a copy.
     *
     * {@snippet :
     * import io.github.panamasockets.*;
     * try (var pair = Sock.pair(SockType.DGRAM); var arena = java.lang.foreign.Arena.ofConfined()) {
     *     pair.first().send("header and body".getBytes());
     *     pair.second().recvmsg(ControlSpec.NONE, 0, arena.allocate(7), arena.allocate(1500)).length();   // ==> 15
     * }
     * }
     *
     * @param want the control messages to make room for
     * @param flags {@link MsgFlags}, or 0
     * @param buffers where the data goes, in order, at most 1024 segments
     * @return the length, flags, sender and control messages
     * @throws SyscallException if the call fails
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if the call fails otherwise
     * @throws IllegalArgumentException if a segment is read-only, or there are more than 1024
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     * @throws NullPointerException if {@code want}, {@code buffers} or an element is null
     */
    public MsgResult recvmsg(ControlSpec want, int flags, MemorySegment... buffers) throws IOException {
        return recvmsg0(want, flags, buffers);
    }

    /**
     * Receives into whole byte arrays in turn, each filled from its start;
     * <a href="https://man7.org/linux/man-pages/man2/recvmsg.2.html">recvmsg(2)</a>, as
     * {@link #recvmsg(ControlSpec, int, ByteBuffer...)} does.
     *
     * {@snippet :
     * import io.github.panamasockets.*;
     * try (var pair = Sock.pair(SockType.DGRAM)) {
     *     pair.first().send("header and body".getBytes());
     *     byte[] head = new byte[7], body = new byte[100];
     *     pair.second().recvmsg(ControlSpec.NONE, 0, head, body).length();   // ==> 15
     * }
     * }
     *
     * @param want the control messages to make room for
     * @param flags {@link MsgFlags}, or 0
     * @param buffers where the data goes, in order, at most 1024 arrays
     * @return the length, flags, sender and control messages
     * @throws SyscallException if the call fails
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if the call fails otherwise
     * @throws IllegalArgumentException if there are more than 1024 arrays
     * @throws NullPointerException if {@code want}, {@code buffers} or an element is null
     */
    public MsgResult recvmsg(ControlSpec want, int flags, byte[]... buffers) throws IOException {
        return recvmsg0(want, flags, buffers);
    }

    /**
     * sendmsg(2) over any mix of byte[], ByteBuffer and MemorySegment. The iovecs, msghdr and
     * control data are built in the writer's scratch; with no control data nothing is allocated.
     */
    private long sendmsg0(Sockaddr to, List<? extends Cmsg> control, int flags, Object[] buffers) throws IOException {
        if (to != null) {
            checkFamily("sendmsg", to);
        }
        Objects.requireNonNull(buffers, "buffers");
        List<Cmsg> cmsgs = Messages.copy(control);
        long controlSize = Messages.size(cmsgs, family);
        Messages.acquire(cmsgs);
        try {
            enter(WRITE, "sendmsg");
            int count = buffers.length;
            try {
                writer.buffers.hold("sendmsg", buffers);
                long heap = writer.buffers.check("sendmsg", count, false);
                long iovs = MsgBuffers.IOVEC * count;
                MemorySegment aux = writer.aux(MsgBuffers.MSGHDR + iovs + controlSize);
                MemorySegment msg = writer.msg;
                writer.buffers.point(aux, count, writer.buffer(heap), true);
                MsgBuffers.header(msg, aux, count);
                if (to != null) {
                    msghdr.msg_name(msg, writer.addr);
                    msghdr.msg_namelen(msg, writer.encode(to));
                }
                if (controlSize > 0) {
                    MemorySegment ctl = aux.asSlice(MsgBuffers.MSGHDR + iovs, controlSize);
                    Messages.encode(cmsgs, ctl);
                    msghdr.msg_control(msg, ctl);
                    msghdr.msg_controllen(msg, controlSize);
                }
                long timeout = sendTimeout;
                int all = flags | NOSIGNAL | (mustNotBlock(pollSends, timeout) ? DONTWAIT : 0);
                long n;
                long deadline = 0;
                while (true) {
                    n = (all & DONTWAIT) != 0 ? Syscalls.sendmsgNow(writer.capture, ref.fd(), msg, all)
                            : Syscalls.sendmsg(writer.capture, ref.fd(), msg, all);
                    if (n >= 0) {
                        break;
                    }
                    int errno = writer.errno();
                    if (errno == EAGAIN && ((all & DONTWAIT) != 0 || fdNonBlocking)) {
                        if (nonBlocking || (flags & DONTWAIT) != 0) {
                            return WOULD_BLOCK;
                        }
                        deadline = await("sendmsg", writer, POLLOUT, deadline, timeout);
                    } else if (errno != EINTR) {
                        throw error("sendmsg", errno, to);
                    }
                }
                writer.buffers.advance(count, n);
                return n;
            } finally {
                writer.buffers.unhold();
                exit(WRITE);
            }
        } finally {
            Messages.release(cmsgs);
        }
    }

    /**
     * recvmsg(2) into any mix of byte[], ByteBuffer and MemorySegment, in the reader's scratch.
     * Control data is decoded only after the call succeeded; if the result cannot be returned, the
     * descriptors it carried are closed.
     */
    private MsgResult recvmsg0(ControlSpec want, int flags, Object[] buffers) throws IOException {
        Objects.requireNonNull(want, "want");
        Objects.requireNonNull(buffers, "buffers");
        long controlSize = Messages.size(want);
        enter(READ, "recvmsg");
        int count = buffers.length;
        try {
            reader.buffers.hold("recvmsg", buffers);
            long heap = reader.buffers.check("recvmsg", count, true);
            long iovs = MsgBuffers.IOVEC * count;
            MemorySegment aux = reader.aux(MsgBuffers.MSGHDR + iovs + controlSize);
            MemorySegment msg = reader.msg;
            MemorySegment ctl = controlSize > 0 ? aux.asSlice(MsgBuffers.MSGHDR + iovs, controlSize) : MemorySegment.NULL;
            MemorySegment bounce = reader.buffer(heap);
            reader.buffers.point(aux, count, bounce, false);
            long timeout = receiveTimeout;
            int all = flags | CMSG_CLOEXEC | (mustNotBlock(pollReceives, timeout) ? DONTWAIT : 0);
            // MSG_DONTWAIT that the library added overrides MSG_WAITALL in the kernel, which then
            // returns what it has: the library waits for the rest itself (not with MSG_PEEK, which
            // would take the same bytes again).
            boolean waitAll = (flags & (WAITALL | PEEK | DONTWAIT)) == WAITALL && (all & DONTWAIT) != 0
                    && !nonBlocking && stream;
            long capacity = waitAll ? MsgBuffers.length(aux, count) : 0;
            long got = 0;
            long n;
            long deadline = 0;
            boolean waited = false;
            while (true) {
                MsgBuffers.header(msg, aux, count);
                if (got > 0) {
                    reader.buffers.point(aux, count, bounce, false);
                    MsgBuffers.skip(msg, aux, count, got);
                }
                msghdr.msg_name(msg, reader.addr);
                msghdr.msg_namelen(msg, Sockaddr.MAX_LENGTH);
                if (controlSize > 0) {
                    msghdr.msg_control(msg, ctl);
                    msghdr.msg_controllen(msg, controlSize);
                }
                n = (all & DONTWAIT) != 0 ? Syscalls.recvmsgNow(reader.capture, ref.fd(), msg, all)
                        : Syscalls.recvmsg(reader.capture, ref.fd(), msg, all);
                if (n == 0 && ref.isClosed() && msghdr.msg_controllen(msg) == 0) {
                    // Woken by close's shutdown(2), not a real end of stream: as recv0 does.
                    throw closedDuring("recvmsg");
                }
                if (n >= 0) {
                    if (waitAll && n > 0 && got + n < capacity && msghdr.msg_controllen(msg) == 0) {
                        got += n;           // and on, into the rest of the buffers
                        continue;
                    }
                    n += got;
                    break;
                }
                if (got > 0 && reader.errno() != EINTR) {
                    // The rest of a MSG_WAITALL. As recvmsg(2) does, a timeout, an interrupt or an
                    // error after some bytes returns those bytes.
                    try {
                        if (reader.errno() == EAGAIN) {
                            deadline = await("recvmsg", reader, POLLIN, deadline, timeout);
                            continue;
                        }
                    } catch (InterruptedIOException e) {
                        // returned below
                    }
                    n = got;
                    break;
                }
                int errno = reader.errno();
                if (errno == EAGAIN && ((all & DONTWAIT) != 0 || fdNonBlocking)) {
                    if (nonBlocking || (flags & DONTWAIT) != 0) {
                        return MsgResult.WOULD_BLOCK;
                    }
                    if (waited && receiveShutDown()) {
                        if (ref.isClosed()) {
                            throw closedDuring("recvmsg");   // the shutdown was close's wake-up
                        }
                        // As in recv0: what the blocking call returns, an empty message with no
                        // address and no control data (EAGAIN left the header as it was).
                        msghdr.msg_namelen(msg, 0);
                        msghdr.msg_controllen(msg, 0);
                        msghdr.msg_flags(msg, 0);
                        n = 0;
                        break;
                    }
                    deadline = await("recvmsg", reader, POLLIN, deadline, timeout);
                    waited = true;
                } else if (errno != EINTR) {
                    throw error("recvmsg", errno, null);
                }
            }
            // Only now, with the call succeeded, is the control data the kernel's.
            List<Cmsg> cmsgs = controlSize > 0 ? Messages.decode(ctl, msghdr.msg_controllen(msg)) : List.of();
            try {
                Sockaddr from = sender(msghdr.msg_namelen(msg));
                reader.buffers.scatter(count, bounce, n);
                long length = n == 0 && endOfStream() ? -1 : n;
                // MSG_CMSG_CLOEXEC comes back only as an echo of what this call passed in.
                int outFlags = msghdr.msg_flags(msg) & ~CMSG_CLOEXEC;
                if (!cmsgs.isEmpty()) {
                    return new MsgResult(length, outFlags, from, cmsgs);
                }
                // Without control messages, the last result again when it is equal, as
                // received() does, so that a receive loop allocates nothing.
                MsgResult last = reader.result;
                if (last != null && last.length() == length && last.flags() == outFlags && last.from() == from) {
                    return last;
                }
                return reader.result = new MsgResult(length, outFlags, from, List.of());
            } catch (RuntimeException | Error e) {
                Messages.close(cmsgs);
                throw e;
            }
        } finally {
            reader.buffers.unhold();
            exit(READ);
        }
    }

    /** Whether a 0-byte receive is the end of the stream rather than an empty message. */
    private boolean endOfStream() {
        return stream || type.equals(SockType.SEQPACKET) && receiveShutDown();
    }

    // ------------------------------------------------------------------------------ streams

    /**
     * {@return an input stream that receives from this stream socket}; reading returns -1 at end of
     * stream, and closing it closes the socket
     *
     * {@snippet :
     * var reader = new java.io.BufferedReader(new java.io.InputStreamReader(conn.inputStream()));
     * }
     *
     * @throws IllegalStateException if the socket is not {@link SockType#STREAM}
     */
    public synchronized InputStream inputStream() {
        requireStream("inputStream");
        if (in == null) {
            in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    requireBlocking();
                    return len == 0 ? 0 : recv(b, off, len);
                }

                @Override
                public void close() {
                    Sock.this.close();
                }
            };
        }
        return in;
    }

    /**
     * {@return an output stream that sends on this stream socket}; every write sends all its bytes,
     * and closing it closes the socket
     *
     * {@snippet :
     * var out = new java.io.PrintStream(conn.outputStream(), true);
     * out.println("hello");
     * }
     *
     * @throws IllegalStateException if the socket is not {@link SockType#STREAM}
     */
    public synchronized OutputStream outputStream() {
        requireStream("outputStream");
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    sendAll(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    if (len > 0) {
                        sendAll(b, off, len);
                    }
                }

                @Override
                public void close() {
                    Sock.this.close();
                }
            };
        }
        return out;
    }

    /** sendAll and the streams wait by nature; in non-blocking mode they would spin. */
    private void requireBlocking() {
        if (nonBlocking) {
            throw new IllegalBlockingModeException();
        }
    }

    private void requireStream(String what) {
        if (!stream) {
            throw new IllegalStateException(what + " needs a SOCK_STREAM socket; this is " + type
                    + ": use send and recv, which keep message boundaries");
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /**
     * Starts a call: claims its direction ({@link FdRef#READ}, {@link FdRef#WRITE} or
     * {@link FdRef#CONTROL}, each with scratch memory of its own) and counts the call in on the
     * descriptor, in one atomic step. A call that waited for the direction while the socket was
     * closed fails here, without touching the fd.
     */
    private void enter(int direction, String call) throws SockClosedException {
        Thread o = owner;
        if (o == null) {
            boolean open;
            try {
                open = ref.enter(direction);
            } catch (WrongThreadException e) {       // confined since this call read owner
                throw wrongThread(call);
            }
            if (!open) {
                throw new SockClosedException(call + ": the socket is closed");
            }
        } else if (o != Thread.currentThread()) {
            throw wrongThread(call);
        } else if (ref.isClosed()) {
            throw new SockClosedException(call + ": the socket is closed");
        }
    }

    /**
     * Ends a call begun by {@link #enter}; the last call out of a closed socket closes the fd. The
     * owner of a confined socket entered nothing (and owner cannot change during a call: confine
     * refuses while any call is in flight).
     */
    private void exit(int direction) {
        if (owner == null) {
            ref.exit(direction);
        }
        Reference.reachabilityFence(this);
    }

    private WrongThreadException wrongThread(String call) {
        return new WrongThreadException(call + " on " + this + " from " + Thread.currentThread()
                + ": the socket is confined to " + owner);
    }

    private SockClosedException closedDuring(String call) {
        return new SockClosedException(call + ": the socket was closed by another thread during the call");
    }

    private IOException error(String call, int errno, Sockaddr address) {
        if (ref.isClosed()) {
            return closedDuring(call);
        }
        return Errors.of(call, errno, address);
    }

    private void checkFamily(String call, Sockaddr address) {
        Objects.requireNonNull(address, "address");
        if (!address.family().equals(family)) {
            throw new IllegalArgumentException(call + " " + address + ": the address is " + address.family()
                    + ", the socket " + family);
        }
    }

    private int intOption(Scratch s, int level, int name) throws IOException {
        s.len.set(ValueLayout.JAVA_INT, 0, 4);
        if (Syscalls.getsockopt(s.capture, ref.fd(), level, name, s.value, s.len) < 0) {
            throw error("getsockopt", s.errno(), null);
        }
        return s.value.get(ValueLayout.JAVA_INT, 0);
    }

    private Sockaddr decode(Scratch s) {
        int len = s.len.get(ValueLayout.JAVA_INT, 0);
        return Sockaddr.decode(s.addr, Math.min(len, Sockaddr.MAX_LENGTH));
    }

    /**
     * {@return a description}, such as {@code Sock[fd 5, AF_UNIX SOCK_SEQPACKET]}, or
     * {@code Sock[closed, ...]}
     */
    @Override
    public String toString() {
        return "Sock[" + (ref.isClosed() ? "closed" : "fd " + ref.fd()) + ", " + family + " " + type
                + (protocol.value() == 0 ? "" : " " + protocol) + "]";
    }
}
