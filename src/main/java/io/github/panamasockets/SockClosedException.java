package io.github.panamasockets;

import java.io.Serial;
import java.net.SocketException;

/**
 * Thrown when a socket is used after {@link Sock#close()}, or when another thread closes it while
 * this one is blocked in a call on it. The message names the call and which of the two happened.
 * No system call is made on the old descriptor number, which the kernel may already have given to
 * another file.
 *
 * {@snippet :
 * var s = Sock.open(Family.UNIX, SockType.DGRAM);
 * s.close();
 * s.localAddress();   // throws SockClosedException: getsockname: the socket is closed
 * }
 */
public final class SockClosedException extends SocketException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened
     */
    public SockClosedException(String message) {
        super(message);
    }
}
