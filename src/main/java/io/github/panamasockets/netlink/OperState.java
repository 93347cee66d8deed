package io.github.panamasockets.netlink;

/**
 * A link's operational state ({@code IFLA_OPERSTATE}), the RFC 2863 states of
 * {@code IF_OPER_*}; see rtnetlink(7) and the kernel's Documentation/networking/operstates.rst.
 *
 * <p>The named constants print their C names; any other number prints as itself.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * OperState.UP                // ==> IF_OPER_UP
 * OperState.of(2)             // ==> IF_OPER_DOWN
 * OperState.UP.shortName()    // ==> "UP", as ip(8) prints it
 * }
 *
 * @param value the {@code IF_OPER_*} number, 0 to 255
 */
public record OperState(int value) {

    // The IF_OPER_* values of linux/if.h (an enum, not yet in the generated bindings; see
    // headers/includes.txt). UapiConstantsTest checks them against the C header.

    /** {@code IF_OPER_UNKNOWN}: the driver does not say, as for loopback. */
    public static final OperState UNKNOWN = new OperState(0);
    /** {@code IF_OPER_NOTPRESENT}: a component is missing. */
    public static final OperState NOTPRESENT = new OperState(1);
    /** {@code IF_OPER_DOWN}: down. */
    public static final OperState DOWN = new OperState(2);
    /** {@code IF_OPER_LOWERLAYERDOWN}: down because a link it depends on is down, such as a veth's peer. */
    public static final OperState LOWERLAYERDOWN = new OperState(3);
    /** {@code IF_OPER_TESTING}: in test mode. */
    public static final OperState TESTING = new OperState(4);
    /** {@code IF_OPER_DORMANT}: up, but waiting for an external event. */
    public static final OperState DORMANT = new OperState(5);
    /** {@code IF_OPER_UP}: up and able to pass packets. */
    public static final OperState UP = new OperState(6);

    private static final String[] NAMES = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};

    /**
     * Checks the range of the 8-bit {@code IFLA_OPERSTATE} attribute; see rtnetlink(7).
     *
     * {@snippet :
     * new OperState(6)   // ==> IF_OPER_UP
     * }
     *
     * @throws IllegalArgumentException if {@code value} is outside 0 to 255
     */
    public OperState {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("operational state " + value + " is out of range 0 to 255");
        }
    }

    /**
     * {@return the state with this number}; see {@code IFLA_OPERSTATE} in rtnetlink(7)
     *
     * {@snippet :
     * OperState.of(6)   // ==> IF_OPER_UP
     * }
     *
     * @param value the {@code IF_OPER_*} number, 0 to 255
     * @throws IllegalArgumentException if {@code value} is outside 0 to 255
     */
    public static OperState of(int value) {
        return new OperState(value);
    }

    /**
     * {@return the name without {@code IF_OPER_}}, as {@code ip -j link} prints it, or the number;
     * see rtnetlink(7)
     *
     * {@snippet :
     * OperState.LOWERLAYERDOWN.shortName()   // ==> "LOWERLAYERDOWN"
     * }
     */
    public String shortName() {
        return value < NAMES.length ? NAMES[value] : Integer.toString(value);
    }

    /**
     * {@return the C name}, such as {@code IF_OPER_UP}, or the number; see rtnetlink(7)
     *
     * {@snippet :
     * OperState.of(9).toString()   // ==> "9"
     * }
     */
    @Override
    public String toString() {
        return value < NAMES.length ? "IF_OPER_" + NAMES[value] : Integer.toString(value);
    }
}
