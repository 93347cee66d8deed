package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.util.Objects;

/**
 * What a failed system call reported: the call, the errno, and the address it was given.
 *
 * {@snippet :
 * new SyscallFailure("bind", 98, io.github.panamasockets.address.SockaddrUnix.of("/tmp/a.sock")).message()
 * // ==> "bind /tmp/a.sock: EADDRINUSE (Address already in use)"
 * }
 *
 * @param call the system call, such as {@code bind}
 * @param errno the errno number
 * @param address the address involved, or null
 */
public record SyscallFailure(String call, int errno, Sockaddr address) {

    /** What an exception that was serialized and read back reports: its message keeps the rest. */
    static final SyscallFailure DESERIALIZED = new SyscallFailure("(deserialized)", 0, null);

    /**
     * Checks the call.
     *
     * @throws NullPointerException if {@code call} is null
     */
    public SyscallFailure {
        Objects.requireNonNull(call, "call");
    }

    /** {@return the exception message: {@code call address: ENAME (description)}} */
    public String message() {
        return call + (address == null ? "" : " " + address) + ": " + Errno.describe(errno);
    }
}
