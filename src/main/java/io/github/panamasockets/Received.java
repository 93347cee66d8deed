package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

/**
 * What {@link Sock#recvFrom(byte[], int, int)} returns: how many bytes arrived and who sent them.
 *
 * {@snippet :
 * var r = udp.recvFrom(buf, 0, buf.length);
 * System.out.println(r.length() + " bytes from " + r.from());
 * }
 *
 * @param length the bytes received; 0 for an empty datagram, -1 at end of stream,
 *        {@link Sock#WOULD_BLOCK} when nothing was there in non-blocking mode (and {@code from} is
 *        null)
 * @param from the sender's address; {@code (unnamed)} for an unbound Unix sender, and null where
 *        the kernel reports none, as on a connected stream socket
 */
public record Received(int length, Sockaddr from) {

    /**
     * {@return whether nothing was received because the call would have had to wait}
     * ({@code EAGAIN} in non-blocking mode)
     *
     * {@snippet :
     * Sock.pair(SockType.DGRAM).second().setNonBlocking(true).recvFrom(new byte[8], 0, 8).wouldBlock()   // ==> true
     * }
     */
    public boolean wouldBlock() {
        return length == Sock.WOULD_BLOCK;
    }
}
