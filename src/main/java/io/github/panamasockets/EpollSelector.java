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
import java.lang.invoke.MethodHandles;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.nio.channels.ClosedSelectorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A readiness selector for event loops, over
 * <a href="https://man7.org/linux/man-pages/man7/epoll.7.html">epoll(7)</a>: register sockets
 * with the {@link PollEvents} they are interested in and an attachment, wait with
 * {@link #select(Duration)}, then handle the {@link #selectedKeys() ready keys}. Level-triggered,
 * as {@code java.nio.channels.Selector} is: a key is ready again on the next select for as long as
 * its socket stays ready.
 *
 * <p>One thread selects at a time (a second waits for the first); {@link #wakeup()},
 * {@link #register}, the keys' methods and {@link #close()} may be called from any thread. Once
 * its lists have grown and the JIT has compiled it, a select on a platform thread allocates
 * nothing. On a virtual thread it parks instead of blocking its carrier; a single platform thread running a loop, as in Netty, works as well. The sockets
 * are usually put in {@linkplain Sock#setNonBlocking(boolean) non-blocking mode}, so that a handler
 * never waits.
 *
 * <p>A selector dropped without being closed is closed by a {@link Cleaner} once it
 * is collected: its descriptors, its memory, and its keys' holds on their sockets' descriptors.
 *
 * <p>A registered socket's descriptor is held open by its key: when the socket is closed, its key
 * is dropped and the descriptor released at the next select, or by a select in progress, which the
 * close wakes (and which then goes on waiting), or when the selector is closed. For a netlink
 * socket, which has no shutdown(2) to make epoll report the close, the key also watches an eventfd
 * that the close signals.
 *
 * {@snippet :
 * import io.github.panamasockets.*;
 * import io.github.panamasockets.address.*;
 * try (var sel = EpollSelector.open();
 *      var server = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.abstractName("sel-demo")).listen()) {
 *     server.setNonBlocking(true);
 *     sel.register(server, PollEvents.IN, "listener");
 *     var client = Sock.open(Family.UNIX, SockType.STREAM).connect(server.localAddress());
 *     sel.select(java.time.Duration.ofSeconds(1));      // ==> 1
 *     sel.selectedKeys().get(0).attachment();            // ==> "listener"
 *     var conn = server.accept();                        // ready, so it does not wait
 * }
 * }
 */
public final class EpollSelector implements AutoCloseable {
    private static final int EINTR = LibC.EINTR();
    /** sizeof(struct epoll_event) and offsetof its data: 12 and 4 where it is packed, as on x86_64. */
    private static final long EVENT = epoll_event.layout().byteSize();
    private static final long DATA = epoll_event.data$offset();
    /** The longest timeout in nanoseconds; a constant, so that select(Duration) makes no Duration. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);
    private static final int BATCH = 256;
    /**
     * epoll data of the wake-up eventfd. A key's is its generation (high 32 bits) and its index
     * (low 31), never negative; see {@link #data}.
     */
    private static final long WAKE = -1L;
    /** Key.attachment, swapped atomically so that two threads attaching at once lose neither. */
    private static final VarHandle ATTACHMENT;

    static {
        try {
            ATTACHMENT = MethodHandles.lookup().findVarHandle(Key.class, "attachment", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Set in the epoll data of a key's close eventfd, beside the key's own. */
    private static final long CLOSE = 1L << 31;

    private final Arena arena = Arena.ofShared();
    private final int epfd;
    private final int wakeFd;
    /** What close and the Cleaner release; see {@link Resources}. */
    private final Resources resources;
    private final Cleaner.Cleanable cleanable;
    /** For select: the event array and errno capture, used under selectLock. */
    private final MemorySegment events = arena.allocate(EVENT * BATCH, 8);
    private final MemorySegment selectCapture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
    private final MemorySegment poll = arena.allocate(16, 8);
    /** For epoll_ctl and wakeup: used under this object's monitor. */
    private final MemorySegment ctlEvent = arena.allocate(16, 8);
    private final MemorySegment ctlCapture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
    private final ReentrantLock selectLock = new ReentrantLock();
    /** Keys by index; null where free. Guarded by this. */
    private Key[] table = new Key[16];
    private int count;
    /** Free indexes below {@code next}, as a stack. Guarded by this. */
    private int[] free = new int[16];
    private int freeCount;
    private int next;
    /** The generation of the next key, 0 to {@code Integer.MAX_VALUE}. Guarded by this. */
    private int generation;
    private final List<Key> ready = new ArrayList<>();
    private final List<Key> readyView = Collections.unmodifiableList(ready);
    private volatile boolean closed;

    /**
     * A registration of a socket with a selector: its interest set, the events found ready by the
     * last select, and an attachment. Thread-safe.
     */
    public final class Key {
        private final Sock sock;
        private final int index;
        /** Tells this key's events from those of an earlier key at the same index. */
        private final int gen;
        /** FdRef's wake-up eventfd, watched to learn of a close that epoll does not report; or -1. */
        private final int closeFd;
        private volatile int interest;
        private volatile int readyEvents;
        private volatile Object attachment;          // swapped by attach through ATTACHMENT
        private volatile boolean valid = true;

        private Key(Sock sock, int index, int gen, int interest, Object attachment, int closeFd) {
            this.sock = sock;
            this.index = index;
            this.gen = gen;
            this.closeFd = closeFd;
            this.interest = interest;
            this.attachment = attachment;
        }

        /**
         * {@return the socket this key registers}
         *
         * {@snippet :
         * key.sock().accept()
         * }
         */
        public Sock sock() {
            return sock;
        }

        /**
         * {@return the events this key waits for}
         *
         * {@snippet :
         * key.interest() == PollEvents.IN   // ==> true for a listener
         * }
         */
        public int interest() {
            return interest;
        }

        /**
         * Changes the events this key waits for; epoll_ctl(2) {@code EPOLL_CTL_MOD}.
         *
         * {@snippet :
         * key.interest(PollEvents.IN | PollEvents.OUT);   // also wake when there is room to send
         * }
         *
         * @param events {@link PollEvents}; 0 to wait for nothing but errors and hang-ups
         * @return this key
         * @throws java.nio.channels.CancelledKeyException if the key was cancelled
         * @throws SockClosedException if the socket is closed
         * @throws IOException if epoll_ctl(2) fails
         * @throws IllegalArgumentException if {@code events} has bits poll(2) does not know
         */
        public Key interest(int events) throws IOException {
            PollEvents.check(events);
            synchronized (EpollSelector.this) {
                requireValid();
                if (!sock.isOpen()) {
                    // The key still holds the descriptor, so epoll_ctl would succeed on it.
                    throw new SockClosedException("interest: " + sock + " is closed");
                }
                ctl(LibC.EPOLL_CTL_MOD(), this, events);
                interest = events;
            }
            return this;
        }

        /**
         * {@return the events the last select found ready on this key} ({@code revents}); 0 if it
         * was not among the ready keys
         *
         * {@snippet :
         * (key.ready() & PollEvents.IN) != 0   // there is something to receive or accept
         * }
         */
        public int ready() {
            return readyEvents;
        }

        /**
         * {@return whether the last select found the socket ready to receive or accept}: {@link PollEvents#IN},
         * or an error or hang-up, which a receive reports
         *
         * {@snippet :
         * if (key.isReadable()) key.sock().recv(buf);
         * }
         */
        public boolean isReadable() {
            return (readyEvents & (PollEvents.IN | PollEvents.ERR | PollEvents.HUP | PollEvents.RDHUP)) != 0;
        }

        /**
         * {@return whether the last select found room to send}, or a non-blocking connect ended
         * ({@link PollEvents#OUT}), or an error
         *
         * {@snippet :
         * if (key.isWritable()) key.sock().send(pending);
         * }
         */
        public boolean isWritable() {
            return (readyEvents & (PollEvents.OUT | PollEvents.ERR | PollEvents.HUP)) != 0;
        }

        /**
         * {@return the attachment}, or null
         *
         * {@snippet :
         * var state = (MyConnection) key.attachment();
         * }
         */
        public Object attachment() {
            return attachment;
        }

        /**
         * Replaces the attachment, atomically: of two threads attaching at once, each gets back
         * the attachment it replaced.
         *
         * {@snippet :
         * key.attach(new StringBuilder());
         * }
         *
         * @param attachment the new attachment, or null
         * @return the previous attachment
         */
        public Object attach(Object attachment) {
            return ATTACHMENT.getAndSet(this, attachment);
        }

        /**
         * {@return whether the key is still registered}: neither cancelled, nor its socket or the
         * selector closed
         *
         * {@snippet :
         * key.isValid()   // ==> true until cancel()
         * }
         */
        public boolean isValid() {
            return valid && !closed && sock.isOpen();
        }

        /**
         * Removes the registration; epoll_ctl(2) {@code EPOLL_CTL_DEL}. Cancelling again does
         * nothing.
         *
         * {@snippet :
         * key.cancel();
         * key.isValid()   // ==> false
         * }
         */
        public void cancel() {
            synchronized (EpollSelector.this) {
                deregister(this);
            }
        }

        private void requireValid() {
            if (!valid || closed) {
                throw new java.nio.channels.CancelledKeyException();
            }
        }

        /** {@return the socket, the interest and the ready events, by name} */
        @Override
        public String toString() {
            return "Key[" + sock + ", interest " + PollEvents.toString(interest) + ", ready "
                    + PollEvents.toString(readyEvents) + (valid ? "" : ", cancelled") + "]";
        }
    }

    private EpollSelector(int epfd, int wakeFd) {
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        this.resources = new Resources(epfd, wakeFd, arena, ctlCapture);
        this.cleanable = Sock.CLEANER.register(this, resources);
    }

    /**
     * What a selector must give back, held apart from it so that the Cleaner can give it back
     * once the selector is unreachable: its two descriptors, its memory, and the holds its keys
     * have on their sockets' descriptors, by key index. The keys themselves are not kept here:
     * each refers to its selector, which would then never become unreachable.
     */
    private static final class Resources implements Runnable {
        private final int epfd;
        private final int wakeFd;
        private final Arena arena;
        private final MemorySegment capture;
        /** The held descriptors by key index; null where no key is. Guarded by this. */
        private FdRef[] held = new FdRef[16];

        Resources(int epfd, int wakeFd, Arena arena, MemorySegment capture) {
            this.epfd = epfd;
            this.wakeFd = wakeFd;
            this.arena = arena;
            this.capture = capture;
        }

        synchronized void hold(int index, FdRef ref) {
            if (index >= held.length) {
                held = java.util.Arrays.copyOf(held, Math.max(index + 1, held.length * 2));
            }
            held[index] = ref;
        }

        /** Releases the hold of the key at {@code index}, which close() of its socket may be waiting for. */
        synchronized void release(int index) {
            FdRef ref = held[index];
            held[index] = null;
            ref.release();
        }

        /**
         * Once, from close() or the Cleaner: releases the holds left (none after close(), which
         * deregisters every key first) and closes the descriptors and the memory.
         */
        @Override
        public synchronized void run() {
            for (int i = 0; i < held.length; i++) {
                if (held[i] != null) {
                    release(i);
                }
            }
            Syscalls.close(capture, wakeFd);
            Syscalls.close(capture, epfd);
            arena.close();
        }
    }

    /**
     * Opens a selector; epoll_create1(2) with {@code EPOLL_CLOEXEC}, and an eventfd(2) for
     * {@link #wakeup()}.
     *
     * {@snippet :
     * var sel = EpollSelector.open();
     * }
     *
     * @return the selector
     * @throws IOException if the kernel refuses, such as {@code EMFILE}
     */
    public static EpollSelector open() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(Syscalls.CAPTURE_LAYOUT);
            int ep = Syscalls.epollCreate1(capture, LibC.EPOLL_CLOEXEC());
            if (ep < 0) {
                throw Errors.of("epoll_create1", Syscalls.errno(capture), null);
            }
            int ev = Syscalls.eventfd(capture, 0, LibC.EFD_CLOEXEC() | LibC.EFD_NONBLOCK());
            if (ev < 0) {
                int errno = Syscalls.errno(capture);
                Syscalls.close(capture, ep);
                throw Errors.of("eventfd", errno, null);
            }
            MemorySegment e = a.allocate(16, 8);
            e.set(ValueLayout.JAVA_INT_UNALIGNED, 0, PollEvents.IN);
            e.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA, WAKE);
            if (Syscalls.epollCtl(capture, ep, LibC.EPOLL_CTL_ADD(), ev, e) < 0) {
                int errno = Syscalls.errno(capture);
                Syscalls.close(capture, ev);
                Syscalls.close(capture, ep);
                throw Errors.of("epoll_ctl(EPOLL_CTL_ADD, eventfd)", errno, null);
            }
            return new EpollSelector(ep, ev);
        }
    }

    /**
     * Registers a socket; epoll_ctl(2) {@code EPOLL_CTL_ADD}. A socket may be registered once with
     * a selector.
     *
     * {@snippet :
     * var key = sel.register(conn, PollEvents.IN, "connection 1");
     * }
     *
     * @param sock the socket
     * @param events the {@link PollEvents} to wait for
     * @param attachment any object to keep with the key, or null
     * @return the key
     * @throws SockClosedException if the socket is closed, before or during the call
     * @throws IOException if epoll_ctl(2) fails, such as {@code EEXIST} for a socket registered
     *         already, or (netlink) no eventfd(2) can be made to learn of the socket's close
     * @throws ClosedSelectorException if the selector is closed
     * @throws IllegalArgumentException if {@code events} has bits poll(2) does not know
     * @throws NullPointerException if {@code sock} is null
     */
    public Key register(Sock sock, int events, Object attachment) throws IOException {
        Objects.requireNonNull(sock, "sock");
        PollEvents.check(events);
        synchronized (this) {
            requireOpen();
            FdRef ref = sock.ref();
            if (!ref.acquire()) {
                throw new SockClosedException("register: " + sock + " is closed");
            }
            int closeFd = -1;
            if (!shutdownReportsClose(sock) && (closeFd = ref.wakeFd()) < 0) {
                ref.release();
                throw new SocketException("register: no eventfd could be made to learn of the close of " + sock
                        + " (is the process out of descriptors?)");
            }
            int index = freeIndex();
            Key key = new Key(sock, index, generation, events, attachment, closeFd);
            generation = (generation + 1) & Integer.MAX_VALUE;
            try {
                ctl(LibC.EPOLL_CTL_ADD(), key, events);
            } catch (IOException | RuntimeException e) {
                ref.release();
                freeSlot(index);
                throw e;
            }
            if (closeFd >= 0) {
                ctlEvent.set(ValueLayout.JAVA_INT_UNALIGNED, 0, PollEvents.IN);
                ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA, data(key) | CLOSE);
                if (Syscalls.epollCtl(ctlCapture, epfd, LibC.EPOLL_CTL_ADD(), closeFd, ctlEvent) < 0) {
                    int errno = Syscalls.errno(ctlCapture);
                    Syscalls.epollCtl(ctlCapture, epfd, LibC.EPOLL_CTL_DEL(), ref.fd(), MemorySegment.NULL);
                    ref.release();
                    freeSlot(index);
                    throw Errors.of("epoll_ctl(EPOLL_CTL_ADD, the close eventfd of fd " + ref.fd() + ")", errno, null);
                }
            }
            table[index] = key;
            count++;
            resources.hold(index, ref);
            if (ref.isClosed()) {
                // Closed by another thread since acquire: its close may have found no eventfd yet.
                deregister(key);
                throw new SockClosedException("register: " + sock + " was closed by another thread during the call");
            }
            return key;
        }
    }

    /**
     * Waits until at least one registered socket is ready, {@link #wakeup()} is called, or the
     * timeout passes; epoll_wait(2), retried with the time that remains after a signal.
     *
     * {@snippet :
     * while (true) {
     *     sel.select(java.time.Duration.ofSeconds(1));
     *     for (var key : sel.selectedKeys()) {
     *         // handle key.sock(), key.ready(), key.attachment()
     *     }
     * }
     * }
     *
     * @param timeout how long to wait at most; {@link Duration#ZERO} to look without waiting
     * @return how many keys are ready: the size of {@link #selectedKeys()}; 0 after a wakeup, a
     *         close from another thread, or the timeout, with none ready
     * @throws InterruptedIOException if the calling virtual thread was interrupted
     * @throws IOException if epoll_wait(2) fails
     * @throws ClosedSelectorException if the selector is closed
     * @throws IllegalArgumentException if the timeout is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public int select(Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("select timeout " + timeout + " is negative");
        }
        return select0(timeout.compareTo(LONGEST) >= 0 ? Long.MAX_VALUE : timeout.toNanos());
    }

    /**
     * Waits, with no time limit, until at least one registered socket is ready or
     * {@link #wakeup()} is called; epoll_wait(2).
     *
     * {@snippet :
     * sel.select();
     * }
     *
     * @return how many keys are ready; 0 after a wakeup, or a close from another thread, with none
     *         ready
     * @throws InterruptedIOException if the calling virtual thread was interrupted
     * @throws IOException if epoll_wait(2) fails
     * @throws ClosedSelectorException if the selector is closed
     */
    public int select() throws IOException {
        return select0(-1);
    }

    /**
     * {@return the keys the last select found ready}, in the order the kernel reported them; a
     * view that the next select refills, to be read by the selecting thread
     *
     * {@snippet :
     * sel.selectedKeys().forEach(k -> System.out.println(k));
     * }
     */
    public List<Key> selectedKeys() {
        return readyView;
    }

    /**
     * {@return the keys registered now}: a copy
     *
     * {@snippet :
     * sel.keys().size()   // how many sockets are registered
     * }
     */
    public synchronized List<Key> keys() {
        List<Key> all = new ArrayList<>(count);
        for (Key k : table) {
            if (k != null) {
                all.add(k);
            }
        }
        return all;
    }

    /**
     * Makes the select in progress return at once, or the next one if none is in progress;
     * write(2) to the selector's eventfd. Wakeups that no select has consumed yet count as one.
     * May be called from any thread; after {@link #close()} it does nothing.
     *
     * {@snippet :
     * Thread.ofVirtual().start(() -> sel.wakeup());
     * }
     *
     * @return this selector
     */
    public EpollSelector wakeup() {
        synchronized (this) {
            if (!closed) {
                ctlEvent.set(ValueLayout.JAVA_LONG, 0, 1L);
                Syscalls.write(ctlCapture, wakeFd, ctlEvent, 8);
            }
        }
        return this;
    }

    /**
     * {@return whether the selector is open}
     *
     * {@snippet :
     * EpollSelector.open().isOpen()   // ==> true
     * }
     */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes the selector: wakes a select in progress, which returns, waits for it to return,
     * cancels every key (releasing the sockets' descriptors, which stay open until their sockets
     * are closed), and closes the epoll and eventfd descriptors; close(2). A select waiting for
     * its turn, and every later one, throws {@link ClosedSelectorException}. Closing again does
     * nothing.
     *
     * {@snippet :
     * sel.close();
     * }
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            // Closed first, then woken: a select that takes the lock after the wake-up was
            // consumed must see the flag, or it would wait its full timeout, and close with it.
            closed = true;
            ctlEvent.set(ValueLayout.JAVA_LONG, 0, 1L);
            Syscalls.write(ctlCapture, wakeFd, ctlEvent, 8);
        }
        selectLock.lock();
        try {
            synchronized (this) {
                for (Key k : table) {
                    if (k != null) {
                        deregister(k);
                    }
                }
            }
            cleanable.clean();
        } finally {
            selectLock.unlock();
        }
    }

    /** {@return a description, such as {@code EpollSelector[epfd 9, 3 keys]}} */
    @Override
    public synchronized String toString() {
        return "EpollSelector[" + (closed ? "closed" : "epfd " + epfd + ", " + count + " keys") + "]";
    }

    // ------------------------------------------------------------------------------ internals

    private int select0(long timeout) throws IOException {
        selectLock.lock();
        try {
            requireOpen();
            clearReady();
            boolean virtual = Thread.currentThread().isVirtual();
            long deadline = timeout > 0 ? (System.nanoTime() + timeout) | 1 : 0;
            while (true) {
                int millis = virtual || timeout == 0 ? 0 : deadline == 0 ? -1 : Poll.millisLeft(deadline);
                int n = Syscalls.epollWait(selectCapture, epfd, events, BATCH, millis);
                if (n < 0) {
                    if (Syscalls.errno(selectCapture) != EINTR) {
                        throw Errors.of("epoll_wait", Syscalls.errno(selectCapture), null);
                    }
                    n = 0;
                }
                boolean woken = collect(n);
                if (!ready.isEmpty() || woken || closed || timeout == 0
                        || deadline != 0 && deadline - System.nanoTime() <= 0) {
                    return ready.size();
                }
                if (virtual) {
                    switch (Poller.await(null, epfd, false, deadline, selectCapture, poll)) {
                        case TIMEOUT -> {
                            return 0;
                        }
                        case INTERRUPTED -> throw new InterruptedIOException("select on " + this
                                + ": the virtual thread was interrupted while it waited; the interrupt status is kept");
                        case READY -> { }
                    }
                }
            }
        } finally {
            selectLock.unlock();
        }
    }

    /** Reads {@code n} events into the ready list; {@return whether the wake-up eventfd fired} */
    private boolean collect(int n) {
        boolean woken = false;
        for (int i = 0; i < n; i++) {
            long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EVENT + DATA);
            int revents = events.get(ValueLayout.JAVA_INT_UNALIGNED, i * EVENT);
            if (data == WAKE) {
                woken = true;
                Syscalls.read(selectCapture, wakeFd, poll, 8);
                continue;
            }
            Key key;
            synchronized (this) {
                int index = (int) data & Integer.MAX_VALUE;
                key = index < table.length ? table[index] : null;
                if (key != null && key.gen != (int) (data >>> 32)) {
                    key = null;             // the event of a key cancelled since: not this one's
                } else if (key != null && !key.sock.isOpen()) {
                    deregister(key);        // closed: let its descriptor go
                    key = null;
                } else if ((data & CLOSE) != 0) {
                    key = null;             // the close eventfd, of an open socket: not an event of it
                }
            }
            if (key != null) {
                key.readyEvents = revents;
                ready.add(key);
            }
        }
        return woken;
    }

    private void clearReady() {
        for (int i = 0, n = ready.size(); i < n; i++) {     // no iterator: select allocates nothing
            ready.get(i).readyEvents = 0;
        }
        ready.clear();
    }

    /** epoll_ctl on the key's socket, whose descriptor the key holds. Called under this. */
    private void ctl(int op, Key key, int events) throws IOException {
        ctlEvent.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA, data(key));
        FdRef ref = key.sock.ref();
        int r = Syscalls.epollCtl(ctlCapture, epfd, op, ref.fd(), ctlEvent);
        // Reachable until epoll_ctl returned: else the Cleaner might close epfd during it.
        Reference.reachabilityFence(this);
        if (r < 0) {
            if (ref.isClosed()) {
                throw new SockClosedException("epoll_ctl: " + key.sock + " is closed");
            }
            String name = op == LibC.EPOLL_CTL_ADD() ? "EPOLL_CTL_ADD" : "EPOLL_CTL_MOD";
            throw Errors.of("epoll_ctl(" + name + ", fd " + ref.fd() + ")", Syscalls.errno(ctlCapture), null);
        }
    }

    /**
     * {@return a key's epoll data}: its index and its generation. epoll_wait(2) may return an
     * event of a key that another thread cancels before the select looks it up, and a key
     * registered meanwhile may take the same index; the generation tells them apart.
     */
    private static long data(Key key) {
        return (long) key.gen << 32 | key.index;
    }

    /** Removes a key, once, and releases its socket's descriptor. Called under this. */
    private void deregister(Key key) {
        if (!key.valid) {
            return;
        }
        key.valid = false;
        Syscalls.epollCtl(ctlCapture, epfd, LibC.EPOLL_CTL_DEL(), key.sock.ref().fd(), MemorySegment.NULL);
        if (key.closeFd >= 0) {
            Syscalls.epollCtl(ctlCapture, epfd, LibC.EPOLL_CTL_DEL(), key.closeFd, MemorySegment.NULL);
        }
        table[key.index] = null;
        count--;
        freeSlot(key.index);
        resources.release(key.index);
    }

    /** Puts an index back on the free list. Called under this. */
    private void freeSlot(int index) {
        if (freeCount == free.length) {
            free = java.util.Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = index;
    }

    /**
     * Whether close(2) of the socket shows in epoll by itself. close() shuts a socket that a key
     * holds down (FdRef), and shutdown(2) makes a Unix, IPv4 or IPv6 socket report
     * {@code EPOLLHUP}; netlink and other families have no shutdown, so their keys also watch the
     * eventfd that FdRef signals on close.
     */
    private static boolean shutdownReportsClose(Sock sock) {
        Family f = sock.family();
        return f.equals(Family.UNIX) || f.equals(Family.INET) || f.equals(Family.INET6);
    }

    private int freeIndex() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (next == table.length) {
            table = java.util.Arrays.copyOf(table, next * 2);
        }
        return next++;
    }

    private void requireOpen() {
        if (closed) {
            throw new ClosedSelectorException();
        }
    }
}
