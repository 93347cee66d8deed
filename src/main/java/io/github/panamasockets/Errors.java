package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.internal.gen.LibC;

import java.net.SocketException;

/** Chooses the java.net exception type Java code expects for a call and its errno. */
final class Errors {
    private Errors() {}

    private static final int EADDRINUSE = LibC.EADDRINUSE();
    private static final int EADDRNOTAVAIL = LibC.EADDRNOTAVAIL();
    private static final int EACCES = LibC.EACCES();
    private static final int ECONNREFUSED = LibC.ECONNREFUSED();
    private static final int ETIMEDOUT = LibC.ETIMEDOUT();
    private static final int EHOSTUNREACH = LibC.EHOSTUNREACH();
    private static final int EAGAIN = LibC.EAGAIN();

    static java.io.IOException of(String call, int errno, Sockaddr address) {
        if (call.equals("bind") && (errno == EADDRINUSE || errno == EADDRNOTAVAIL || errno == EACCES)) {
            return new SyscallBindException(call, errno, address);
        }
        if (errno == ECONNREFUSED || errno == ETIMEDOUT && call.equals("connect")) {
            return new SyscallConnectException(call, errno, address);
        }
        if (errno == EAGAIN) {
            // Sock handles EAGAIN from non-blocking calls itself; one that reaches here came
            // from a blocking call whose SO_RCVTIMEO or SO_SNDTIMEO ran out.
            return new SyscallTimeoutException(call, errno, address);
        }
        if (errno == EHOSTUNREACH) {
            return new SyscallNoRouteException(call, errno, address);
        }
        return new SyscallException(call, errno, address);
    }
}
