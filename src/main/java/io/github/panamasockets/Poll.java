package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.epoll_event;
import io.github.panamasockets.internal.sys.FdRef;
import io.github.panamasockets.internal.sys.Poller;
import io.github.panamasockets.internal.sys.Syscalls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Waits for several descriptors at once: sockets and received descriptors;
 * <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>.
 *
 * <p>Each {@link Entry} names a {@link Sock} or an {@link OwnedFd} (any kind of file, such as a
 * pipe received over a Unix socket) and the {@link PollEvents} to wait for. {@link #poll} returns
 * the entries on which something happened, in the order given. Every descriptor is held open for
 * the whole call, so none can be closed and its number reused under it; one closed by another
 * thread during the call ends the wait and is reported as {@link PollEvents#NVAL}. On a virtual
 * thread the wait parks the thread instead of blocking its carrier.
 *
 * <p>For an event loop over many sockets, {@link EpollSelector} avoids passing every descriptor
 * to the kernel on each call.
 *
 * {@snippet :
 * import io.github.panamasockets.*;
 * var a = Sock.pair(SockType.DGRAM);
 * var b = Sock.pair(SockType.DGRAM);
 * b.first().send("x".getBytes());
 * Poll.poll(java.time.Duration.ofSeconds(1), Poll.of(a.second(), PollEvents.IN), Poll.of(b.second(), PollEvents.IN));
 * // ==> [Ready[Sock[fd 10, AF_UNIX SOCK_DGRAM] POLLIN]]
 * }
 */
public final class Poll {
    private Poll() {}

    private static final int EINTR = LibC.EINTR();
    private static final int EEXIST = LibC.EEXIST();
    private static final int EPERM = LibC.EPERM();
    private static final long POLLFD = 8;

    /**
     * A descriptor to watch and the events to wait for; made by {@link Poll#of(Sock, int)} or
     * {@link Poll#of(OwnedFd, int)}. Immutable.
     */
    public static final class Entry {
        private final Sock sock;
        private final OwnedFd fd;
        private final int events;

        private Entry(Sock sock, OwnedFd fd, int events) {
            this.sock = sock;
            this.fd = fd;
            this.events = PollEvents.check(events);
        }

        /**
         * {@return the socket watched, or null if this entry watches an OwnedFd}
         *
         * {@snippet :
         * Poll.of(sock, PollEvents.IN).sock() == sock   // ==> true
         * }
         */
        public Sock sock() {
            return sock;
        }

        /**
         * {@return the received descriptor watched, or null if this entry watches a Sock}
         *
         * {@snippet :
         * Poll.of(OwnedFd.borrow(0), PollEvents.IN).ownedFd()   // ==> OwnedFd[0, borrowed]
         * }
         */
        public OwnedFd ownedFd() {
            return fd;
        }

        /**
         * {@return the events to wait for}
         *
         * {@snippet :
         * Poll.of(sock, PollEvents.IN | PollEvents.OUT).events()   // ==> 5
         * }
         */
        public int events() {
            return events;
        }

        /** {@return the descriptor and the events, such as {@code Sock[fd 7, AF_UNIX SOCK_STREAM] POLLIN}} */
        @Override
        public String toString() {
            return (sock != null ? sock.toString() : fd.toString()) + " " + PollEvents.toString(events);
        }

        private FdRef acquire() throws SockClosedException {
            if (sock != null) {
                if (!sock.ref().acquire()) {
                    throw new SockClosedException("poll: " + sock + " is closed");
                }
                return sock.ref();
            }
            fd.acquire();
            return fd.ref();
        }

        /**
         * Whether a close through this library can end a wait on it, and so needs the wake-up
         * eventfd: a socket or a received descriptor. A borrowed one is closed by its owner, never
         * through its FdRef, which would keep an eventfd made for it open for good.
         */
        private boolean closable() {
            return sock != null || fd.isOwned();
        }

        private void release() {
            if (sock != null) {
                sock.ref().release();
            } else {
                fd.release();
            }
        }
    }

    /**
     * What happened on one entry.
     *
     * {@snippet :
     * var r = Poll.poll(java.time.Duration.ZERO, Poll.of(sock, PollEvents.OUT));
     * r.get(0).events()   // ==> 4, POLLOUT: there is room to send
     * }
     *
     * @param entry the entry, as passed to {@link Poll#poll}
     * @param events the events that occurred ({@code revents}): a subset of those asked for,
     *        plus {@link PollEvents#ERR}, {@link PollEvents#HUP} or {@link PollEvents#NVAL}
     */
    public record Ready(Entry entry, int events) {
        /**
         * Checks the entry.
         *
         * @throws NullPointerException if {@code entry} is null
         */
        public Ready {
            Objects.requireNonNull(entry, "entry");
        }

        /** {@return the descriptor and the events that occurred, by name} */
        @Override
        public String toString() {
            Object what = entry.sock != null ? entry.sock : entry.fd;
            return "Ready[" + what + " " + PollEvents.toString(events) + "]";
        }
    }

    /**
     * {@return an entry that watches a socket for {@code events}}
     *
     * {@snippet :
     * Poll.of(sock, PollEvents.IN | PollEvents.RDHUP)
     * }
     *
     * @param sock the socket
     * @param events {@link PollEvents} to wait for
     * @throws IllegalArgumentException if {@code events} has bits poll(2) does not know
     * @throws NullPointerException if {@code sock} is null
     */
    public static Entry of(Sock sock, int events) {
        return new Entry(Objects.requireNonNull(sock, "sock"), null, events);
    }

    /**
     * {@return an entry that watches a received (or borrowed) descriptor for {@code events}}
     *
     * {@snippet :
     * Poll.of(got.fds().get(0), PollEvents.IN)   // a pipe that came over a Unix socket
     * }
     *
     * @param fd the descriptor
     * @param events {@link PollEvents} to wait for
     * @throws IllegalArgumentException if {@code events} has bits poll(2) does not know
     * @throws NullPointerException if {@code fd} is null
     */
    public static Entry of(OwnedFd fd, int events) {
        return new Entry(null, Objects.requireNonNull(fd, "fd"), events);
    }

    /**
     * Waits until something happens on any entry, or the timeout passes;
     * <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>, retried with the
     * time that remains after a signal.
     *
     * {@snippet :
     * var ready = Poll.poll(java.time.Duration.ofMillis(500), Poll.of(a, PollEvents.IN), Poll.of(b, PollEvents.IN));
     * for (var r : ready) System.out.println(r);
     * }
     *
     * @param timeout how long to wait at most; {@link Duration#ZERO} to look without waiting
     * @param entries what to watch; the same descriptor may appear once
     * @return the entries on which events occurred, in the order given; empty if the time passed
     * @throws SockClosedException if a socket was closed before the call
     * @throws InterruptedIOException if the calling virtual thread was interrupted
     * @throws IOException if poll(2) fails, such as {@code EINVAL} for more entries than the
     *         process may open descriptors
     * @throws IllegalStateException if an OwnedFd was closed or handed to a Sock
     * @throws IllegalArgumentException if the timeout is negative
     * @throws NullPointerException if an argument or entry is null
     */
    public static List<Ready> poll(Duration timeout, Entry... entries) throws IOException {
        return poll(timeout, List.of(entries));
    }

    /**
     * Waits until something happens on any entry, or the timeout passes; as
     * {@link #poll(Duration, Entry...)}.
     *
     * {@snippet :
     * Poll.poll(java.time.Duration.ofSeconds(1), java.util.List.of(Poll.of(sock, PollEvents.IN)))
     * }
     *
     * @param timeout how long to wait at most; {@link Duration#ZERO} to look without waiting
     * @param entries what to watch
     * @return the entries on which events occurred, in the order given; empty if the time passed
     * @throws SockClosedException if a socket was closed before the call
     * @throws InterruptedIOException if the calling virtual thread was interrupted
     * @throws IOException if poll(2) fails
     * @throws IllegalStateException if an OwnedFd was closed or handed to a Sock
     * @throws IllegalArgumentException if the timeout is negative
     * @throws NullPointerException if an argument or entry is null
     */
    public static List<Ready> poll(Duration timeout, List<Entry> entries) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("poll timeout " + timeout + " is negative");
        }
        return poll0(Sock.nanos(timeout), List.copyOf(entries));
    }

    /**
     * Waits, with no time limit, until something happens on any entry; as
     * {@link #poll(Duration, Entry...)}.
     *
     * {@snippet :
     * Poll.poll(Poll.of(a, PollEvents.IN), Poll.of(b, PollEvents.IN))
     * }
     *
     * @param entries what to watch
     * @return the entries on which events occurred, in the order given; never empty
     * @throws SockClosedException if a socket was closed before the call
     * @throws InterruptedIOException if the calling virtual thread was interrupted
     * @throws IOException if poll(2) fails
     * @throws IllegalStateException if an OwnedFd was closed or handed to a Sock
     * @throws NullPointerException if an entry is null
     */
    public static List<Ready> poll(Entry... entries) throws IOException {
        return poll0(-1, List.of(entries));
    }

    /** poll(2) over the entries, with timeout -1 for none. */
    private static List<Ready> poll0(long timeout, List<Entry> entries) throws IOException {
        int n = entries.size();
        FdRef[] refs = new FdRef[n];
        int held = 0;
        try {
            for (; held < n; held++) {
                refs[held] = entries.get(held).acquire();
            }
            try (Arena arena = Arena.ofConfined()) {
                return wait(entries, refs, timeout, arena);
            }
        } finally {
            for (int i = 0; i < held; i++) {
                entries.get(i).release();
            }
        }
    }

    private static List<Ready> wait(List<Entry> entries, FdRef[] refs, long timeout, Arena arena) throws IOException {
        int n = entries.size();
        int[] wakes = new int[n];
        int total = n;
        for (int i = 0; i < n; i++) {
            wakes[i] = entries.get(i).closable() ? refs[i].wakeFd() : -1;
            total += wakes[i] >= 0 ? 1 : 0;
        }
        MemorySegment fds = arena.allocate(POLLFD * Math.max(total, 1), 8);
        MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
        MemorySegment event = arena.allocate(16, 8);
        boolean virtual = Thread.currentThread().isVirtual();
        long deadline = timeout > 0 ? (System.nanoTime() + timeout) | 1 : 0;
        int epfd = -1;
        try {
            while (true) {
                int at = 0;
                for (int i = 0; i < n; i++) {
                    pollfd(fds, at++, refs[i].fd(), entries.get(i).events());
                }
                for (int i = 0; i < n; i++) {
                    if (wakes[i] >= 0) {
                        pollfd(fds, at++, wakes[i], PollEvents.IN);
                    }
                }
                int millis = virtual || timeout == 0 ? 0 : deadline == 0 ? -1 : millisLeft(deadline);
                int rc = Syscalls.poll(capture, fds, total, millis);
                if (rc < 0 && Syscalls.errno(capture) != EINTR) {
                    throw Errors.of("poll", Syscalls.errno(capture), null);
                }
                List<Ready> ready = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int revents = refs[i].isClosed() ? PollEvents.NVAL
                            : fds.get(ValueLayout.JAVA_SHORT, i * POLLFD + 6) & 0xFFFF;
                    if (revents != 0) {
                        ready.add(new Ready(entries.get(i), revents));
                    }
                }
                if (!ready.isEmpty()) {
                    return ready;
                }
                if (timeout == 0 || deadline != 0 && deadline - System.nanoTime() <= 0) {
                    return List.of();
                }
                if (virtual) {
                    if (epfd < 0) {
                        epfd = epollOf(fds, total, capture, event);
                    }
                    switch (Poller.await(null, epfd, false, deadline, capture, event)) {
                        case TIMEOUT -> {
                            return List.of();
                        }
                        case INTERRUPTED -> throw new InterruptedIOException("poll of " + n
                                + " descriptors: the virtual thread was interrupted while it waited; the interrupt"
                                + " status is kept");
                        case READY -> { }
                    }
                }
            }
        } finally {
            if (epfd >= 0) {
                Syscalls.close(capture, epfd);
            }
        }
    }

    /** Fills entry {@code i} of a pollfd array: the fd, the events, and revents cleared. */
    static void pollfd(MemorySegment fds, int i, int fd, int events) {
        fds.set(ValueLayout.JAVA_INT, i * POLLFD, fd);
        fds.set(ValueLayout.JAVA_SHORT, i * POLLFD + 4, (short) events);
        fds.set(ValueLayout.JAVA_SHORT, i * POLLFD + 6, (short) 0);
    }

    /** {@return the milliseconds left until {@code deadline} (System.nanoTime), rounded up; 0 once it has passed} */
    static int millisLeft(long deadline) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? 0 : (int) Math.min((left + 999_999) / 1_000_000, Integer.MAX_VALUE);
    }

    /**
     * An epoll instance watching what the pollfd array watches, level-triggered, so that a virtual
     * thread can park until it is readable (epoll(7): an epoll fd is itself pollable).
     */
    private static int epollOf(MemorySegment fds, int total, MemorySegment capture, MemorySegment event)
            throws IOException {
        int epfd = Syscalls.epollCreate1(capture, LibC.EPOLL_CLOEXEC());
        if (epfd < 0) {
            throw Errors.of("epoll_create1", Syscalls.errno(capture), null);
        }
        for (int i = 0; i < total; i++) {
            int fd = fds.get(ValueLayout.JAVA_INT, i * POLLFD);
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, fds.get(ValueLayout.JAVA_SHORT, i * POLLFD + 4) & 0xFFFF);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, epoll_event.data$offset(), fd);
            // EPERM: epoll refuses files that poll(2) always reports readable and writable, such
            // as regular files. The poll(2) before each wait reports them; nothing else ever
            // happens on them, so the wait need not watch them.
            if (Syscalls.epollCtl(capture, epfd, LibC.EPOLL_CTL_ADD(), fd, event) < 0
                    && Syscalls.errno(capture) != EEXIST && Syscalls.errno(capture) != EPERM) {
                int errno = Syscalls.errno(capture);
                Syscalls.close(capture, epfd);
                throw Errors.of("epoll_ctl(EPOLL_CTL_ADD, fd " + fd + ")", errno, null);
            }
        }
        return epfd;
    }
}
