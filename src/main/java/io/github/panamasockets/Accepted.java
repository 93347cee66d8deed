package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.util.Objects;

/**
 * What {@link Sock#accept()} returns: the connected socket and the address of the peer.
 * Closing it closes the socket.
 *
 * {@snippet :
 * try (var conn = server.accept()) {
 *     System.out.println("from " + conn.peer());
 *     conn.socket().send("hi".getBytes());
 * }
 * }
 *
 * @param socket the new connected socket, owned by the caller
 * @param peer the peer's address; {@code (unnamed)} for an unbound Unix client
 */
public record Accepted(Sock socket, Sockaddr peer) implements AutoCloseable {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public Accepted {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(peer, "peer");
    }

    /** Closes the socket. */
    @Override
    public void close() {
        socket.close();
    }
}
