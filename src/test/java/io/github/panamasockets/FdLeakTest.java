package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No descriptor leaks: the count in /proc/self/fd is the same after 10,000 open/close cycles of
 * each kind, failed calls included, and sockets dropped without close are released after GC.
 */
class FdLeakTest {
    private static final int CYCLES = 10_000;

    static int openFds() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }

    /**
     * The descriptor count once sockets dropped by earlier tests in this JVM have been cleaned:
     * counted after GC until two counts agree, so that their cleanup does not blur this test's.
     */
    static int settledFds() throws InterruptedException {
        int last = -2;
        int now = openFds();
        for (int i = 0; i < 20 && now != last; i++) {
            System.gc();
            Thread.sleep(30);
            last = now;
            now = openFds();
        }
        return now;
    }

    /**
     * Waits, up to about ten seconds, until the settled descriptor count is {@code expected}:
     * sockets closed by other threads (a server's connections, woken calls) go a little later.
     * {@return the last count}
     */
    static int settledFds(int expected) throws InterruptedException {
        int now = settledFds();
        for (int i = 0; i < 200 && now != expected; i++) {
            Thread.sleep(20);
            now = settledFds();
        }
        return now;
    }

    private interface Cycle {
        void run() throws IOException;
    }

    /** Held for the whole class, so that the Cleaner does not close them between cycles. */
    private static Sock busy;
    private static Sock bound;

    @org.junit.jupiter.api.AfterAll
    static void closeHeld() {
        busy.close();
        bound.close();
    }

    static Stream<Arguments> cycles() throws IOException {
        busy = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
        bound = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0));
        var refused = bound.localAddress();
        var busyAddress = busy.localAddress();
        String nobody = "leak-nobody-" + ProcessHandle.current().pid();
        return Stream.of(
                Arguments.of("AF_UNIX SOCK_STREAM", (Cycle) () -> Sock.open(Family.UNIX, SockType.STREAM).close()),
                Arguments.of("AF_UNIX SOCK_DGRAM", (Cycle) () -> Sock.open(Family.UNIX, SockType.DGRAM).close()),
                Arguments.of("AF_UNIX SOCK_SEQPACKET", (Cycle) () -> Sock.open(Family.UNIX, SockType.SEQPACKET).close()),
                Arguments.of("AF_INET SOCK_STREAM", (Cycle) () -> Sock.open(Family.INET, SockType.STREAM).close()),
                Arguments.of("AF_INET6 SOCK_DGRAM", (Cycle) () -> Sock.open(Family.INET6, SockType.DGRAM).close()),
                Arguments.of("AF_NETLINK bound", (Cycle) () -> {
                    try (var s = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE)) {
                        s.bind(SockaddrNetlink.kernel());
                    }
                }),
                Arguments.of("socketpair", (Cycle) () -> Sock.pair(SockType.SEQPACKET).close()),
                Arguments.of("failed bind (EADDRINUSE)", (Cycle) () -> {
                    try (var s = Sock.open(Family.INET, SockType.DGRAM)) {
                        assertThrows(SyscallBindException.class, () -> s.bind(busyAddress));
                    }
                }),
                Arguments.of("failed TCP connect (ECONNREFUSED)", (Cycle) () -> {
                    try (var s = Sock.open(Family.INET, SockType.STREAM)) {
                        assertThrows(SyscallConnectException.class, () -> s.connect(refused));
                    }
                }),
                Arguments.of("failed Unix connect (ECONNREFUSED)", (Cycle) () -> {
                    try (var s = Sock.open(Family.UNIX, SockType.STREAM)) {
                        assertThrows(SyscallConnectException.class, () -> s.connect(SockaddrUnix.abstractName(nobody)));
                    }
                }),
                Arguments.of("failed open (EAFNOSUPPORT)", (Cycle) () ->
                        assertThrows(SyscallException.class, () -> Sock.open(Family.of(250), SockType.STREAM))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cycles")
    void tenThousandCyclesLeaveNoDescriptor(String name, Cycle cycle) throws Exception {
        cycle.run();                 // warm-up: classes and JIT
        int before = settledFds();
        for (int i = 0; i < CYCLES; i++) {
            cycle.run();
        }
        assertEquals(before, openFds(), name);
    }

    @Test
    void acceptedConnectionsLeaveNoDescriptor() throws Exception {
        try (var server = Sock.open(Family.INET6, SockType.STREAM).bind(SockaddrInet6.loopback(0)).listen()) {
            var address = server.localAddress();
            int before = settledFds();
            for (int i = 0; i < 2_000; i++) {
                try (var c = Sock.open(Family.INET6, SockType.STREAM).connect(address); var conn = server.accept()) {
                    c.send(new byte[] {1});
                    conn.socket().recv(new byte[1]);
                }
            }
            assertEquals(before, openFds());
        }
    }

    @Test
    void socketsDroppedWithoutCloseAreReleasedAfterGc() throws Exception {
        int before = settledFds();
        java.util.List<Sock> held = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            held.add(Sock.open(Family.UNIX, SockType.DGRAM));
        }
        assertTrue(openFds() >= before + 1_000, "the sockets were really open");
        held = null;        // never closed: now unreachable
        for (int i = 0; i < 100 && openFds() > before; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(before, openFds(), "the Cleaner closed every unreachable socket");
    }
}
