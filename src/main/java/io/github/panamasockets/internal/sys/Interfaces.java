package io.github.panamasockets.internal.sys;

import io.github.panamasockets.internal.gen.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Network interface names and indexes, through if_nametoindex(3) and if_indextoname(3). Used for
 * IPv6 scope ids; neither call reports anything through errno that the caller needs.
 */
public final class Interfaces {
    private Interfaces() {}

    /** The longest interface name, with its NUL. */
    private static final int IF_NAMESIZE = LibC.IF_NAMESIZE();

    /**
     * The index of the named interface.
     *
     * @param name an interface name, such as {@code lo}
     * @return the index, or empty if there is no such interface or the name cannot be one
     */
    public static OptionalInt indexOf(String name) {
        if (name.isEmpty() || name.length() >= IF_NAMESIZE || name.indexOf('\0') >= 0) {
            return OptionalInt.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            int index = LibC.if_nametoindex(arena.allocateFrom(name));
            return index == 0 ? OptionalInt.empty() : OptionalInt.of(index);
        }
    }

    /**
     * The name of the interface with this index.
     *
     * @param index an interface index, unsigned
     * @return the name, or empty if no interface has that index
     */
    public static Optional<String> nameOf(int index) {
        if (index == 0) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(IF_NAMESIZE);
            MemorySegment name = LibC.if_indextoname(index, buf);
            return name.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(buf.getString(0));
        }
    }
}
