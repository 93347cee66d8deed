package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@code AF_UNIX} address ({@code struct sockaddr_un}), in one of the three kinds unix(7)
 * describes:
 * <ul>
 *   <li>{@link Pathname}: a name in the file system, such as {@code /run/app.sock};</li>
 *   <li>{@link Abstract}: a name in the abstract namespace, which has no file and no permissions;
 *       {@code sun_path} starts with a NUL and the name is every byte after it;</li>
 *   <li>{@link Unnamed}: no name, as a socket from
 *       <a href="https://man7.org/linux/man-pages/man2/socketpair.2.html">socketpair(2)</a> has,
 *       or as binding it asks the kernel to choose an abstract name (autobind).</li>
 * </ul>
 *
 * <p>{@code sun_path} holds {@value #SUN_PATH_SIZE} bytes. A pathname may use 107 of them, since
 * it needs a terminating NUL; an abstract name may use 107 after its leading NUL. Names are bytes:
 * strings are encoded as UTF-8, and bytes that are not UTF-8 round-trip exactly.
 *
 * {@snippet :
 * import io.github.panamasockets.address.*;
 * SockaddrUnix.of("/tmp/demo.sock")          // ==> /tmp/demo.sock
 * SockaddrUnix.abstractName("demo")          // ==> @demo
 * SockaddrUnix.unnamed()                     // ==> (unnamed)
 * SockaddrUnix.abstractName("demo").encodedLength()   // ==> 7: family, NUL, "demo"
 * }
 */
public sealed interface SockaddrUnix extends Sockaddr
        permits SockaddrUnix.Pathname, SockaddrUnix.Abstract, SockaddrUnix.Unnamed {

    /** The size of {@code sun_path} in {@code struct sockaddr_un}. */
    int SUN_PATH_SIZE = 108;

    /** The longest pathname, in bytes: {@code sun_path} less the terminating NUL. */
    int MAX_PATHNAME = SUN_PATH_SIZE - 1;

    /** The longest abstract name, in bytes: {@code sun_path} less the leading NUL. */
    int MAX_ABSTRACT_NAME = SUN_PATH_SIZE - 1;

    /** {@return {@link Family#UNIX}} */
    @Override
    default Family family() {
        return Family.UNIX;
    }

    /**
     * {@return a pathname address for {@code path}}, encoded as UTF-8.
     *
     * {@snippet :
     * SockaddrUnix.of("/run/user/1000/app.sock")
     * }
     *
     * @param path the file name of the socket, 1 to 107 bytes in UTF-8, without NUL
     * @throws InvalidSockaddrException if the path is empty, longer than 107 bytes, holds a NUL, or
     *         is not valid Unicode
     * @throws NullPointerException if {@code path} is null
     */
    static Pathname of(String path) {
        return new Pathname(Names.utf8(Objects.requireNonNull(path, "path"), "pathname"));
    }

    /**
     * {@return a pathname address for {@code path}}, encoded as UTF-8.
     *
     * {@snippet :
     * SockaddrUnix.of(java.nio.file.Path.of("/tmp", "demo.sock"))   // ==> /tmp/demo.sock
     * }
     *
     * @param path the file name of the socket, 1 to 107 bytes in UTF-8
     * @throws InvalidSockaddrException if the path is empty, longer than 107 bytes, or not valid
     *         Unicode
     * @throws NullPointerException if {@code path} is null
     */
    static Pathname of(Path path) {
        return of(Objects.requireNonNull(path, "path").toString());
    }

    /**
     * {@return a pathname address with exactly these bytes}, for names that are not UTF-8.
     *
     * {@snippet :
     * SockaddrUnix.pathname(new byte[] {'/', 't', 'm', 'p', '/', (byte) 0xff})   // ==> /tmp/\xff
     * }
     *
     * @param bytes the file name, 1 to 107 bytes, without NUL; copied
     * @throws InvalidSockaddrException if it is empty, longer than 107 bytes or holds a NUL
     * @throws NullPointerException if {@code bytes} is null
     */
    static Pathname pathname(byte[] bytes) {
        return new Pathname(bytes);
    }

    /**
     * {@return an abstract address named {@code name}}, encoded as UTF-8; its text form is
     * {@code @name}.
     *
     * <p>Abstract names have no file permissions: any local process can connect. Check the peer's
     * credentials where that matters.
     *
     * {@snippet :
     * SockaddrUnix.abstractName("my-service")   // ==> @my-service
     * }
     *
     * @param name the name without the leading NUL, 0 to 107 bytes in UTF-8
     * @throws InvalidSockaddrException if the name is longer than 107 bytes or not valid Unicode
     * @throws NullPointerException if {@code name} is null
     */
    static Abstract abstractName(String name) {
        return new Abstract(Names.utf8(Objects.requireNonNull(name, "name"), "abstract name"));
    }

    /**
     * {@return an abstract address with exactly these name bytes}, which may include NULs.
     *
     * {@snippet :
     * SockaddrUnix.abstractName(new byte[] {'a', 0, 'b'})   // ==> @a\x00b
     * }
     *
     * @param name the name without the leading NUL, 0 to 107 bytes; copied
     * @throws InvalidSockaddrException if the name is longer than 107 bytes
     * @throws NullPointerException if {@code name} is null
     */
    static Abstract abstractName(byte[] name) {
        return new Abstract(name);
    }

    /**
     * {@return the unnamed address}: the address of a socket from {@code socketpair(2)} or of an
     * unbound socket. Binding it autobinds: the kernel picks a unique abstract name.
     *
     * {@snippet :
     * SockaddrUnix.unnamed().encodedLength()   // ==> 2: just sun_family
     * }
     */
    static Unnamed unnamed() {
        return Unnamed.INSTANCE;
    }

    /**
     * A Unix socket named by a file system path.
     *
     * <p>Binding creates the socket file; connecting needs write permission on it.
     * {@link #bytes()} returns a copy, and {@code equals} compares the bytes.
     *
     * {@snippet :
     * var p = SockaddrUnix.of("/tmp/demo.sock");
     * p.path()              // ==> "/tmp/demo.sock"
     * p.encodedLength()     // ==> 17: family, 14 bytes of name, NUL
     * }
     *
     * @param bytes the path, 1 to 107 bytes without NUL
     */
    record Pathname(byte[] bytes) implements SockaddrUnix {

        /**
         * Validates and copies the path.
         *
         * @throws InvalidSockaddrException if the path is empty, longer than 107 bytes or holds a
         *         NUL
         * @throws NullPointerException if {@code bytes} is null
         */
        public Pathname {
            bytes = Objects.requireNonNull(bytes, "pathname bytes").clone();
            if (bytes.length == 0) {
                throw new InvalidSockaddrException(
                        "pathname is empty; use SockaddrUnix.unnamed() to ask the kernel for a name");
            }
            int limit = Codec.decodingFullSunPath() ? SUN_PATH_SIZE : MAX_PATHNAME;
            if (bytes.length > limit) {
                throw new InvalidSockaddrException("pathname is " + bytes.length
                        + " bytes; sun_path holds " + MAX_PATHNAME + " plus the terminating NUL: "
                        + Names.escape(bytes));
            }
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    throw new InvalidSockaddrException("pathname holds a NUL at byte " + i
                            + "; the kernel would end the name there: " + Names.escape(bytes));
                }
            }
        }

        byte[] raw() {
            return bytes;
        }

        /** {@return a copy of the path bytes, without the terminating NUL} */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /**
         * {@return the path as a string}, decoding UTF-8; a byte that is not UTF-8 becomes
         * U+FFFD, so use {@link #bytes()} for exact names.
         */
        public String path() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /**
         * {@return the path as a {@link Path}}
         *
         * @throws InvalidSockaddrException if the path is not valid UTF-8
         */
        public Path toPath() {
            return Path.of(Names.strictUtf8(bytes, "pathname"));
        }

        /**
         * {@return the equivalent {@link UnixDomainSocketAddress}}
         *
         * @throws InvalidSockaddrException if the path is not valid UTF-8
         */
        @Override
        public UnixDomainSocketAddress toSocketAddress() {
            return UnixDomainSocketAddress.of(toPath());
        }

        /** {@return 2 for the family, the path, and 1 for the terminating NUL} */
        @Override
        public int encodedLength() {
            return Codec.unixLength(this);
        }

        /**
         * {@return whether {@code o} is a pathname address with the same bytes}
         *
         * @param o the object to compare with
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Pathname p && Arrays.equals(bytes, p.bytes);
        }

        /** {@return a hash of the path bytes} */
        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        /**
         * {@return the path}, prefixed with {@code unix:} unless it starts with {@code /} or
         * {@code .}, with unprintable bytes escaped as {@code \xNN}
         */
        @Override
        public String toString() {
            return TextForm.format(this);
        }
    }

    /**
     * A Unix socket in the abstract namespace: {@code sun_path} is a NUL followed by the name.
     *
     * <p>The name is every byte after the NUL, up to the address length; it is not NUL-terminated
     * and may contain NULs. The text form is {@code @} followed by the name. {@link #name()}
     * returns a copy, and {@code equals} compares the bytes.
     *
     * {@snippet :
     * var a = SockaddrUnix.abstractName("demo");
     * a.nameString()        // ==> "demo"
     * a.encodedLength()     // ==> 7
     * }
     *
     * @param name the name after the leading NUL, 0 to 107 bytes
     */
    record Abstract(byte[] name) implements SockaddrUnix {

        /**
         * Validates and copies the name.
         *
         * @throws InvalidSockaddrException if the name is longer than 107 bytes
         * @throws NullPointerException if {@code name} is null
         */
        public Abstract {
            name = Objects.requireNonNull(name, "abstract name bytes").clone();
            if (name.length > MAX_ABSTRACT_NAME) {
                throw new InvalidSockaddrException("abstract name is " + name.length
                        + " bytes; sun_path holds the leading NUL plus " + MAX_ABSTRACT_NAME + ": @"
                        + Names.escape(name));
            }
        }

        byte[] raw() {
            return name;
        }

        /** {@return a copy of the name bytes, without the leading NUL} */
        @Override
        public byte[] name() {
            return name.clone();
        }

        /**
         * {@return the name as a string}, decoding UTF-8; a byte that is not UTF-8 becomes U+FFFD,
         * so use {@link #name()} for exact names.
         */
        public String nameString() {
            return new String(name, StandardCharsets.UTF_8);
        }

        /** {@return 2 for the family, 1 for the leading NUL, and the name; no terminating NUL} */
        @Override
        public int encodedLength() {
            return Codec.unixLength(this);
        }

        /**
         * {@inheritDoc}
         *
         * @throws UnsupportedOperationException always: {@link UnixDomainSocketAddress} has no
         *         abstract names
         */
        @Override
        public UnixDomainSocketAddress toSocketAddress() {
            throw new UnsupportedOperationException(
                    "java.net.UnixDomainSocketAddress cannot express the abstract name " + this);
        }

        /**
         * {@return whether {@code o} is an abstract address with the same name bytes}
         *
         * @param o the object to compare with
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Abstract a && Arrays.equals(name, a.name);
        }

        /** {@return a hash of the name bytes} */
        @Override
        public int hashCode() {
            return Arrays.hashCode(name) + 1;
        }

        /** {@return {@code @} and the name, with unprintable bytes escaped as {@code \xNN}} */
        @Override
        public String toString() {
            return TextForm.format(this);
        }
    }

    /**
     * The unnamed Unix address: just {@code sun_family}, with an address length of 2.
     *
     * {@snippet :
     * SockaddrUnix.unnamed().equals(new SockaddrUnix.Unnamed())   // ==> true
     * }
     */
    record Unnamed() implements SockaddrUnix {
        static final Unnamed INSTANCE = new Unnamed();

        /** {@return 2: only the family} */
        @Override
        public int encodedLength() {
            return Codec.unixLength(this);
        }

        /**
         * {@inheritDoc}
         *
         * @throws UnsupportedOperationException always: {@link UnixDomainSocketAddress} has no
         *         unnamed form
         */
        @Override
        public UnixDomainSocketAddress toSocketAddress() {
            throw new UnsupportedOperationException(
                    "java.net.UnixDomainSocketAddress cannot express an unnamed address");
        }

        /** {@return {@code (unnamed)}} */
        @Override
        public String toString() {
            return TextForm.UNNAMED;
        }
    }
}
