package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.io.Serial;
import java.net.SocketException;

/**
 * Thrown for the errno of a failed socket call that has no more specific java.net type: a {@link SocketException} that also says which call failed, with which errno, on
 * which address.
 *
 * {@snippet :
 * sock.recv(buf)   // throws SyscallException: recv: ECONNRESET (Connection reset by peer)
 * }
 */
public final class SyscallException extends SocketException implements SyscallError {
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
    public SyscallException(String call, int errno, Sockaddr address) {
        this(new SyscallFailure(call, errno, address));
    }

    SyscallException(SyscallFailure failure) {
        super(failure.message());
        this.failure = failure;
    }

    @Override
    public SyscallFailure failure() {
        return failure != null ? failure : SyscallFailure.DESERIALIZED;
    }
}
