package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;

/**
 * Which direction {@link Sock#shutdown(Shutdown)} closes, the {@code how} argument of
 * <a href="https://man7.org/linux/man-pages/man2/shutdown.2.html">shutdown(2)</a>.
 *
 * {@snippet :
 * Shutdown.WRITE.value()   // ==> 1, SHUT_WR
 * }
 */
public enum Shutdown {
    /** {@code SHUT_RD}: no more receives; further receives see end of stream. */
    READ(LibC.SHUT_RD()),
    /** {@code SHUT_WR}: no more sends; the peer sees end of stream. */
    WRITE(LibC.SHUT_WR()),
    /** {@code SHUT_RDWR}: both. */
    BOTH(LibC.SHUT_RDWR());

    private final int value;

    Shutdown(int value) {
        this.value = value;
    }

    /** {@return the {@code SHUT_*} number} */
    public int value() {
        return value;
    }
}
