package io.github.panamasockets.address;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Inet4Address;

/** Conversions from java.net types. */
final class JavaNet {
    private JavaNet() {}

    static Sockaddr fromInet(InetSocketAddress inet) {
        InetAddress ip = inet.getAddress();
        if (ip == null) {
            throw new InvalidSockaddrException("unresolved address " + inet.getHostString() + ":"
                    + inet.getPort() + "; resolve it first, this library looks up no names");
        }
        return ip instanceof Inet4Address
                ? SockaddrInet4.of(ip, inet.getPort())
                : SockaddrInet6.of(ip, inet.getPort());
    }
}
