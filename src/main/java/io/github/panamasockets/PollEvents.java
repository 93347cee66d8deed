package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;

/**
 * The events of <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>, for
 * {@link Sock#poll(int, java.time.Duration)}, {@link Poll} and {@link EpollSelector}: what to wait for, and
 * what happened. {@link #ERR}, {@link #HUP} and {@link #NVAL} are reported whether asked for or not.
 *
 * {@snippet :
 * PollEvents.toString(PollEvents.IN | PollEvents.RDHUP)   // ==> "POLLIN|POLLRDHUP"
 * }
 */
public final class PollEvents {
    private PollEvents() {}

    /** {@code POLLIN}: there is data to read, a connection to accept, or end of stream. */
    public static final int IN = LibC.POLLIN();
    /** {@code POLLPRI}: there is urgent (out-of-band) data, or another exceptional condition. */
    public static final int PRI = LibC.POLLPRI();
    /** {@code POLLOUT}: there is room to write, or a non-blocking connect has ended. */
    public static final int OUT = LibC.POLLOUT();
    /** {@code POLLERR}, reported only: an error is pending ({@code SO_ERROR}). */
    public static final int ERR = LibC.POLLERR();
    /** {@code POLLHUP}, reported only: both directions are shut down, or the peer closed. */
    public static final int HUP = LibC.POLLHUP();
    /** {@code POLLNVAL}, reported only: the descriptor is not open (here: it was closed during the wait). */
    public static final int NVAL = LibC.POLLNVAL();
    /** {@code POLLRDHUP}: the peer shut down its writing side, or closed (stream sockets). */
    public static final int RDHUP = LibC.POLLRDHUP();

    /** Every event that may be asked for or reported. */
    static final int ALL = IN | PRI | OUT | ERR | HUP | NVAL | RDHUP;

    private static final int[] VALUES = {IN, PRI, OUT, ERR, HUP, NVAL, RDHUP};
    private static final String[] NAMES = {"POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL",
            "POLLRDHUP"};

    /**
     * {@return the names of the events set, joined by {@code |}}, with any unnamed bits in hex;
     * "0" for none
     *
     * {@snippet :
     * PollEvents.toString(PollEvents.OUT | PollEvents.HUP)   // ==> "POLLOUT|POLLHUP"
     * }
     *
     * @param events the events
     */
    public static String toString(int events) {
        return MsgFlags.names(events, VALUES, NAMES);
    }

    /** Checks the events asked for; names the bits poll(2) does not know. */
    static int check(int events) {
        if ((events & ~ALL) != 0 || events < 0) {
            throw new IllegalArgumentException("poll events " + toString(events) + " include bits poll(2) does "
                    + "not know: " + String.format("0x%x", events & ~ALL) + "; use PollEvents");
        }
        return events;
    }
}
