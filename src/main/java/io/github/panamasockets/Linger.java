package io.github.panamasockets;

/**
 * What close(2) does with unsent data: the {@code SO_LINGER} value ({@code struct linger}; see
 * socket(7)). Off, close returns at once and the kernel sends in the background; on, close waits
 * up to the timeout, and with a timeout of 0 it discards the data and resets the connection.
 *
 * {@snippet :
 * sock.set(SockOpt.SO_LINGER, Linger.seconds(5));
 * sock.get(SockOpt.SO_LINGER)   // ==> Linger[on=true, seconds=5]
 * }
 *
 * @param on whether close lingers
 * @param seconds how long it lingers, 0 or more
 */
public record Linger(boolean on, int seconds) {

    /** Linger off: the default. */
    public static final Linger OFF = new Linger(false, 0);

    /**
     * Checks the timeout of a {@code struct linger} for setsockopt(2) {@code SO_LINGER}; see
     * socket(7).
     *
     * {@snippet :
     * new Linger(true, 0)   // on for 0 s: close discards unsent data and resets the connection
     * }
     *
     * @throws IllegalArgumentException if {@code seconds} is negative
     */
    public Linger {
        if (seconds < 0) {
            throw new IllegalArgumentException("SO_LINGER: " + seconds + " seconds is negative");
        }
    }

    /**
     * {@return linger on, for this many seconds}: the value for setsockopt(2) {@code SO_LINGER};
     * see socket(7).
     *
     * {@snippet :
     * Linger.seconds(5)   // ==> Linger[on=true, seconds=5]
     * }
     *
     * @param seconds 0 or more; 0 resets the connection on close
     * @throws IllegalArgumentException if {@code seconds} is negative
     */
    public static Linger seconds(int seconds) {
        return new Linger(true, seconds);
    }

    static Linger of(boolean on, int seconds) {
        return new Linger(on, Math.max(0, seconds));
    }
}
