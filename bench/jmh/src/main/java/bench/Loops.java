package bench;

import io.github.panamasockets.Sock;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The loops that the per-call benchmarks time, shared by {@link CallCost} (system calls) and
 * {@link EmptyCall} (empty C functions): each makes {@code calls} calls, checks each as the
 * library does, and returns the sum of the results. The raw loops take their downcall handle as
 * an argument; called with a static final handle, the JIT inlines the loop, and the handle is a
 * constant in it again.
 */
final class Loops {
    private Loops() {}

    /** getsockopt(SOL_SOCKET, SO_TYPE) through {@link Sock#getInt}. */
    static long getInts(Sock s, int calls) throws IOException {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += s.getInt(Raw.SOL_SOCKET, Raw.SO_TYPE);
        }
        return sum;
    }

    /** The same getsockopt through {@code h}, of the type of {@link Raw#GETSOCKOPT_ERRNO}. */
    static long getsockopts(MethodHandle h, int calls, MemorySegment capture, int fd, MemorySegment value,
                            MemorySegment len) throws Throwable {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            len.set(ValueLayout.JAVA_INT, 0, 4);
            if ((int) h.invokeExact(capture, fd, Raw.SOL_SOCKET, Raw.SO_TYPE, value, len) < 0) {
                throw new IOException("getsockopt: errno " + Raw.errno(capture));
            }
            sum += value.get(ValueLayout.JAVA_INT, 0);
        }
        return sum;
    }

    /** One byte at a time through {@link Sock#send(MemorySegment)}. */
    static long sends(Sock s, MemorySegment one, int calls) throws IOException {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += s.send(one);
        }
        return sum;
    }

    /** One byte sent on {@code from} and received on {@code to}, {@code calls} times. */
    static long sendRecvs(Sock from, Sock to, MemorySegment one, int calls) throws IOException {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            from.send(one);
            sum += to.recv(one);
        }
        return sum;
    }

    /** One byte at a time through {@link Sock#recv(MemorySegment)}. */
    static long recvs(Sock s, MemorySegment one, int calls) throws IOException {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += s.recv(one);
        }
        return sum;
    }

    /** One byte at a time through {@code h}, send or recv with errno capture, with {@code flags}. */
    static long sendsOrRecvs(MethodHandle h, int calls, MemorySegment capture, int fd, MemorySegment one, int flags)
            throws Throwable {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            long n = (long) h.invokeExact(capture, fd, one, 1L, flags);
            if (n < 0) {
                throw new IOException("send or recv: errno " + Raw.errno(capture));
            }
            sum += n;
        }
        return sum;
    }
}
