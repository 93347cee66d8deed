package bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C functions the library calls, linked here a second time the way the library links them
 * (captureCallState("errno"), static final handles, invokeExact), so that a benchmark can call the
 * same downcall with nothing around it. Also the calls the drivers need that the library does not
 * offer: thread affinity.
 */
public final class Raw {
    private Raw() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));

    public static final int SOL_SOCKET = 1;
    public static final int SO_TYPE = 3;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int EAGAIN = 11;
    /** struct msghdr on x86-64 Linux: its size, and the offsets of the fields set here. */
    public static final long MSGHDR_SIZE = 56;
    public static final long MSG_NAME = 0;
    public static final long MSG_NAMELEN = 8;
    public static final long MSG_IOV = 16;
    public static final long MSG_IOVLEN = 24;

    private static MethodHandle link(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), d, options);
    }

    /** send(2) and recv(2): ssize_t (int, void *, size_t, int). */
    static final FunctionDescriptor SEND_RECV = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    /** getsockopt(2): int (int, int, int, void *, socklen_t *). */
    static final FunctionDescriptor GETSOCKOPT = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);

    static final MethodHandle SEND = link("send", SEND_RECV, ERRNO);
    static final MethodHandle RECV = link("recv", SEND_RECV, ERRNO);
    static final MethodHandle GETSOCKOPT_ERRNO = link("getsockopt", GETSOCKOPT, ERRNO);
    /**
     * Linked critical, as the library links the calls that cannot block (getsockopt, and sends and
     * receives with MSG_DONTWAIT).
     */
    static final Linker.Option CRITICAL = Linker.Option.critical(true);
    static final MethodHandle GETSOCKOPT_NOW = link("getsockopt", GETSOCKOPT, ERRNO, CRITICAL);
    static final MethodHandle RECV_NOW = link("recv", SEND_RECV, ERRNO, CRITICAL);
    static final MethodHandle SEND_NOW = link("send", SEND_RECV, ERRNO, CRITICAL);
    /** sendto(2): ssize_t (int, void *, size_t, int, struct sockaddr *, socklen_t). */
    static final MethodHandle SENDTO = link("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    /**
     * sendto(2) linked critical, as the library links the sends that cannot block (with
     * MSG_DONTWAIT): those on Unix datagram and seqpacket sockets.
     */
    static final MethodHandle SENDTO_NOW = link("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO, CRITICAL);
    /** recvfrom(2): ssize_t (int, void *, size_t, int, struct sockaddr *, socklen_t *). */
    static final MethodHandle RECVFROM = link("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS), ERRNO);
    /** recvmsg(2), ssize_t (int, struct msghdr *, int), linked critical as for MSG_DONTWAIT. */
    static final MethodHandle RECVMSG_NOW = link("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO, CRITICAL);
    private static final MethodHandle SCHED_SETAFFINITY = link("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    /** {@return a new errno capture segment} */
    public static MemorySegment capture(Arena arena) {
        return arena.allocate(Linker.Option.captureStateLayout());
    }

    /** {@return the errno a call left in {@code capture}} */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO_VALUE.get(capture, 0L);
    }

    /** send(2), as the library calls it. */
    public static long send(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) SEND.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** recv(2), as the library calls it. */
    public static long recv(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** sendto(2), linked as the library links its blocking calls. */
    public static long sendto(MemorySegment capture, int fd, MemorySegment buf, long len, int flags,
                              MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO.invokeExact(capture, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** sendto(2) with MSG_DONTWAIT, linked critical as the library links it. */
    public static long sendtoNow(MemorySegment capture, int fd, MemorySegment buf, long len, int flags,
                                 MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO_NOW.invokeExact(capture, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** recvfrom(2), linked as the library links its blocking calls. */
    public static long recvfrom(MemorySegment capture, int fd, MemorySegment buf, long len, int flags,
                                MemorySegment addr, MemorySegment addrLen) {
        try {
            return (long) RECVFROM.invokeExact(capture, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** send(2) with MSG_DONTWAIT, linked critical as the library links it. */
    public static long sendNow(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) SEND_NOW.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** recv(2) with MSG_DONTWAIT, linked critical as the library links it. */
    public static long recvNow(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV_NOW.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** recvmsg(2) with MSG_DONTWAIT, linked critical as the library links it. */
    public static long recvmsgNow(MemorySegment capture, int fd, MemorySegment msg, int flags) {
        try {
            return (long) RECVMSG_NOW.invokeExact(capture, fd, msg, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Keeps the calling thread on one CPU: sched_setaffinity(0, ...). */
    public static void pinTo(int cpu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int rc = (int) SCHED_SETAFFINITY.invokeExact(0, mask.byteSize(), mask);
            if (rc != 0) {
                throw new IllegalStateException("sched_setaffinity(CPU " + cpu + ") failed");
            }
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }
}
