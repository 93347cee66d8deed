package io.github.panamasockets.netlink;

/**
 * A socket state as sock_diag reports it ({@code idiag_state}, {@code udiag_state}): the kernel's
 * {@code TCP_*} states, which UDP and Unix sockets reuse; see sock_diag(7).
 *
 * <p>A listening socket is {@link #LISTEN}; a connected one {@link #ESTABLISHED}; an unconnected
 * UDP or Unix datagram socket {@link #CLOSE}, which {@code ss} prints as {@code UNCONN}. The named
 * constants print their C names; any other number prints as itself.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * TcpState.LISTEN              // ==> TCP_LISTEN
 * TcpState.LISTEN.value()      // ==> 10
 * TcpState.of(7)               // ==> TCP_CLOSE
 * TcpState.mask(TcpState.LISTEN, TcpState.ESTABLISHED)   // ==> 1026, for idiag_states
 * }
 *
 * @param value the state number, 0 to 255
 */
public record TcpState(int value) {

    // The TCP_* states of netinet/tcp.h (an enum, not yet in the generated bindings; see
    // headers/includes.txt); UapiConstantsTest checks them against the C header. NEW_SYN_RECV and
    // BOUND_INACTIVE are the kernel's own (include/net/tcp_states.h), which sock_diag reports too.

    /** {@code TCP_ESTABLISHED}: connected. */
    public static final TcpState ESTABLISHED = new TcpState(1);
    /** {@code TCP_SYN_SENT}: connecting. */
    public static final TcpState SYN_SENT = new TcpState(2);
    /** {@code TCP_SYN_RECV}: a connection being accepted. */
    public static final TcpState SYN_RECV = new TcpState(3);
    /** {@code TCP_FIN_WAIT1}. */
    public static final TcpState FIN_WAIT1 = new TcpState(4);
    /** {@code TCP_FIN_WAIT2}. */
    public static final TcpState FIN_WAIT2 = new TcpState(5);
    /** {@code TCP_TIME_WAIT}. */
    public static final TcpState TIME_WAIT = new TcpState(6);
    /** {@code TCP_CLOSE}: closed, or an unconnected datagram socket ({@code UNCONN} in ss). */
    public static final TcpState CLOSE = new TcpState(7);
    /** {@code TCP_CLOSE_WAIT}: the peer closed. */
    public static final TcpState CLOSE_WAIT = new TcpState(8);
    /** {@code TCP_LAST_ACK}. */
    public static final TcpState LAST_ACK = new TcpState(9);
    /** {@code TCP_LISTEN}: listening. */
    public static final TcpState LISTEN = new TcpState(10);
    /** {@code TCP_CLOSING}. */
    public static final TcpState CLOSING = new TcpState(11);
    /** {@code TCP_NEW_SYN_RECV}: a request socket for a connection not yet accepted. */
    public static final TcpState NEW_SYN_RECV = new TcpState(12);
    /** {@code TCP_BOUND_INACTIVE}: bound but neither listening nor connected. */
    public static final TcpState BOUND_INACTIVE = new TcpState(13);

    private static final String[] NAMES = {null, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE"};

    /**
     * Checks the range of the 8-bit state field; see sock_diag(7).
     *
     * {@snippet :
     * new TcpState(10)   // ==> TCP_LISTEN
     * }
     *
     * @throws IllegalArgumentException if {@code value} is outside 0 to 255
     */
    public TcpState {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("socket state " + value + " is out of range 0 to 255");
        }
    }

    /**
     * {@return the state with this number}; see sock_diag(7)
     *
     * {@snippet :
     * TcpState.of(1)   // ==> TCP_ESTABLISHED
     * }
     *
     * @param value the state number, 0 to 255
     * @throws IllegalArgumentException if {@code value} is outside 0 to 255
     */
    public static TcpState of(int value) {
        return new TcpState(value);
    }

    /**
     * {@return the bit mask of these states}, as {@code idiag_states} and {@code udiag_states}
     * take it: bit {@code 1 << state}; every state when none is given. See sock_diag(7).
     *
     * {@snippet :
     * TcpState.mask()                 // ==> -1: all states
     * TcpState.mask(TcpState.LISTEN)  // ==> 1024
     * }
     *
     * @param states the states
     * @throws IllegalArgumentException if a state is 32 or more, beyond the mask
     * @throws NullPointerException if {@code states} or an element is null
     */
    public static int mask(TcpState... states) {
        if (states.length == 0) {
            return -1;
        }
        int mask = 0;
        for (TcpState s : states) {
            if (s.value >= 32) {
                throw new IllegalArgumentException("socket state " + s.value + " does not fit the 32-bit state mask");
            }
            mask |= 1 << s.value;
        }
        return mask;
    }

    /**
     * {@return the C name}, such as {@code TCP_LISTEN}, or the number; see sock_diag(7)
     *
     * {@snippet :
     * TcpState.CLOSE.toString()   // ==> "TCP_CLOSE"
     * }
     */
    @Override
    public String toString() {
        return value > 0 && value < NAMES.length ? "TCP_" + NAMES[value] : Integer.toString(value);
    }
}
