package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;

import java.util.HashMap;
import java.util.Map;

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

    /** The C names without IF_OPER_, by value; filled by {@link #named} as the constants are made. */
    private static final Map<Integer, String> NAMES = new HashMap<>();

    /** {@code IF_OPER_UNKNOWN}: the driver does not say, as for loopback. */
    public static final OperState UNKNOWN = named(LibC.IF_OPER_UNKNOWN(), "UNKNOWN");
    /** {@code IF_OPER_NOTPRESENT}: a component is missing. */
    public static final OperState NOTPRESENT = named(LibC.IF_OPER_NOTPRESENT(), "NOTPRESENT");
    /** {@code IF_OPER_DOWN}: down. */
    public static final OperState DOWN = named(LibC.IF_OPER_DOWN(), "DOWN");
    /** {@code IF_OPER_LOWERLAYERDOWN}: down because a link it depends on is down, such as a veth's peer. */
    public static final OperState LOWERLAYERDOWN = named(LibC.IF_OPER_LOWERLAYERDOWN(), "LOWERLAYERDOWN");
    /** {@code IF_OPER_TESTING}: in test mode. */
    public static final OperState TESTING = named(LibC.IF_OPER_TESTING(), "TESTING");
    /** {@code IF_OPER_DORMANT}: up, but waiting for an external event. */
    public static final OperState DORMANT = named(LibC.IF_OPER_DORMANT(), "DORMANT");
    /** {@code IF_OPER_UP}: up and able to pass packets. */
    public static final OperState UP = named(LibC.IF_OPER_UP(), "UP");

    private static OperState named(int value, String name) {
        NAMES.put(value, name);
        return new OperState(value);
    }

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
        return NAMES.getOrDefault(value, Integer.toString(value));
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
        String name = NAMES.get(value);
        return name != null ? "IF_OPER_" + name : Integer.toString(value);
    }
}
