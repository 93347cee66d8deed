package io.github.panamasockets;

import io.github.panamasockets.internal.sys.FdRef;

import java.io.IOException;
import java.lang.ref.Cleaner;

/**
 * A file descriptor passed between processes with {@code SCM_RIGHTS} (see
 * <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>). One that was received
 * is owned by this object until it is {@linkplain #close() closed} or handed to a {@link Sock};
 * it is close-on-exec, and if this object becomes unreachable unclosed, a {@link Cleaner} closes
 * the descriptor. One that is {@linkplain #borrow(int) borrowed}, to be sent, stays its owner's.
 * Any kind of file can arrive: a socket, a pipe, a regular file.
 *
 * <p>Thread-safe. While a {@link Sock#sendmsg sendmsg} is passing the descriptor, closing it
 * waits for the call to end before the number is released, so the call can never pass a file that
 * took the same number.
 *
 * {@snippet :
 * import io.github.panamasockets.*;
 * try (var pair = Sock.pair(SockType.DGRAM); var carried = Sock.pair(SockType.STREAM)) {
 *     pair.first().sendmsg(null, java.util.List.of(Cmsg.fds(OwnedFd.borrow(carried.first().fd()))), 0,
 *             "here".getBytes());
 *     var got = pair.second().recvmsg(ControlSpec.fds(1), 0, new byte[16]);
 *     try (Sock s = got.fds().get(0).toSock()) {   // the same socket, a new descriptor
 *         s.send("via the passed socket".getBytes());
 *     }
 * }
 * }
 */
public final class OwnedFd implements AutoCloseable {
    private final FdRef ref;
    private final boolean owned;
    /** Closes a received descriptor that was dropped; null for a borrowed one. */
    private final Closer closer;
    private final Cleaner.Cleanable cleanable;
    /** Guarded by this: the sendmsg calls passing the descriptor right now. */
    private int inFlight;

    /** What the cleaner runs; it refers to no OwnedFd, so that one can become unreachable. */
    private static final class Closer implements Runnable {
        private final FdRef ref;
        private volatile boolean handedOver;

        Closer(FdRef ref) {
            this.ref = ref;
        }

        @Override
        public void run() {
            if (!handedOver) {
                ref.close();
            }
        }
    }

    /** Made on first use: a process that never receives a descriptor starts no cleaner thread. */
    private static final class Cleaners {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private OwnedFd(int fd, boolean owned) {
        this.ref = new FdRef(fd, false);
        this.owned = owned;
        this.closer = owned ? new Closer(ref) : null;
        this.cleanable = owned ? Cleaners.CLEANER.register(this, closer) : null;
    }

    /** A descriptor the kernel installed in this process: this object closes it. */
    static OwnedFd received(int fd) {
        return new OwnedFd(fd, true);
    }

    /**
     * {@return a descriptor to send that stays the caller's}: closing the result does not close it.
     * Use it to pass a descriptor this process keeps, such as a socket's {@link Sock#fd()}; it must
     * stay open until the sendmsg that passes it has returned.
     *
     * {@snippet :
     * Cmsg.fds(OwnedFd.borrow(0))   // this process's stdin
     * }
     *
     * @param fd an open descriptor, 0 or more
     * @throws IllegalArgumentException if {@code fd} is negative
     */
    public static OwnedFd borrow(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative");
        }
        return new OwnedFd(fd, false);
    }

    /**
     * {@return the descriptor number}, valid until this object is closed or handed over (and, for
     * a received descriptor, while this object is reachable)
     *
     * {@snippet :
     * OwnedFd.borrow(0).fd()   // ==> 0
     * }
     *
     * @throws IllegalStateException if it was closed or handed over
     */
    public synchronized int fd() {
        if (ref.isClosed() || handedOver()) {
            throw new IllegalStateException("the descriptor " + ref.fd() + " was "
                    + (handedOver() ? "handed to a Sock" : "closed"));
        }
        return ref.fd();
    }

    /**
     * {@return whether this object owns the descriptor: received, and neither closed nor handed over}
     *
     * {@snippet :
     * OwnedFd.borrow(0).isOwned()   // ==> false: borrowed descriptors stay their owner's
     * }
     */
    public synchronized boolean isOwned() {
        return owned && !handedOver() && !ref.isClosed();
    }

    /**
     * Hands the descriptor to a new {@link Sock} through {@link Sock#adopt(int)}, which reads its
     * family and type with getsockopt(2); the socket owns it from then on, and closing this object
     * does nothing.
     *
     * {@snippet :
     * try (Sock s = got.fds().get(0).toSock()) {
     *     s.localAddress();
     * }
     * }
     *
     * @return the socket
     * @throws IOException if the descriptor is not a socket ({@code ENOTSOCK})
     * @throws IllegalStateException if it was closed or handed over, is borrowed, or is being sent
     *         by a sendmsg or polled by a poll in another thread
     */
    public synchronized Sock toSock() throws IOException {
        if (!owned) {
            throw new IllegalStateException("descriptor " + ref.fd() + " is borrowed: it stays with its owner");
        }
        if (inFlight > 0) {
            throw new IllegalStateException("descriptor " + ref.fd() + " is being sent or polled by another thread");
        }
        Sock s = Sock.adopt(fd());
        closer.handedOver = true;
        cleanable.clean();      // does nothing now but drop the registration
        ref.handOver();         // and closes the wake-up eventfd a poll may have made
        return s;
    }

    /**
     * Closes the descriptor if this object owns it;
     * <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>. If a sendmsg in
     * another thread is passing it, the close happens when that call returns. Closing again, or
     * closing a borrowed descriptor, does nothing.
     *
     * {@snippet :
     * got.fds().forEach(OwnedFd::close);
     * }
     */
    @Override
    public synchronized void close() {
        if (owned) {
            cleanable.clean();
        }
    }

    /**
     * Holds the descriptor for a sendmsg that passes it, until {@link #release()}.
     *
     * @throws IllegalStateException if it was closed or handed over
     */
    synchronized void acquire() {
        if (handedOver() || !ref.acquire()) {
            throw new IllegalStateException("descriptor " + ref.fd() + " was "
                    + (handedOver() ? "handed to a Sock" : "closed"));
        }
        inFlight++;
    }

    /** The descriptor's owner, for {@link Poll}; its wake-up eventfd is made on demand. */
    FdRef ref() {
        return ref;
    }

    /** The number, for encoding between {@link #acquire()} and {@link #release()}. */
    int number() {
        return ref.fd();
    }

    synchronized void release() {
        inFlight--;
        ref.release();
    }

    private boolean handedOver() {
        return closer != null && closer.handedOver;
    }

    /** {@return a description, such as {@code OwnedFd[9]} or {@code OwnedFd[0, borrowed]}} */
    @Override
    public synchronized String toString() {
        return "OwnedFd[" + ref.fd() + (handedOver() ? ", handed over" : ref.isClosed() ? ", closed"
                : owned ? "" : ", borrowed") + "]";
    }
}
