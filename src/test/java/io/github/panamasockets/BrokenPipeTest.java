package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writing to a peer that has gone is an exception, never a SIGPIPE that kills the JVM: every
 * send passes MSG_NOSIGNAL. That this test finishes at all is half of the proof.
 */
class BrokenPipeTest {

    private static void thousandWritesFail(Sock s) {
        byte[] b = new byte[100];
        for (int i = 0; i < 1000; i++) {
            var e = assertThrows(SyscallException.class, () -> s.send(b));
            assertTrue(e.errnoName().equals("EPIPE") || e.errnoName().equals("ECONNRESET"), e.getMessage());
        }
    }

    @Test
    void unixStreamToAClosedPeer() throws IOException {
        try (var pair = Sock.pair(SockType.STREAM)) {
            pair.second().close();
            thousandWritesFail(pair.first());
        }
    }

    @Test
    void unixSeqpacketToAClosedPeer() throws IOException {
        try (var pair = Sock.pair(SockType.SEQPACKET)) {
            pair.second().close();
            thousandWritesFail(pair.first());
        }
    }

    @Test
    void tcpToAClosedPeer() throws IOException {
        try (var server = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen();
             var client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress())) {
            server.accept().close();
            server.close();
            // The first write after the peer closed may still succeed and draw a RST.
            try {
                client.send(new byte[1]);
                Thread.sleep(50);
            } catch (IOException | InterruptedException expected) {
                // already broken
            }
            thousandWritesFail(client);
        }
    }

    @Test
    void outputStreamToAClosedPeer() throws IOException {
        try (var pair = Sock.pair(SockType.STREAM)) {
            pair.second().close();
            var out = pair.first().outputStream();
            for (int i = 0; i < 1000; i++) {
                assertThrows(SyscallException.class, () -> out.write(new byte[10]));
            }
        }
    }
}
