package io.github.panamasockets;

import io.github.panamasockets.internal.gen.iovec;
import io.github.panamasockets.internal.gen.msghdr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The data side of sendmsg and recvmsg for one direction of a socket: the iovecs over the caller's
 * buffers, which may be byte arrays, ByteBuffers or memory segments, mixed. Native memory (direct
 * buffers, native segments) is pointed at in place; heap memory goes through the direction's
 * bounce buffer, each heap buffer owning a part of it in order. Used under the direction's lock.
 *
 * <p>Nothing here allocates on the Java heap once its arrays have grown to the number of buffers
 * used: a direct ByteBuffer's memory segment, the only way to its address, is made the first time
 * the buffer is seen in a position and kept while the same buffer keeps coming back there.
 *
 * <p>The buffers are copied from the caller's array when the call starts ({@link #hold}), so they
 * stay reachable, and their memory valid, until it returns ({@link #unhold}). A caller that moves
 * a buffer's position during the call gets an exception from a bounds check or a short transfer,
 * never a transfer outside the memory described.
 */
final class MsgBuffers {

    /** sizeof(struct msghdr): it starts the scratch, and the iovecs follow it. */
    static final long MSGHDR = msghdr.layout().byteSize();
    /** sizeof(struct iovec). */
    static final long IOVEC = iovec.layout().byteSize();
    /** UIO_MAXIOV (linux/uio.h): the kernel refuses more iovecs with EMSGSIZE. */
    static final int MAX_IOV = 1024;
    private static final long BASE = iovec.iov_base$offset();
    private static final long LEN = iovec.iov_len$offset();

    static {
        if (ValueLayout.ADDRESS.byteSize() != Long.BYTES) {
            throw new ExceptionInInitializerError("iov_base is written as a 64-bit word; this platform has "
                    + ValueLayout.ADDRESS.byteSize() + "-byte pointers");
        }
    }

    /** The buffers of the call in progress, the first {@code holding} of them. */
    private Object[] held = new Object[0];
    private int holding;
    /** The direct ByteBuffer last seen in each position, and its whole memory as a segment. */
    private Object[] seen = new Object[0];
    private MemorySegment[] seenMemory = new MemorySegment[0];

    /**
     * Copies the caller's buffers for the call that starts, checking first that the kernel takes
     * that many.
     */
    Object[] hold(String call, Object[] buffers) {
        int count = buffers.length;
        if (count > MAX_IOV) {
            throw new IllegalArgumentException(call + " with " + count + " buffers; the kernel takes at most "
                    + MAX_IOV + " (UIO_MAXIOV)");
        }
        if (held.length < count) {
            int n = Math.max(count, 2 * held.length);
            held = new Object[n];
            seen = Arrays.copyOf(seen, n);
            seenMemory = Arrays.copyOf(seenMemory, n);
        }
        System.arraycopy(buffers, 0, held, 0, count);
        holding = count;
        return held;
    }

    /** Drops the buffers of the call that ended. The direct ones seen stay, to be known next time. */
    void unhold() {
        Arrays.fill(held, 0, holding, null);
        holding = 0;
    }

    /**
     * Checks the buffers held and returns how many bytes of them are on the heap: the bounce
     * buffer's size.
     *
     * @param receiving whether the buffers are written (read-only ones are refused)
     */
    long check(String call, int count, boolean receiving) {
        long heap = 0;
        for (int i = 0; i < count; i++) {
            switch (held[i]) {
                case null -> throw new NullPointerException(call + ": a buffer is null (buffer " + i + ")");
                case byte[] a -> heap += a.length;
                case ByteBuffer b -> {
                    if (receiving && b.isReadOnly()) {
                        throw new IllegalArgumentException(call + " into a read-only buffer (buffer " + i + "): " + b);
                    }
                    heap += b.isDirect() ? 0 : b.remaining();
                }
                case MemorySegment s -> {
                    if (receiving && s.isReadOnly()) {
                        throw new IllegalArgumentException(call + " into a read-only segment (buffer " + i + "): " + s);
                    }
                    if (!s.scope().isAlive()) {
                        throw new IllegalStateException(call + ": buffer " + i + " belongs to a closed arena");
                    }
                    if (!s.isAccessibleBy(Thread.currentThread())) {
                        throw new WrongThreadException(call + ": buffer " + i + " is confined to another thread");
                    }
                    heap += s.isNative() ? 0 : s.byteSize();
                }
                default -> throw new IllegalArgumentException(call + ": buffer " + i + " is a "
                        + held[i].getClass().getName() + ", not a byte[], ByteBuffer or MemorySegment");
            }
        }
        return heap;
    }

    /**
     * Clears the msghdr {@code msg} and points it at the {@code count} iovecs that follow it in
     * {@code aux}.
     */
    static void header(MemorySegment msg, MemorySegment aux, int count) {
        msg.fill((byte) 0);
        msg.set(ValueLayout.JAVA_LONG, msghdr.msg_iov$offset(), aux.address() + MSGHDR);
        msghdr.msg_iovlen(msg, count);
    }

    /**
     * Writes {@code count} iovecs into {@code aux} after its msghdr, pointing at the buffers held,
     * in place or at their part of {@code bounce}; when sending, copies the heap bytes into it.
     */
    void point(MemorySegment aux, int count, MemorySegment bounce, boolean copyIn) {
        long at = 0;
        for (int i = 0; i < count; i++) {
            long address;
            long length;
            switch (held[i]) {
                case byte[] a -> {
                    length = a.length;
                    address = bounce.address() + at;
                    if (copyIn) {
                        MemorySegment.copy(a, 0, bounce, ValueLayout.JAVA_BYTE, at, a.length);
                    }
                    at += length;
                }
                case ByteBuffer b when b.isDirect() -> {
                    MemorySegment memory = memory(i, b);
                    int position = b.position();
                    int limit = b.limit();              // at most the capacity, which memory spans
                    if (!memory.scope().isAlive()) {
                        throw new IllegalStateException("buffer " + i + " belongs to a closed arena");
                    }
                    address = memory.address() + position;
                    length = Math.max(0, limit - position);
                }
                case ByteBuffer b -> {
                    length = b.remaining();
                    address = bounce.address() + at;
                    if (copyIn && b.hasArray()) {
                        MemorySegment.copy(b.array(), b.arrayOffset() + b.position(), bounce, ValueLayout.JAVA_BYTE, at,
                                (int) length);
                    } else if (copyIn) {        // read-only: no array to reach
                        MemorySegment.copy(MemorySegment.ofBuffer(b), 0, bounce, at, length);
                    }
                    at += length;
                }
                case MemorySegment s when s.isNative() -> {
                    address = s.address();
                    length = s.byteSize();
                }
                case MemorySegment s -> {
                    length = s.byteSize();
                    address = bounce.address() + at;
                    if (copyIn) {
                        MemorySegment.copy(s, 0, bounce, at, length);
                    }
                    at += length;
                }
                default -> throw new AssertionError(held[i]);
            }
            if (at > bounce.byteSize()) {
                throw new IllegalStateException("buffer " + i + " grew during the call");
            }
            aux.set(ValueLayout.JAVA_LONG, MSGHDR + i * IOVEC + BASE, address);
            aux.set(ValueLayout.JAVA_LONG, MSGHDR + i * IOVEC + LEN, length);
        }
    }

    /** {@return the bytes the {@code count} iovecs in {@code aux} describe} */
    static long length(MemorySegment aux, int count) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += aux.get(ValueLayout.JAVA_LONG, MSGHDR + i * IOVEC + LEN);
        }
        return total;
    }

    /**
     * Points the msghdr {@code msg} past the first {@code done} bytes of the iovecs that
     * {@link #point} wrote, fewer than they describe: to go on receiving where a call stopped. The
     * iovec where it stopped is changed in place, so {@link #point} must write them again first.
     */
    static void skip(MemorySegment msg, MemorySegment aux, int count, long done) {
        int first = 0;
        long left = done;
        while (first < count - 1) {
            long len = aux.get(ValueLayout.JAVA_LONG, MSGHDR + first * IOVEC + LEN);
            if (left < len) {
                break;
            }
            left -= len;
            first++;
        }
        long at = MSGHDR + first * IOVEC;
        aux.set(ValueLayout.JAVA_LONG, at + BASE, aux.get(ValueLayout.JAVA_LONG, at + BASE) + left);
        aux.set(ValueLayout.JAVA_LONG, at + LEN, aux.get(ValueLayout.JAVA_LONG, at + LEN) - left);
        msg.set(ValueLayout.JAVA_LONG, msghdr.msg_iov$offset(), aux.address() + at);
        msghdr.msg_iovlen(msg, count - first);
    }

    /** The whole memory of the direct buffer in position {@code i}, from its index 0 to its capacity. */
    private MemorySegment memory(int i, ByteBuffer b) {
        if (seen[i] != b) {
            seenMemory[i] = MemorySegment.ofBuffer(b.duplicate().clear());
            seen[i] = b;
        }
        return seenMemory[i];
    }

    /**
     * After a receive of {@code n} bytes: copies each heap buffer's part out of {@code bounce} and
     * moves ByteBuffer positions past what each received. {@code n} may exceed the buffers (a
     * datagram's real length with MSG_TRUNC); only what they hold is copied.
     */
    void scatter(int count, MemorySegment bounce, long n) {
        long at = 0;
        long left = n;
        for (int i = 0; i < count; i++) {
            switch (held[i]) {
                case byte[] a -> {
                    int k = (int) Math.min(left, a.length);
                    MemorySegment.copy(bounce, ValueLayout.JAVA_BYTE, at, a, 0, k);
                    at += a.length;
                    left -= k;
                }
                case ByteBuffer b -> {
                    int k = (int) Math.min(left, b.remaining());
                    if (!b.isDirect()) {      // writable, so it has an array
                        MemorySegment.copy(bounce, ValueLayout.JAVA_BYTE, at, b.array(), b.arrayOffset() + b.position(), k);
                        at += b.remaining();
                    }
                    b.position(b.position() + k);
                    left -= k;
                }
                case MemorySegment s -> {
                    long k = Math.min(left, s.byteSize());
                    if (!s.isNative()) {
                        MemorySegment.copy(bounce, at, s, 0, k);
                        at += s.byteSize();
                    }
                    left -= k;
                }
                default -> throw new AssertionError(held[i]);
            }
        }
    }

    /** After a send of {@code n} bytes: moves ByteBuffer positions past what was sent from each. */
    void advance(int count, long n) {
        long left = n;
        for (int i = 0; i < count && left > 0; i++) {
            switch (held[i]) {
                case byte[] a -> left -= Math.min(left, a.length);
                case ByteBuffer b -> {
                    int k = (int) Math.min(left, b.remaining());
                    b.position(b.position() + k);
                    left -= k;
                }
                case MemorySegment s -> left -= Math.min(left, s.byteSize());
                default -> throw new AssertionError(held[i]);
            }
        }
    }
}
