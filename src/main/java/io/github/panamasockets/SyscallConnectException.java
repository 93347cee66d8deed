package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.io.Serial;
import java.net.ConnectException;

/**
 * Thrown for a refused or timed-out connect(2): {@code ECONNREFUSED} or {@code ETIMEDOUT}: a {@link ConnectException} that also says which call failed, with which errno, on
 * which address.
 *
 * {@snippet :
 * Sock.open(Family.UNIX, SockType.STREAM).connect(SockaddrUnix.abstractName("nobody-listens"))   // ECONNREFUSED
 * }
 */
public final class SyscallConnectException extends ConnectException implements SyscallError {
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
    public SyscallConnectException(String call, int errno, Sockaddr address) {
        this(new SyscallFailure(call, errno, address));
    }

    SyscallConnectException(SyscallFailure failure) {
        super(failure.message());
        this.failure = failure;
    }

    @Override
    public SyscallFailure failure() {
        return failure != null ? failure : SyscallFailure.DESERIALIZED;
    }
}
