package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.io.Serial;
import java.net.SocketTimeoutException;
import java.util.Optional;

/**
 * Thrown for a call that timed out ({@code EAGAIN} after a receive or send timeout): a {@link SocketTimeoutException} that also says which call failed, with which errno, on
 * which address.
 *
 * {@snippet :
 * // sock.recv(buf)   // throws SyscallTimeoutException: recv: EAGAIN (Resource temporarily unavailable)
 * }
 */
public final class SyscallTimeoutException extends SocketTimeoutException implements SyscallError {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final Sockaddr address;

    /**
     * Creates the exception; the message is {@code call address: ENAME (description)}.
     *
     * @param call the system call, such as {@code bind}
     * @param errno the errno it failed with
     * @param address the address involved, or null
     */
    public SyscallTimeoutException(String call, int errno, Sockaddr address) {
        super(SyscallError.message(call, errno, address));
        this.call = call;
        this.errno = errno;
        this.address = address;
    }

    @Override
    public String call() {
        return call;
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public Optional<Sockaddr> address() {
        return Optional.ofNullable(address);
    }
}
