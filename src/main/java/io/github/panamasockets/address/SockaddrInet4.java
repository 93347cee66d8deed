package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@code AF_INET} address ({@code struct sockaddr_in}): an IPv4 address and a port; see ip(7).
 *
 * <p>The address is 4 bytes, most significant first, as written in dotted-quad text; the port is
 * 0 to 65535. Both go to the kernel in network byte order, converted by the library.
 * {@link #address()} returns a copy, and {@code equals} compares the bytes.
 *
 * {@snippet :
 * import io.github.panamasockets.address.*;
 * var a = SockaddrInet4.of("127.0.0.1", 8080);   // ==> 127.0.0.1:8080
 * SockaddrInet4.loopback(8080).equals(a)        // ==> true
 * a.toSocketAddress()                           // ==> /127.0.0.1:8080
 * }
 *
 * @param address the IPv4 address, 4 bytes in network order
 * @param port the port, 0 to 65535; 0 asks {@code bind(2)} for an ephemeral port
 */
public record SockaddrInet4(byte[] address, int port) implements Sockaddr {

    /** The size of an IPv4 address, in bytes. */
    public static final int ADDRESS_SIZE = 4;

    /**
     * Validates and copies the address.
     *
     * @throws InvalidSockaddrException if the address is not 4 bytes or the port is outside 0 to
     *         65535
     * @throws NullPointerException if {@code address} is null
     */
    public SockaddrInet4 {
        address = Objects.requireNonNull(address, "IPv4 address").clone();
        if (address.length != ADDRESS_SIZE) {
            throw new InvalidSockaddrException(
                    "IPv4 address is " + address.length + " bytes; it must be " + ADDRESS_SIZE);
        }
        Codec.checkPort(port);
    }

    /**
     * {@return the address of a dotted-quad literal and a port}; no name is looked up.
     *
     * {@snippet :
     * SockaddrInet4.of("192.0.2.1", 53)   // ==> 192.0.2.1:53
     * }
     *
     * @param literal four decimal numbers 0 to 255, separated by dots
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the literal is not a dotted quad, or the port is out of
     *         range
     * @throws NullPointerException if {@code literal} is null
     */
    public static SockaddrInet4 of(String literal, int port) {
        return new SockaddrInet4(IpText.parse4(Objects.requireNonNull(literal, "literal")), port);
    }

    /**
     * {@return the address of an {@link Inet4Address} and a port}
     *
     * {@snippet :
     * SockaddrInet4.of(java.net.InetAddress.getLoopbackAddress(), 80)   // ==> 127.0.0.1:80
     * }
     *
     * @param address an IPv4 address
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the address is not IPv4 or the port is out of range
     * @throws NullPointerException if {@code address} is null
     */
    public static SockaddrInet4 of(InetAddress address, int port) {
        if (!(Objects.requireNonNull(address, "address") instanceof Inet4Address)) {
            throw new InvalidSockaddrException("not an IPv4 address: " + address);
        }
        return new SockaddrInet4(address.getAddress(), port);
    }

    /**
     * {@return {@code 127.0.0.1} with this port}
     *
     * {@snippet :
     * SockaddrInet4.loopback(8080)   // ==> 127.0.0.1:8080
     * }
     *
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the port is out of range
     */
    public static SockaddrInet4 loopback(int port) {
        return new SockaddrInet4(new byte[] {127, 0, 0, 1}, port);
    }

    /**
     * {@return {@code 0.0.0.0} ({@code INADDR_ANY}) with this port}: bound, it accepts traffic to
     * every local IPv4 address.
     *
     * {@snippet :
     * SockaddrInet4.any(0)   // ==> 0.0.0.0:0
     * }
     *
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the port is out of range
     */
    public static SockaddrInet4 any(int port) {
        return new SockaddrInet4(new byte[ADDRESS_SIZE], port);
    }

    /** {@return {@link Family#INET}} */
    @Override
    public Family family() {
        return Family.INET;
    }

    byte[] raw() {
        return address;
    }

    /** {@return a copy of the 4 address bytes} */
    @Override
    public byte[] address() {
        return address.clone();
    }

    /**
     * {@return this address with another port}
     *
     * {@snippet :
     * SockaddrInet4.loopback(0).withPort(53)   // ==> 127.0.0.1:53
     * }
     *
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the port is out of range
     */
    public SockaddrInet4 withPort(int port) {
        return new SockaddrInet4(address, port);
    }

    /**
     * {@return the IP address as an {@link Inet4Address}}
     *
     * {@snippet :
     * SockaddrInet4.loopback(1).toInetAddress()   // ==> /127.0.0.1
     * }
     */
    public Inet4Address toInetAddress() {
        try {
            return (Inet4Address) InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    /** {@return the equivalent {@link InetSocketAddress}} */
    @Override
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(toInetAddress(), port);
    }

    /** {@return 16, {@code sizeof(struct sockaddr_in)}} */
    @Override
    public int encodedLength() {
        return Codec.IN_SIZE;
    }

    /**
     * {@return whether {@code o} is an IPv4 address with the same bytes and port}
     *
     * @param o the object to compare with
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof SockaddrInet4 a && port == a.port && Arrays.equals(address, a.address);
    }

    /** {@return a hash of the address and port} */
    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + port;
    }

    /** {@return the text form, such as {@code 127.0.0.1:8080}} */
    @Override
    public String toString() {
        return IpText.format4(address) + ":" + port;
    }
}
