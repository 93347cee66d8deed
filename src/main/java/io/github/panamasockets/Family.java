package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;

/**
 * An address family ({@code AF_*}), the first argument of
 * <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a> and the first
 * field of every {@code struct sockaddr}.
 *
 * <p>The named constants carry the values of this platform's C headers. Any other number can be
 * wrapped with {@link #of(int)}; it prints as its number. Instances are immutable value objects:
 * compare them with {@code equals}.
 *
 * {@snippet :
 * Family.INET6            // ==> AF_INET6
 * Family.INET6.value()    // ==> 10
 * Family.of(17)           // ==> AF_PACKET
 * }
 *
 * @param value the {@code sa_family_t} number, 0 to 65535
 */
public record Family(int value) {

    /** {@code AF_UNSPEC}: no family, as in an unconnected {@code connect(2)} target. */
    public static final Family UNSPEC = new Family(LibC.AF_UNSPEC());
    /** {@code AF_UNIX}: local sockets named by a path, an abstract name, or nothing; see unix(7). */
    public static final Family UNIX = new Family(LibC.AF_UNIX());
    /** {@code AF_INET}: IPv4; see ip(7). */
    public static final Family INET = new Family(LibC.AF_INET());
    /** {@code AF_INET6}: IPv6; see ipv6(7). */
    public static final Family INET6 = new Family(LibC.AF_INET6());
    /** {@code AF_NETLINK}: messages to and from the kernel; see netlink(7). */
    public static final Family NETLINK = new Family(LibC.AF_NETLINK());
    /** {@code AF_PACKET}: link-layer packets; see packet(7). */
    public static final Family PACKET = new Family(LibC.AF_PACKET());

    private static final Family[] NAMED = {UNSPEC, UNIX, INET, INET6, NETLINK, PACKET};
    private static final String[] NAMES = {"AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"};

    /**
     * Checks the range of {@code sa_family_t}.
     *
     * @throws IllegalArgumentException if {@code value} is outside 0 to 65535
     */
    public Family {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(
                    "address family " + value + " is out of range: sa_family_t holds 0 to 65535");
        }
    }

    /**
     * {@return the family with this number}, the named constant when there is one.
     *
     * {@snippet :
     * Family.of(10)   // ==> AF_INET6
     * }
     *
     * @param value the {@code AF_*} number, 0 to 65535
     * @throws IllegalArgumentException if {@code value} is outside 0 to 65535
     */
    public static Family of(int value) {
        for (Family f : NAMED) {
            if (f.value == value) {
                return f;
            }
        }
        return new Family(value);
    }

    /** {@return the C name, such as {@code AF_INET}, or {@code AF_<number>} for an unnamed family} */
    public String cName() {
        for (int i = 0; i < NAMED.length; i++) {
            if (NAMED[i].value == value) {
                return NAMES[i];
            }
        }
        return "AF_" + value;
    }

    /** {@return the C name, as {@link #cName()}} */
    @Override
    public String toString() {
        return cName();
    }
}
