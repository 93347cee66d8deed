package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;

import java.util.HashMap;
import java.util.Map;

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

    /** The C names without TCP_, by value; filled by {@link #named} as the constants are made. */
    private static final Map<Integer, String> NAMES = new HashMap<>();

    /** {@code TCP_ESTABLISHED}: connected. */
    public static final TcpState ESTABLISHED = named(LibC.TCP_ESTABLISHED(), "ESTABLISHED");
    /** {@code TCP_SYN_SENT}: connecting. */
    public static final TcpState SYN_SENT = named(LibC.TCP_SYN_SENT(), "SYN_SENT");
    /** {@code TCP_SYN_RECV}: a connection being accepted. */
    public static final TcpState SYN_RECV = named(LibC.TCP_SYN_RECV(), "SYN_RECV");
    /** {@code TCP_FIN_WAIT1}. */
    public static final TcpState FIN_WAIT1 = named(LibC.TCP_FIN_WAIT1(), "FIN_WAIT1");
    /** {@code TCP_FIN_WAIT2}. */
    public static final TcpState FIN_WAIT2 = named(LibC.TCP_FIN_WAIT2(), "FIN_WAIT2");
    /** {@code TCP_TIME_WAIT}. */
    public static final TcpState TIME_WAIT = named(LibC.TCP_TIME_WAIT(), "TIME_WAIT");
    /** {@code TCP_CLOSE}: closed, or an unconnected datagram socket ({@code UNCONN} in ss). */
    public static final TcpState CLOSE = named(LibC.TCP_CLOSE(), "CLOSE");
    /** {@code TCP_CLOSE_WAIT}: the peer closed. */
    public static final TcpState CLOSE_WAIT = named(LibC.TCP_CLOSE_WAIT(), "CLOSE_WAIT");
    /** {@code TCP_LAST_ACK}. */
    public static final TcpState LAST_ACK = named(LibC.TCP_LAST_ACK(), "LAST_ACK");
    /** {@code TCP_LISTEN}: listening. */
    public static final TcpState LISTEN = named(LibC.TCP_LISTEN(), "LISTEN");
    /** {@code TCP_CLOSING}. */
    public static final TcpState CLOSING = named(LibC.TCP_CLOSING(), "CLOSING");

    // The two states after TCP_CLOSING are the kernel's own (include/net/tcp_states.h), in no
    // header a program can include, so they are numbered here; sock_diag reports them too.

    /** {@code TCP_NEW_SYN_RECV}: a request socket for a connection not yet accepted. */
    public static final TcpState NEW_SYN_RECV = named(12, "NEW_SYN_RECV");
    /** {@code TCP_BOUND_INACTIVE}: bound but neither listening nor connected. */
    public static final TcpState BOUND_INACTIVE = named(13, "BOUND_INACTIVE");

    private static TcpState named(int value, String name) {
        NAMES.put(value, name);
        return new TcpState(value);
    }

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
        String name = NAMES.get(value);
        return name != null ? "TCP_" + name : Integer.toString(value);
    }
}
