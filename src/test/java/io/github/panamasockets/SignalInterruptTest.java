package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrNetlink;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals delivered to a thread blocked in a call (EINTR) do not end the call: it goes on waiting
 * and completes when the data comes. The signal is SIGWINCH with a handler installed, aimed at the
 * blocked thread itself with tgkill(2) every 10 ms.
 */
class SignalInterruptTest {
    /** A SIGWINCH handler for the class, so that the signal interrupts rather than is ignored. */
    @RegisterExtension
    static final Signals SIGNALS = new Signals();

    private interface Blocking {
        int call() throws Exception;
    }

    /** Runs {@code call} in a thread, signals that thread for a while, then lets the call finish. */
    private static int underSignals(Blocking call, Runnable release) throws Exception {
        AtomicInteger tid = new AtomicInteger();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                tid.set(Signals.gettid());
                result.complete(call.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        while (tid.get() == 0) {
            Thread.sleep(1);
        }
        int before = Signals.handled();
        for (int i = 0; i < 30 && !result.isDone(); i++) {
            assertEquals(0, Signals.signal(tid.get()));
            Thread.sleep(10);
        }
        assertTrue(!result.isDone(), "the call ended while signals arrived: " + result);
        release.run();
        int n = result.get();
        t.join();
        System.out.println((Signals.handled() - before) + " signals handled while the call waited");
        return n;
    }

    @Test
    void aBlockedReceiveOutlastsSignals() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (var pair = Sock.pair(SockType.STREAM)) {
                int n = underSignals(() -> pair.first().recv(new byte[8]), () -> {
                    try {
                        pair.second().send(new byte[] {1, 2, 3});
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertEquals(3, n);
            }
        });
    }

    @Test
    void aReceiveWaitingInPollOutlastsSignals() throws Exception {
        // Netlink receives wait in poll(2), which the kernel never restarts after a signal.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (var a = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel());
                 var b = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel())) {
                var to = a.localAddress();
                int n = underSignals(() -> a.recv(new byte[64]), () -> {
                    try {
                        b.sendTo(new byte[] {9, 9}, 0, 2, to);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertEquals(2, n);
            }
        });
    }

    @Test
    void aSelectOutlastsSignals() throws Exception {
        // epoll_wait(2) is never restarted after a signal: the select must wait again, for the
        // time that is left, and return only for readiness or a wakeup.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (var sel = EpollSelector.open(); var pair = Sock.pair(SockType.STREAM)) {
                sel.register(pair.first(), PollEvents.IN, null);
                int n = underSignals(() -> sel.select(Duration.ofSeconds(15)), () -> {
                    try {
                        pair.second().send(new byte[] {1});
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertEquals(1, n);
                assertEquals(1, pair.first().recv(new byte[1]));
                assertEquals(0, underSignals(sel::select, sel::wakeup));
            }
        });
    }

    @Test
    void aBlockedAcceptOutlastsSignals() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(io.github.panamasockets.address.SockaddrUnix.unnamed()).listen()) {
                var address = server.localAddress();
                var client = new java.util.concurrent.atomic.AtomicReference<Sock>();
                int fd = underSignals(() -> {
                    try (var conn = server.accept()) {
                        return conn.socket().fd();
                    }
                }, () -> {
                    try {
                        client.set(Sock.open(Family.UNIX, SockType.STREAM).connect(address));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertTrue(fd >= 0);
                client.get().close();
            }
        });
    }
}
