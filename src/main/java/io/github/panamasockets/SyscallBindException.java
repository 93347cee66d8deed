package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.io.Serial;
import java.net.BindException;

/**
 * Thrown for a failed bind(2): {@code EADDRINUSE}, {@code EADDRNOTAVAIL} or {@code EACCES}: a {@link BindException} that also says which call failed, with which errno, on
 * which address.
 *
 * {@snippet :
 * Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(1))   // EACCES unless root
 * }
 */
public final class SyscallBindException extends BindException implements SyscallError {
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
    public SyscallBindException(String call, int errno, Sockaddr address) {
        this(new SyscallFailure(call, errno, address));
    }

    SyscallBindException(SyscallFailure failure) {
        super(failure.message());
        this.failure = failure;
    }

    @Override
    public SyscallFailure failure() {
        return failure != null ? failure : SyscallFailure.DESERIALIZED;
    }
}
