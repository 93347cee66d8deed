package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@code AF_INET6} address ({@code struct sockaddr_in6}): an IPv6 address, a port, the flow
 * information and the scope id; see ipv6(7).
 *
 * <p>The address is 16 bytes in network order. The scope id names the interface of a link-local
 * address ({@code fe80::/10}) by index; the text form shows it by name where the interface exists,
 * as in {@code [fe80::1%eth0]:8080}. The flow information is the 20-bit flow label and traffic
 * class. {@link #address()} returns a copy, and {@code equals} compares the bytes.
 *
 * {@snippet :
 * import io.github.panamasockets.address.*;
 * var a = SockaddrInet6.of("::1", 8080);             // ==> [::1]:8080
 * SockaddrInet6.of("::ffff:127.0.0.1", 80).isIpv4Mapped()   // ==> true
 * Sockaddr.parse("[fe80::1%lo]:9").scopeId()         // the index of "lo", usually 1
 * }
 *
 * @param address the IPv6 address, 16 bytes in network order
 * @param port the port, 0 to 65535
 * @param flowInfo the flow information, 0 to {@code 0xfffff} (20 bits)
 * @param scopeId the scope id, an interface index; unsigned, 0 for none
 */
public record SockaddrInet6(byte[] address, int port, int flowInfo, int scopeId) implements Sockaddr {

    /** The size of an IPv6 address, in bytes. */
    public static final int ADDRESS_SIZE = 16;

    /** The largest flow information value: 20 bits. */
    public static final int MAX_FLOW_INFO = 0xFFFFF;

    /**
     * Validates and copies the address.
     *
     * @throws InvalidSockaddrException if the address is not 16 bytes, the port is outside 0 to
     *         65535, or the flow information does not fit in 20 bits
     * @throws NullPointerException if {@code address} is null
     */
    public SockaddrInet6 {
        address = Objects.requireNonNull(address, "IPv6 address").clone();
        if (address.length != ADDRESS_SIZE) {
            throw new InvalidSockaddrException(
                    "IPv6 address is " + address.length + " bytes; it must be " + ADDRESS_SIZE);
        }
        Codec.checkPort(port);
        if ((flowInfo & ~MAX_FLOW_INFO) != 0) {
            throw new InvalidSockaddrException(String.format(
                    "flow info 0x%x is out of range: it holds 20 bits, 0 to 0x%x", flowInfo, MAX_FLOW_INFO));
        }
    }

    /**
     * {@return an address from a port and the 16 bytes of an IPv6 address}, with no flow
     * information and no scope
     *
     * {@snippet :
     * SockaddrInet6.of(new byte[16], 80)   // ==> [::]:80
     * }
     *
     * @param address the IPv6 address, 16 bytes
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the address is not 16 bytes or the port is out of range
     * @throws NullPointerException if {@code address} is null
     */
    public static SockaddrInet6 of(byte[] address, int port) {
        return new SockaddrInet6(address, port, 0, 0);
    }

    /**
     * {@return the address of an IPv6 literal and a port}; no name is looked up. The literal may
     * carry a scope after {@code %}, as an interface name or index.
     *
     * {@snippet :
     * SockaddrInet6.of("2001:db8::1", 443)   // ==> [2001:db8::1]:443
     * SockaddrInet6.of("fe80::1%lo", 9)      // ==> [fe80::1%lo]:9
     * }
     *
     * @param literal an IPv6 address in RFC 4291 text, without brackets
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the literal is not an IPv6 address, the scope names no
     *         interface, or the port is out of range
     * @throws NullPointerException if {@code literal} is null
     */
    public static SockaddrInet6 of(String literal, int port) {
        Objects.requireNonNull(literal, "literal");
        int pct = literal.indexOf('%');
        byte[] bytes = IpText.parse6(pct < 0 ? literal : literal.substring(0, pct));
        int scope = pct < 0 ? 0 : IpText.parseScope(literal.substring(pct + 1));
        return new SockaddrInet6(bytes, port, 0, scope);
    }

    /**
     * {@return the address of an {@link InetAddress} and a port}. An {@link Inet6Address} keeps
     * its scope id; an {@link Inet4Address} becomes IPv4-mapped ({@code ::ffff:a.b.c.d}).
     *
     * {@snippet :
     * SockaddrInet6.of(java.net.InetAddress.getByName("127.0.0.1"), 80)   // ==> [::ffff:127.0.0.1]:80
     * }
     *
     * @param address an IP address
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the port is out of range
     * @throws NullPointerException if {@code address} is null
     */
    public static SockaddrInet6 of(InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet6Address v6) {
            return new SockaddrInet6(v6.getAddress(), port, 0, v6.getScopeId());
        }
        return mapped(new SockaddrInet4(address.getAddress(), port));
    }

    /**
     * {@return the IPv4-mapped form of an IPv4 address}, {@code ::ffff:a.b.c.d} with the same port,
     * which an {@code AF_INET6} socket uses for IPv4 peers
     *
     * {@snippet :
     * SockaddrInet6.mapped(SockaddrInet4.loopback(80))   // ==> [::ffff:127.0.0.1]:80
     * }
     *
     * @param v4 the IPv4 address
     * @throws NullPointerException if {@code v4} is null
     */
    public static SockaddrInet6 mapped(SockaddrInet4 v4) {
        byte[] b = new byte[ADDRESS_SIZE];
        b[10] = (byte) 0xFF;
        b[11] = (byte) 0xFF;
        System.arraycopy(v4.address(), 0, b, 12, 4);
        return new SockaddrInet6(b, v4.port(), 0, 0);
    }

    /**
     * {@return {@code ::1} with this port}
     *
     * {@snippet :
     * SockaddrInet6.loopback(8080)   // ==> [::1]:8080
     * }
     *
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the port is out of range
     */
    public static SockaddrInet6 loopback(int port) {
        byte[] b = new byte[ADDRESS_SIZE];
        b[15] = 1;
        return new SockaddrInet6(b, port, 0, 0);
    }

    /**
     * {@return {@code ::} ({@code in6addr_any}) with this port}
     *
     * {@snippet :
     * SockaddrInet6.any(0)   // ==> [::]:0
     * }
     *
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the port is out of range
     */
    public static SockaddrInet6 any(int port) {
        return new SockaddrInet6(new byte[ADDRESS_SIZE], port, 0, 0);
    }

    /** {@return {@link Family#INET6}} */
    @Override
    public Family family() {
        return Family.INET6;
    }

    byte[] raw() {
        return address;
    }

    /** {@return a copy of the 16 address bytes} */
    @Override
    public byte[] address() {
        return address.clone();
    }

    /**
     * {@return this address with another port}
     *
     * @param port the port, 0 to 65535
     * @throws InvalidSockaddrException if the port is out of range
     */
    public SockaddrInet6 withPort(int port) {
        return new SockaddrInet6(address, port, flowInfo, scopeId);
    }

    /**
     * {@return this address with another scope id}
     *
     * @param scopeId the interface index, unsigned; 0 for none
     */
    public SockaddrInet6 withScopeId(int scopeId) {
        return new SockaddrInet6(address, port, flowInfo, scopeId);
    }

    /**
     * {@return this address with the scope of the named interface}, resolved with
     * <a href="https://man7.org/linux/man-pages/man3/if_nametoindex.3.html">if_nametoindex(3)</a>
     *
     * {@snippet :
     * SockaddrInet6.of("fe80::1", 9).withScope("lo")   // ==> [fe80::1%lo]:9
     * }
     *
     * @param interfaceName the interface, such as {@code lo}
     * @throws InvalidSockaddrException if no interface has that name
     * @throws NullPointerException if {@code interfaceName} is null
     */
    public SockaddrInet6 withScope(String interfaceName) {
        return withScopeId(IpText.parseScope(Objects.requireNonNull(interfaceName, "interfaceName")));
    }

    /**
     * {@return this address with other flow information}
     *
     * @param flowInfo the flow information, 0 to {@code 0xfffff}
     * @throws InvalidSockaddrException if it does not fit in 20 bits
     */
    public SockaddrInet6 withFlowInfo(int flowInfo) {
        return new SockaddrInet6(address, port, flowInfo, scopeId);
    }

    /**
     * {@return whether this is an IPv4-mapped address, {@code ::ffff:a.b.c.d}}
     *
     * {@snippet :
     * SockaddrInet6.of("::ffff:10.0.0.1", 1).isIpv4Mapped()   // ==> true
     * }
     */
    public boolean isIpv4Mapped() {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    /**
     * {@return the IPv4 address this maps, with the same port, if it is IPv4-mapped}
     *
     * {@snippet :
     * SockaddrInet6.of("::ffff:10.0.0.1", 1).toIpv4()   // ==> Optional[10.0.0.1:1]
     * }
     */
    public Optional<SockaddrInet4> toIpv4() {
        return isIpv4Mapped()
                ? Optional.of(new SockaddrInet4(Arrays.copyOfRange(address, 12, 16), port))
                : Optional.empty();
    }

    /**
     * {@return whether the address is link-local, in {@code fe80::/10}}
     *
     * {@snippet :
     * SockaddrInet6.of("fe80::1", 1).isLinkLocal()   // ==> true
     * }
     */
    public boolean isLinkLocal() {
        return address[0] == (byte) 0xFE && (address[1] & 0xC0) == 0x80;
    }

    /**
     * {@return the IP address as an {@link Inet6Address}}, with the scope id. An IPv4-mapped
     * address stays an {@code Inet6Address}, unlike {@link InetAddress#getByAddress(byte[])}.
     */
    public Inet6Address toInetAddress() {
        try {
            return Inet6Address.getByAddress(null, address, scopeId);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an IPv6 address", e);
        }
    }

    /** {@return the equivalent {@link InetSocketAddress}}; the flow information is not kept */
    @Override
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(toInetAddress(), port);
    }

    /** {@return 28, {@code sizeof(struct sockaddr_in6)}} */
    @Override
    public int encodedLength() {
        return Codec.IN6_SIZE;
    }

    /**
     * {@return whether {@code o} is an IPv6 address with the same bytes, port, flow information
     * and scope id}
     *
     * @param o the object to compare with
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof SockaddrInet6 a && port == a.port && flowInfo == a.flowInfo
                && scopeId == a.scopeId && Arrays.equals(address, a.address);
    }

    /** {@return a hash of all four fields} */
    @Override
    public int hashCode() {
        return ((Arrays.hashCode(address) * 31 + port) * 31 + flowInfo) * 31 + scopeId;
    }

    /**
     * {@return the text form}, such as {@code [::1]:8080} or {@code [fe80::1%lo]:8080}, with
     * {@code " flowinfo=0x..."} after it when the flow information is not 0
     */
    @Override
    public String toString() {
        return TextForm.format(this);
    }
}
