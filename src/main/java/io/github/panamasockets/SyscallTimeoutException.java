package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.io.Serial;
import java.net.SocketTimeoutException;

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

    /** Not serialized: addresses are not serializable, and the message keeps the details. */
    private final transient SyscallFailure failure;

    /**
     * Creates the exception; the message is {@code call address: ENAME (description)}.
     *
     * @param call the system call, such as {@code bind}
     * @param errno the errno it failed with
     * @param address the address involved, or null
     */
    public SyscallTimeoutException(String call, int errno, Sockaddr address) {
        this(new SyscallFailure(call, errno, address));
    }

    SyscallTimeoutException(SyscallFailure failure) {
        super(failure.message());
        this.failure = failure;
    }

    @Override
    public SyscallFailure failure() {
        return failure != null ? failure : SyscallFailure.DESERIALIZED;
    }
}
