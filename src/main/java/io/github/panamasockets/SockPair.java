package io.github.panamasockets;

import java.util.Objects;

/**
 * Two connected sockets from {@link Sock#pair(SockType)}; closing the pair closes both.
 *
 * {@snippet :
 * try (var p = Sock.pair(SockType.STREAM)) {
 *     p.first().send(new byte[] {42});
 *     p.second().recv(new byte[1]);   // ==> 1
 * }
 * }
 *
 * @param first one end
 * @param second the other end
 */
public record SockPair(Sock first, Sock second) implements AutoCloseable {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public SockPair {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
    }

    /** Closes both sockets. */
    @Override
    public void close() {
        try {
            first.close();
        } finally {
            second.close();
        }
    }
}
