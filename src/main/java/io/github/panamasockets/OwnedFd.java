package io.github.panamasockets;

import io.github.panamasockets.internal.sys.FdRef;

import java.io.IOException;

/**
 * A file descriptor received from another process (through {@code SCM_RIGHTS}; see unix(7)),
 * owned by this object until it is {@linkplain #close() closed} or handed to a {@link Sock}. It
 * is close-on-exec. Any kind of file can arrive: a socket, a pipe, a regular file.
 *
 * {@snippet :
 * var got = conn.recvmsg(ControlSpec.fds(1), 0, java.nio.ByteBuffer.allocate(16));
 * var fd = ((Cmsg.Fds) got.control().get(0)).fds().get(0);
 * try (var s = fd.toSock()) {   // if it is a socket
 *     s.send("thanks".getBytes());
 * }
 * }
 */
public final class OwnedFd implements AutoCloseable {
    private final FdRef ref;
    private final boolean owned;
    private boolean handedOver;

    private OwnedFd(int fd, boolean owned) {
        this.ref = new FdRef(fd, false);
        this.owned = owned;
    }

    /** A descriptor the kernel installed in this process: this object closes it. */
    static OwnedFd received(int fd) {
        return new OwnedFd(fd, true);
    }

    /**
     * {@return a descriptor to send that stays the caller's}: closing the result does not close it.
     * Use it to pass a descriptor this process keeps, such as a socket's {@link Sock#fd()}.
     *
     * {@snippet :
     * Cmsg.fds(OwnedFd.borrow(sock.fd()))
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
     * {@return the descriptor number}
     *
     * {@snippet :
     * fd.fd()   // ==> 9, say
     * }
     *
     * @throws IllegalStateException if it was closed or handed over
     */
    public synchronized int fd() {
        if (ref.isClosed() || handedOver) {
            throw new IllegalStateException("the descriptor was " + (handedOver ? "handed to a Sock" : "closed"));
        }
        return ref.fd();
    }

    /** {@return whether this object still owns the descriptor: received, not closed, not handed over} */
    public synchronized boolean isOwned() {
        return owned && !handedOver && !ref.isClosed();
    }

    /**
     * Hands the descriptor to a new {@link Sock} through {@link Sock#adopt(int)}; the socket owns
     * it from then on, and closing this object does nothing.
     *
     * {@snippet :
     * try (var s = fd.toSock()) { s.localAddress(); }
     * }
     *
     * @return the socket
     * @throws IOException if the descriptor is not a socket ({@code ENOTSOCK})
     * @throws IllegalStateException if it was closed, handed over, or is borrowed
     */
    public synchronized Sock toSock() throws IOException {
        if (!owned) {
            throw new IllegalStateException("a borrowed descriptor stays with its owner");
        }
        Sock s = Sock.adopt(fd());
        handedOver = true;
        return s;
    }

    /**
     * Closes the descriptor if this object owns it;
     * <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>. Closing again
     * does nothing.
     *
     * {@snippet :
     * fd.close();
     * }
     */
    @Override
    public synchronized void close() {
        if (owned && !handedOver) {
            ref.close();
        }
    }

    /** {@return a description, such as {@code OwnedFd[9]}} */
    @Override
    public synchronized String toString() {
        return "OwnedFd[" + ref.fd() + (handedOver ? ", handed over" : ref.isClosed() ? ", closed" : owned ? "" : ", borrowed") + "]";
    }
}
