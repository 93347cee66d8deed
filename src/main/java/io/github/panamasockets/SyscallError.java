package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.util.Optional;

/**
 * A socket call that failed with an {@code errno}. Every exception the library throws for a failed
 * system call implements this, while extending the {@code java.net} exception Java code already
 * catches:
 * <ul>
 *   <li>{@link SyscallBindException} ({@link java.net.BindException}) for {@code EADDRINUSE},
 *       {@code EADDRNOTAVAIL} and {@code EACCES} from bind;</li>
 *   <li>{@link SyscallConnectException} ({@link java.net.ConnectException}) for
 *       {@code ECONNREFUSED} and {@code ETIMEDOUT};</li>
 *   <li>{@link SyscallNoRouteException} ({@link java.net.NoRouteToHostException}) for
 *       {@code EHOSTUNREACH};</li>
 *   <li>{@link SyscallTimeoutException} ({@link java.net.SocketTimeoutException}) for timeouts;</li>
 *   <li>{@link SyscallException} ({@link java.net.SocketException}) for everything else.</li>
 * </ul>
 * The message reads {@code call address: ENAME (description)}, such as
 * {@code bind /tmp/a.sock: EADDRINUSE (Address already in use)}.
 *
 * {@snippet :
 * try (var s = Sock.open(Family.UNIX, SockType.STREAM)) {
 *     s.connect(io.github.panamasockets.address.SockaddrUnix.abstractName("nobody-listens"));
 * } catch (java.io.IOException e) {
 *     if (e instanceof SyscallError err) {
 *         System.out.println(err.call() + " " + err.errnoName());   // connect ECONNREFUSED
 *     }
 * }
 * }
 */
public sealed interface SyscallError
        permits SyscallException, SyscallBindException, SyscallConnectException, SyscallNoRouteException,
        SyscallTimeoutException {

    /** {@return the call, errno and address of the failure} */
    SyscallFailure failure();

    /** {@return the system call that failed, such as {@code bind}} */
    default String call() {
        return failure().call();
    }

    /** {@return the errno number} */
    default int errno() {
        return failure().errno();
    }

    /** {@return the address involved, if the call had one} */
    default Optional<Sockaddr> address() {
        return Optional.ofNullable(failure().address());
    }

    /** {@return the errno's C name, such as {@code EADDRINUSE}} */
    default String errnoName() {
        return Errno.nameOf(errno());
    }

    /** {@return the errno as a constant, if it is one the library names} */
    default Optional<Errno> errnoConstant() {
        return Errno.of(errno());
    }
}
