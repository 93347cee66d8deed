package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;

/**
 * A socket type ({@code SOCK_*}), the second argument of
 * <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>.
 *
 * <p>The named constants carry this platform's values; {@link #of(int)} wraps any other number.
 * The flags {@code SOCK_NONBLOCK} and {@code SOCK_CLOEXEC} are not types: the library sets
 * close-on-exec itself.
 *
 * {@snippet :
 * SockType.SEQPACKET           // ==> SOCK_SEQPACKET
 * SockType.SEQPACKET.value()   // ==> 5
 * }
 *
 * @param value the {@code SOCK_*} number
 */
public record SockType(int value) {

    /** {@code SOCK_STREAM}: a reliable, ordered byte stream, such as TCP. */
    public static final SockType STREAM = new SockType(LibC.SOCK_STREAM());
    /** {@code SOCK_DGRAM}: datagrams, each delivered whole or not at all, such as UDP. */
    public static final SockType DGRAM = new SockType(LibC.SOCK_DGRAM());
    /** {@code SOCK_SEQPACKET}: a connection carrying reliable, ordered datagrams; Unix only here. */
    public static final SockType SEQPACKET = new SockType(LibC.SOCK_SEQPACKET());
    /** {@code SOCK_RAW}: raw network protocol access, or the usual type for netlink. */
    public static final SockType RAW = new SockType(LibC.SOCK_RAW());

    private static final SockType[] NAMED = {STREAM, DGRAM, SEQPACKET, RAW};
    private static final String[] NAMES = {"SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET", "SOCK_RAW"};

    /**
     * Checks the value.
     *
     * @throws IllegalArgumentException if {@code value} is not positive, or carries the
     *         {@code SOCK_NONBLOCK} or {@code SOCK_CLOEXEC} flag
     */
    public SockType {
        if (value <= 0 || (value & (LibC.SOCK_NONBLOCK() | LibC.SOCK_CLOEXEC())) != 0) {
            throw new IllegalArgumentException("socket type " + value
                    + " is not a SOCK_* type (a positive number without SOCK_NONBLOCK or SOCK_CLOEXEC)");
        }
    }

    /**
     * {@return the type with this number}, the named constant when there is one
     *
     * {@snippet :
     * SockType.of(2)   // ==> SOCK_DGRAM
     * }
     *
     * @param value the {@code SOCK_*} number
     * @throws IllegalArgumentException if it is not a valid type number
     */
    public static SockType of(int value) {
        for (SockType t : NAMED) {
            if (t.value == value) {
                return t;
            }
        }
        return new SockType(value);
    }

    /** {@return the C name, such as {@code SOCK_STREAM}, or {@code SOCK_<number>}} */
    public String cName() {
        for (int i = 0; i < NAMED.length; i++) {
            if (NAMED[i].value == value) {
                return NAMES[i];
            }
        }
        return "SOCK_" + value;
    }

    /** {@return the C name, as {@link #cName()}} */
    @Override
    public String toString() {
        return cName();
    }
}
