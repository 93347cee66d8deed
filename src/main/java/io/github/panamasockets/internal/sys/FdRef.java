package io.github.panamasockets.internal.sys;

import io.github.panamasockets.internal.gen.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An owned file descriptor that is never used after it is closed, and whose number is never
 * reused while a call is still running on it.
 *
 * <h2>Why</h2>
 * A descriptor number is reused by the kernel as soon as it is closed. If thread A is about to call
 * {@code recv(5)} while thread B closes 5 and thread C opens a file that gets number 5, A reads C's
 * file. So the number must outlive every call that uses it.
 *
 * <h2>How</h2>
 * One int of state holds a CLOSED bit, a bit for each {@linkplain #READ direction} of calls, and
 * the count of other calls in flight. A call {@link #acquire()}s (count + 1, refused once CLOSED is
 * set), uses {@link #fd()}, and {@link #release()}s. A socket's receives, sends and control calls
 * each use scratch memory of their own, one call at a time: such a call {@link #enter(int)}s its
 * direction instead, which both claims the direction and counts the call in, in one
 * compare-and-set, and {@link #exit(int)}s with one atomic add. Only a call that finds its
 * direction taken waits, on a lock and condition that the uncontended path never touches. {@link
 * #close()} sets CLOSED; if no call is in flight it closes the descriptor at once. Otherwise it
 * wakes the calls that are blocked, by {@code shutdown(SHUT_RDWR)} (which ends blocking accept,
 * recv and send on the socket itself) and by signalling a wake-up eventfd (which ends the
 * {@code poll(2)} waits the library uses where shutdown wakes nothing, as for netlink), and it
 * unparks the virtual threads that {@link Poller} holds for this descriptor. The last
 * call to release then closes the descriptor. Between CLOSED and the real close the number stays
 * allocated to this socket, so nothing else can take it.
 */
public final class FdRef {
    private static final int CLOSED = 1 << 31;
    /** The direction of receives (and accept): one such call at a time. */
    public static final int READ = 1 << 30;
    /** The direction of sends (and connect). */
    public static final int WRITE = 1 << 29;
    /** The direction of the other calls: options, names, bind, listen, shutdown. */
    public static final int CONTROL = 1 << 28;
    /**
     * Set for good by {@link #confine()}: the owner's calls no longer enter directions, and no
     * other thread may.
     */
    private static final int CONFINED = 1 << 27;
    private static final int MAX_COUNT = CONFINED - 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdRef.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** The eventfd that wakes poll waiters on close; -1 until first needed. Guarded by this. */
    private int wakeFd = -1;
    /** For close(2) and the eventfd: used by one thread at a time, under this object's lock. */
    private final MemorySegment scratch = Arena.ofAuto().allocate(64);
    private final MemorySegment capture = Arena.ofAuto().allocate(Syscalls.CAPTURE_LAYOUT);
    private final boolean shutdownWakes;
    /** How many calls wait for a direction; those calls wait on {@link #free}. */
    private volatile int waiting;
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition free = waitLock.newCondition();

    /**
     * Takes ownership of a descriptor.
     *
     * @param fd the descriptor, 0 or more
     * @param shutdownWakes whether shutdown(2) wakes calls blocked on it (false for netlink)
     */
    public FdRef(int fd, boolean shutdownWakes) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative");
        }
        this.fd = fd;
        this.shutdownWakes = shutdownWakes;
    }

    /** {@return the descriptor number; valid between acquire and release} */
    public int fd() {
        return fd;
    }

    /** {@return whether close has been called} */
    public boolean isClosed() {
        return ((int) STATE.getVolatile(this) & CLOSED) != 0;
    }

    /** {@return true if the descriptor may be used until release, false if it is closed} */
    public boolean acquire() {
        int s;
        do {
            s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return false;
            }
            if ((s & MAX_COUNT) == MAX_COUNT) {
                throw new IllegalStateException("fd " + fd + " has " + MAX_COUNT + " calls in flight, the most it counts");
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
        return true;
    }

    /**
     * Claims a direction for one call, and counts the call in: waits while another call holds the
     * direction (without regard to interrupts, as a monitor does).
     *
     * @param direction {@link #READ}, {@link #WRITE} or {@link #CONTROL}
     * @return true if the call may use the descriptor until {@link #exit(int)}, false if it is closed
     */
    public boolean enter(int direction) {
        int s = (int) STATE.getVolatile(this);
        if ((s & (CLOSED | CONFINED | direction)) == 0 && STATE.compareAndSet(this, s, s | direction)) {
            return true;
        }
        return enterSlow(direction);
    }

    private boolean enterSlow(int direction) {
        int claimed = claim(direction);
        if (claimed >= 0) {
            return claimed == 1;
        }
        waitLock.lock();
        try {
            // Counted in before looking again: an exit that clears the bit after this look sees
            // the count and signals (both are volatile, so one of the two sees the other).
            waiting++;
            try {
                while ((claimed = claim(direction)) < 0) {
                    free.awaitUninterruptibly();
                }
                return claimed == 1;
            } finally {
                waiting--;
            }
        } finally {
            waitLock.unlock();
        }
    }

    /**
     * Tries to claim a direction, again while the compare-and-set loses only to changes of other
     * bits: {@return 1 if the call now holds it, 0 if the descriptor is closed, -1 if another call
     * holds it}
     */
    private int claim(int direction) {
        while (true) {
            int s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return 0;
            }
            if ((s & CONFINED) != 0) {
                throw new WrongThreadException("fd " + fd + " is confined to another thread");
            }
            if ((s & direction) != 0) {
                return -1;
            }
            if (STATE.compareAndSet(this, s, s | direction)) {
                return 1;
            }
        }
    }

    /**
     * Ends a call begun by a successful {@link #enter(int)}: frees the direction for the next
     * call; the last call out after close closes.
     *
     * @param direction the direction entered
     */
    public void exit(int direction) {
        int s = (int) STATE.getAndAdd(this, -direction) - direction;
        if ((s & ~CONFINED) == CLOSED) {
            closeNow();
        }
        if (waiting != 0) {
            signalWaiting();
        }
    }

    private void signalWaiting() {
        waitLock.lock();
        try {
            free.signalAll();
        } finally {
            waitLock.unlock();
        }
    }

    /** Ends a call begun by a successful {@link #acquire()}; the last one after close closes. */
    public void release() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if ((s & ~CONFINED) == CLOSED) {
            closeNow();
        }
    }

    /**
     * Marks the descriptor as used by one thread only, for good: that thread's calls then skip
     * {@link #enter(int)} and {@link #exit(int)} (they cannot overlap each other, and only that
     * thread may close), while calls of any other thread that try to enter a direction throw
     * {@link WrongThreadException}. {@link #acquire()} still works from any thread.
     *
     * @throws IllegalStateException if a call of any direction is in flight, or it is confined already
     * @return false if it is closed
     */
    public boolean confine() {
        while (true) {
            int s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return false;
            }
            if ((s & CONFINED) != 0) {
                throw new IllegalStateException("fd " + fd + " is already confined");
            }
            if ((s & (READ | WRITE | CONTROL)) != 0) {
                throw new IllegalStateException("fd " + fd + " has calls in flight in other threads");
            }
            if (STATE.compareAndSet(this, s, s | CONFINED)) {
                return true;
            }
        }
    }

    /**
     * Closes: at once if no call is in flight, else after the last one, which this wakes.
     *
     * @return false if it was already closed
     */
    public boolean close() {
        int s;
        do {
            s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSED));
        if ((s & ~CONFINED) == 0) {
            closeNow();
        } else {
            wake();
        }
        if (waiting != 0) {
            signalWaiting();      // the calls waiting for a direction fail now, not when it frees
        }
        return true;
    }

    /**
     * Gives the descriptor up to another owner without closing it: from now on it is closed as far
     * as this object is concerned, and the wake-up eventfd made for it is closed.
     *
     * @throws IllegalStateException if a call is in flight or it was already closed
     */
    public synchronized void handOver() {
        int s = (int) STATE.getVolatile(this);
        if ((s & ~CONFINED) != 0 || !STATE.compareAndSet(this, s, s | CLOSED)) {
            throw new IllegalStateException("fd " + fd + " is " + (isClosed() ? "closed" : "in use"));
        }
        if (wakeFd >= 0) {
            Syscalls.close(capture, wakeFd);
            wakeFd = -1;
        }
    }

    private synchronized void wake() {
        // Still allocated to us while a call is in flight: the last one out needs this monitor to
        // close it. If the calls have all left since close() looked, the number is closed (or
        // about to be) and may already be another file's: touch nothing.
        if (((int) STATE.getVolatile(this) & ~(CLOSED | CONFINED)) == 0) {
            return;
        }
        if (shutdownWakes) {
            Syscalls.shutdown(capture, fd, LibC.SHUT_RDWR());
        }
        if (wakeFd >= 0) {
            scratch.set(ValueLayout.JAVA_LONG, 0, 1L);
            Syscalls.write(capture, wakeFd, scratch, 8);
        }
        Poller.wake(fd);
    }

    private synchronized void closeNow() {
        Syscalls.close(capture, fd);
        if (wakeFd >= 0) {
            Syscalls.close(capture, wakeFd);
            wakeFd = -1;
        }
    }

    /**
     * {@return the eventfd that becomes readable when this descriptor is closed}, made on first use;
     * -1 if it could not be made (the caller then polls with a short timeout). Call between acquire
     * and release.
     */
    public synchronized int wakeFd() {
        if (wakeFd < 0) {
            wakeFd = Syscalls.eventfd(capture, 0, LibC.EFD_CLOEXEC() | LibC.EFD_NONBLOCK());
        }
        return wakeFd;
    }

    /** Closes the descriptor of an object that became unreachable without being closed. */
    public void closeUnreachable() {
        close();
    }
}
