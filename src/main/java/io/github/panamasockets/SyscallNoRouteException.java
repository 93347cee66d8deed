package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.io.Serial;
import java.net.NoRouteToHostException;

/**
 * Thrown for a call that failed with {@code EHOSTUNREACH}: a {@link NoRouteToHostException} that also says which call failed, with which errno, on
 * which address.
 *
 * {@snippet :
 * // sock.connect(address)   // throws SyscallNoRouteException: connect 192.0.2.1:80: EHOSTUNREACH (No route to host)
 * }
 */
public final class SyscallNoRouteException extends NoRouteToHostException implements SyscallError {
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
    public SyscallNoRouteException(String call, int errno, Sockaddr address) {
        this(new SyscallFailure(call, errno, address));
    }

    SyscallNoRouteException(SyscallFailure failure) {
        super(failure.message());
        this.failure = failure;
    }

    @Override
    public SyscallFailure failure() {
        return failure != null ? failure : SyscallFailure.DESERIALIZED;
    }
}
