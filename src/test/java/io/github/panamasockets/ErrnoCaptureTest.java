package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * errno comes from the call that failed, not from whatever ran on the thread since: many threads
 * fail different calls with different errnos at once, while another thread churns the heap, and
 * every exception must carry its own call's errno.
 */
class ErrnoCaptureTest {
    private static final int PER_THREAD = 250_000;

    private interface Failing {
        void run() throws java.io.IOException;
    }

    @Test
    void everyInjectedErrorIsMappedToItsOwnErrno() throws Exception {
        String noListener = "errno-test-" + ProcessHandle.current().pid();
        var closedPort = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0));
        var refusedAt = closedPort.localAddress();   // bound, never listening: connect is refused
        try (var inUse = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
             var notListening = Sock.open(Family.UNIX, SockType.STREAM);
             var datagram = Sock.open(Family.UNIX, SockType.DGRAM)) {
            var busy = inUse.localAddress();
            List<Object[]> cases = List.of(
                    new Object[] {Errno.ECONNREFUSED, (Failing) () -> {
                        try (var s = Sock.open(Family.UNIX, SockType.STREAM)) {
                            s.connect(SockaddrUnix.abstractName(noListener));
                        }
                    }},
                    new Object[] {Errno.EADDRINUSE, (Failing) () -> {
                        try (var s = Sock.open(Family.INET, SockType.DGRAM)) {
                            s.bind(busy);
                        }
                    }},
                    new Object[] {Errno.EINVAL, (Failing) notListening::accept},
                    new Object[] {Errno.EOPNOTSUPP, (Failing) () -> datagram.listen(1)},
                    new Object[] {Errno.ECONNREFUSED, (Failing) () -> {
                        try (var s = Sock.open(Family.INET, SockType.STREAM)) {
                            s.connect(refusedAt);
                        }
                    }});
            AtomicBoolean done = new AtomicBoolean();
            Thread churn = Thread.ofPlatform().start(() -> {
                List<byte[]> keep = new ArrayList<>();
                while (!done.get()) {
                    keep.add(new byte[1024]);
                    if (keep.size() > 10_000) {
                        keep.clear();
                    }
                }
            });
            AtomicLong wrong = new AtomicLong();
            AtomicLong total = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            int perCase = PER_THREAD * 4 / cases.size();
            for (Object[] c : cases) {
                Errno expected = (Errno) c[0];
                Failing call = (Failing) c[1];
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perCase; i++) {
                        try {
                            call.run();
                            wrong.incrementAndGet();
                        } catch (java.io.IOException e) {
                            if (!(e instanceof SyscallError err) || err.errno() != expected.value()) {
                                wrong.incrementAndGet();
                                System.err.println("expected " + expected + ": " + e);
                            }
                        }
                        total.incrementAndGet();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            done.set(true);
            churn.join();
            assertEquals(0, wrong.get(), "calls that carried another call's errno, or none");
            assertTrue(total.get() >= 1_000_000, total + " calls");
        } finally {
            closedPort.close();
        }
    }
}
