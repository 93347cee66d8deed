package io.github.panamasockets.internal.sys;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.epoll_event;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Parks virtual threads until a descriptor is ready, so that a socket call made from a virtual
 * thread never holds its carrier thread in a blocking system call.
 *
 * <h2>How</h2>
 * Two epoll instances, one for waits to receive and one for waits to send, are each served by a
 * platform daemon thread blocked in epoll_wait(2). A virtual thread whose non-blocking call found
 * nothing to do ({@code EAGAIN}) records itself as the waiter of its descriptor, arms the
 * descriptor in the epoll instance with {@code EPOLLONESHOT}, and parks. The poller thread unparks
 * the waiter when the descriptor becomes ready; the virtual thread then makes its call again.
 * {@link #wake(int)} unparks the waiters of a descriptor that is being closed, and interrupting a
 * parked virtual thread unparks it too.
 *
 * <p>One waiter per descriptor and direction: a socket's calls of one direction are serialized by
 * its lock of that direction. An armed registration left behind by a waiter that timed out does no
 * harm: its event finds no waiter, and epoll forgets the descriptor when it is closed.
 *
 * <p>Nothing here starts until the first virtual thread waits: platform threads never use it.
 */
public final class Poller {
    /** Why {@link #await} returned. */
    public enum Wake {
        /** Unparked: the descriptor may be ready (or being closed); make the call again. */
        READY,
        /** The deadline passed first. */
        TIMEOUT,
        /** The thread was interrupted. */
        INTERRUPTED
    }

    private static final int EPOLLIN = LibC.EPOLLIN();
    private static final int EPOLLOUT = LibC.EPOLLOUT();
    private static final int EPOLLRDHUP = LibC.EPOLLRDHUP();
    private static final int EPOLLONESHOT = LibC.EPOLLONESHOT();
    private static final int ENOENT = LibC.ENOENT();
    private static final int EINTR = LibC.EINTR();
    private static final long EVENT_SIZE = epoll_event.layout().byteSize();
    private static final long DATA = epoll_event.data$offset();
    private static final int BATCH = 64;

    /** Set once a poller has started, so that closing a socket costs nothing before then. */
    private static volatile boolean started;

    private static final class Holder {
        static final Poller READ = new Poller("read");
        static final Poller WRITE = new Poller("write");
    }

    private final int epfd;
    private final ConcurrentHashMap<Integer, Thread> waiters = new ConcurrentHashMap<>();

    private Poller(String direction) {
        MemorySegment capture = Arena.ofAuto().allocate(Syscalls.CAPTURE_LAYOUT);
        epfd = Syscalls.epollCreate1(capture, LibC.EPOLL_CLOEXEC());
        if (epfd < 0) {
            throw new IllegalStateException("epoll_create1 for the " + direction + " poller failed: errno "
                    + Syscalls.errno(capture));
        }
        Thread.ofPlatform().daemon().name("panama-sockets-poller-" + direction).start(this::loop);
        started = true;
    }

    /**
     * Parks the current (virtual) thread until {@code fd} may be ready to receive, or to send when
     * {@code write}, until the deadline, or until the thread is interrupted or {@code ref} closed.
     *
     * @param ref the descriptor's owner, checked for close once the waiter is recorded; or null
     * @param fd the descriptor, held open by the caller for the whole wait
     * @param write whether to wait for room to send rather than data to receive
     * @param deadline a {@link System#nanoTime()} deadline, or 0 for none
     * @param capture an errno capture segment the caller owns
     * @param event a scratch segment of at least 16 bytes the caller owns
     * @return why the wait ended
     * @throws IllegalStateException if epoll refuses the descriptor, or it already has a waiter
     */
    public static Wake await(FdRef ref, int fd, boolean write, long deadline, MemorySegment capture,
                             MemorySegment event) {
        Poller p = write ? Holder.WRITE : Holder.READ;
        Thread self = Thread.currentThread();
        Thread other = p.waiters.putIfAbsent(fd, self);
        if (other != null) {
            throw new IllegalStateException("fd " + fd + " already has a waiter: " + other);
        }
        try {
            p.arm(fd, write ? EPOLLOUT : EPOLLIN | EPOLLRDHUP, capture, event);
            if (ref != null && ref.isClosed()) {
                return Wake.READY;          // the caller sees the close
            }
            if (deadline == 0) {
                LockSupport.park(p);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Wake.TIMEOUT;
                }
                LockSupport.parkNanos(p, left);
            }
            if (self.isInterrupted()) {
                return Wake.INTERRUPTED;
            }
            if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                return Wake.TIMEOUT;
            }
            return Wake.READY;
        } finally {
            p.waiters.remove(fd, self);
        }
    }

    /** Unparks every thread waiting on {@code fd}: it is being closed. */
    static void wake(int fd) {
        if (started) {
            unpark(Holder.READ, fd);
            unpark(Holder.WRITE, fd);
        }
    }

    private static void unpark(Poller p, int fd) {
        Thread t = p.waiters.get(fd);
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Arms {@code fd} for one event: EPOLL_CTL_MOD if epoll knows it, else EPOLL_CTL_ADD. */
    private void arm(int fd, int events, MemorySegment capture, MemorySegment event) {
        event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events | EPOLLONESHOT);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA, fd & 0xFFFF_FFFFL);
        MemorySegment e = event.asSlice(0, EVENT_SIZE);
        if (Syscalls.epollCtl(capture, epfd, LibC.EPOLL_CTL_MOD(), fd, e) == 0) {
            return;
        }
        int errno = Syscalls.errno(capture);
        if (errno == ENOENT && Syscalls.epollCtl(capture, epfd, LibC.EPOLL_CTL_ADD(), fd, e) == 0) {
            return;
        }
        throw new IllegalStateException("epoll_ctl(fd " + fd + ") failed: errno " + Syscalls.errno(capture));
    }

    private void loop() {
        Arena arena = Arena.ofConfined();
        MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
        MemorySegment events = arena.allocate(EVENT_SIZE * BATCH, 8);
        while (true) {
            int n = Syscalls.epollWait(capture, epfd, events, BATCH, -1);
            if (n < 0) {
                if (Syscalls.errno(capture) != EINTR) {
                    LockSupport.parkNanos(1_000_000);     // never spin on a broken epoll
                }
                continue;
            }
            for (int i = 0; i < n; i++) {
                int fd = events.get(ValueLayout.JAVA_INT_UNALIGNED, i * EVENT_SIZE + DATA);
                unpark(this, fd);
            }
        }
    }
}
