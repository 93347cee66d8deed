package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Objects;

/**
 * A socket address: the Java form of a C {@code struct sockaddr}, one record per family.
 *
 * <p>Every address the kernel can return decodes to one of these, so a {@code switch} over them
 * is exhaustive:
 * <ul>
 *   <li>{@link SockaddrUnix} for {@code AF_UNIX}: a {@linkplain SockaddrUnix.Pathname pathname},
 *       an {@linkplain SockaddrUnix.Abstract abstract name} or {@linkplain SockaddrUnix.Unnamed
 *       unnamed} (unix(7));</li>
 *   <li>{@link SockaddrInet4} for {@code AF_INET} (ip(7));</li>
 *   <li>{@link SockaddrInet6} for {@code AF_INET6} (ipv6(7));</li>
 *   <li>{@link SockaddrNetlink} for {@code AF_NETLINK} (netlink(7));</li>
 *   <li>{@link SockaddrOther} for any other family, keeping its number and bytes.</li>
 * </ul>
 *
 * <p>Addresses are immutable and validated when they are made, so a bad one fails with a message
 * that names the value and the limit before any system call sees it. {@link #encode} writes exactly
 * the bytes and length the kernel should see; {@link #decode} checks the family and length before
 * it reads a byte. Ports and addresses are converted to network byte order inside the library.
 *
 * <p>{@code toString()} is the text form that {@link #parse} reads back:
 * {@code 127.0.0.1:8080}, {@code [fe80::1%lo]:8080}, {@code /run/app.sock}, {@code @name} for an
 * abstract name, {@code (unnamed)}, {@code netlink:pid/groups}.
 *
 * {@snippet :
 * import io.github.panamasockets.address.*;
 * var a = Sockaddr.parse("127.0.0.1:8080");     // ==> 127.0.0.1:8080
 * a.encodedLength();                            // ==> 16, sizeof(struct sockaddr_in)
 * System.out.println(a.hexDump());              // the C layout, byte by byte
 * }
 */
public sealed interface Sockaddr
        permits SockaddrUnix, SockaddrInet4, SockaddrInet6, SockaddrNetlink, SockaddrOther {

    /** The size of {@code struct sockaddr_storage}: no address the kernel returns is longer. */
    int MAX_LENGTH = Codec.STORAGE_SIZE;

    /** {@return the address family, the {@code sa_family} field} */
    Family family();

    /**
     * {@return the number of bytes {@link #encode} writes}: the {@code socklen_t} to pass with the
     * address. For a Unix address it counts the family, the name, and the terminating NUL of a
     * pathname; never the unused rest of {@code sun_path}.
     */
    int encodedLength();

    /**
     * Writes this address as a C {@code struct sockaddr} at the start of {@code dst}, in the form
     * that <a href="https://man7.org/linux/man-pages/man2/bind.2.html">bind(2)</a>,
     * <a href="https://man7.org/linux/man-pages/man2/connect.2.html">connect(2)</a> and
     * <a href="https://man7.org/linux/man-pages/man2/sendto.2.html">sendto(2)</a> read. The first
     * {@link #encodedLength()} bytes are zeroed first, then filled; nothing after them is touched.
     *
     * {@snippet :
     * try (var arena = java.lang.foreign.Arena.ofConfined()) {
     *     var buf = arena.allocate(Sockaddr.MAX_LENGTH);
     *     int len = SockaddrUnix.abstractName("demo").encode(buf);   // ==> 7
     * }
     * }
     *
     * @param dst where to write; at least {@link #encodedLength()} bytes
     * @return the number of bytes written, {@link #encodedLength()}
     * @throws IndexOutOfBoundsException if {@code dst} is shorter than {@link #encodedLength()}
     * @throws NullPointerException if {@code dst} is null
     */
    default int encode(MemorySegment dst) {
        return Codec.encode(this, dst);
    }

    /** {@return a new array holding the encoded address, as {@link #encode} writes it} */
    default byte[] toBytes() {
        byte[] bytes = new byte[encodedLength()];
        encode(MemorySegment.ofArray(bytes));
        return bytes;
    }

    /**
     * {@return a hex dump of the encoded address with each C field named}, showing the layout and
     * byte order the kernel sees.
     *
     * {@snippet :
     * System.out.println(Sockaddr.parse("127.0.0.1:8080").hexDump());
     * // struct sockaddr_in, 16 bytes
     * //    0  02 00              sin_family   AF_INET (host byte order)
     * //    2  1f 90              sin_port     8080 (network byte order)
     * //    4  7f 00 00 01        sin_addr     127.0.0.1
     * //    8  00 00 00 00 ...    sin_zero
     * }
     */
    default String hexDump() {
        return Codec.dump(this);
    }

    /**
     * {@return the Java networking equivalent of this address}
     *
     * @throws UnsupportedOperationException if {@code java.net} has no type for it: abstract and
     *         unnamed Unix addresses, netlink and other families
     */
    SocketAddress toSocketAddress();

    /**
     * Decodes a C {@code struct sockaddr} of {@code length} bytes, as returned by
     * <a href="https://man7.org/linux/man-pages/man2/getsockname.2.html">getsockname(2)</a>,
     * <a href="https://man7.org/linux/man-pages/man2/accept.2.html">accept(2)</a> or
     * <a href="https://man7.org/linux/man-pages/man2/recvfrom.2.html">recvfrom(2)</a>.
     * The length is checked against the segment and the family's structure before any byte is
     * read. A Unix address of length 2 is unnamed; a pathname that fills all of {@code sun_path}
     * with no terminating NUL is read whole.
     *
     * {@snippet :
     * Sockaddr.decode(java.lang.foreign.MemorySegment.ofArray(new byte[] {1, 0}), 2)  // ==> (unnamed)
     * }
     *
     * @param src the bytes of the structure
     * @param length the address length the kernel reported, from 2 up to {@link #MAX_LENGTH}
     * @return the address
     * @throws InvalidSockaddrException if the length is shorter than the family field, longer than
     *         {@code src} or {@code sockaddr_storage}, or wrong for the family
     * @throws NullPointerException if {@code src} is null
     */
    static Sockaddr decode(MemorySegment src, long length) {
        return Codec.decode(src, length);
    }

    /**
     * Decodes a C {@code struct sockaddr} held in an array, whose length is the address length;
     * see {@link #decode(MemorySegment, long)}.
     *
     * {@snippet :
     * var a = Sockaddr.parse("[::1]:53");
     * Sockaddr.decode(a.toBytes()).equals(a)   // ==> true
     * }
     *
     * @param bytes the structure, exactly as long as the address
     * @return the address
     * @throws InvalidSockaddrException if the bytes are not a valid address
     * @throws NullPointerException if {@code bytes} is null
     */
    static Sockaddr decode(byte[] bytes) {
        return Codec.decode(MemorySegment.ofArray(bytes.clone()), bytes.length);
    }

    /**
     * Parses the text form that {@code toString()} prints.
     *
     * <table class="striped">
     *   <caption>Text forms</caption>
     *   <thead><tr><th>Text</th><th>Address</th></tr></thead>
     *   <tbody>
     *     <tr><td>{@code 127.0.0.1:8080}</td><td>{@link SockaddrInet4}</td></tr>
     *     <tr><td>{@code [::1]:8080}, {@code [fe80::1%lo]:8080}, {@code [fe80::1%2]:8080}</td>
     *         <td>{@link SockaddrInet6}, with an optional scope as interface name or index and an
     *         optional {@code  flowinfo=0x12345} suffix</td></tr>
     *     <tr><td>{@code /run/app.sock}, {@code ./app.sock}, {@code unix:app.sock}</td>
     *         <td>{@link SockaddrUnix.Pathname}</td></tr>
     *     <tr><td>{@code @name}</td><td>{@link SockaddrUnix.Abstract}</td></tr>
     *     <tr><td>{@code (unnamed)}</td><td>{@link SockaddrUnix.Unnamed}</td></tr>
     *     <tr><td>{@code netlink:0/0}</td><td>{@link SockaddrNetlink} (pid / groups)</td></tr>
     *     <tr><td>{@code AF_17:0a0b}</td><td>{@link SockaddrOther}: family and hex bytes</td></tr>
     *   </tbody>
     * </table>
     *
     * <p>In Unix names, {@code \\} stands for a backslash and {@code \xNN} for any byte, so names
     * that are not UTF-8 or that hold a NUL round-trip exactly. No name is looked up in DNS.
     *
     * {@snippet :
     * Sockaddr.parse("@my-service")     // ==> @my-service
     * Sockaddr.parse("[::1]:8080")      // ==> [::1]:8080
     * Sockaddr.parse("netlink:0/1")     // ==> netlink:0/1
     * }
     *
     * @param text the text form
     * @return the address
     * @throws InvalidSockaddrException if the text is not an address in one of these forms
     * @throws NullPointerException if {@code text} is null
     */
    static Sockaddr parse(String text) {
        return TextForm.parse(Objects.requireNonNull(text, "text"));
    }

    /**
     * Converts a Java networking address: an {@link InetSocketAddress} with a resolved IPv4 or IPv6
     * address (the IPv6 scope id is kept), or a {@link UnixDomainSocketAddress}.
     *
     * {@snippet :
     * Sockaddr.from(new java.net.InetSocketAddress("127.0.0.1", 80))   // ==> 127.0.0.1:80
     * }
     *
     * @param address the address to convert
     * @return the equivalent socket address
     * @throws InvalidSockaddrException if the address is unresolved, or a path too long for
     *         {@code sun_path}
     * @throws IllegalArgumentException if the address is of another {@link SocketAddress} type
     * @throws NullPointerException if {@code address} is null
     */
    static Sockaddr from(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        return switch (address) {
            case InetSocketAddress inet -> JavaNet.fromInet(inet);
            case UnixDomainSocketAddress unix -> SockaddrUnix.of(unix.getPath());
            default -> throw new IllegalArgumentException(
                    "cannot convert a " + address.getClass().getName() + ": " + address);
        };
    }
}
