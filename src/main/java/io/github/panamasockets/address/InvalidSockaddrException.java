package io.github.panamasockets.address;

import java.io.Serial;

/**
 * Thrown when a socket address is invalid: a value outside what its C structure can hold, or bytes
 * that do not decode as an address. The message names the value and the limit, for example
 * {@code "pathname is 120 bytes; sun_path holds 107 plus the terminating NUL"}.
 *
 * {@snippet :
 * try {
 *     io.github.panamasockets.address.SockaddrInet4.of("127.0.0.1", 70000);
 * } catch (io.github.panamasockets.address.InvalidSockaddrException e) {
 *     System.out.println(e.getMessage());   // port 70000 is out of range 0 to 65535
 * }
 * }
 */
public final class InvalidSockaddrException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the value and the limit
     */
    public InvalidSockaddrException(String message) {
        super(message);
    }
}
