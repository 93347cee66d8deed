package io.github.panamasockets.internal.sys;

import io.github.panamasockets.internal.gen.LibC;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The system calls, linked with errno capture.
 *
 * <p>jextract's generated wrappers call the C functions but lose {@code errno}. Here each function
 * is linked again, from the symbol and descriptor jextract generated, with
 * {@link Linker.Option#captureCallState captureCallState("errno")}. The handles are
 * {@code static final} and invoked with {@code invokeExact}, so the JIT inlines them.
 *
 * <p>Every method takes the capture segment first: a {@link #CAPTURE_LAYOUT}-sized segment that
 * the caller owns and reuses, and from which {@link #errno(MemorySegment)} reads the value the
 * call left. They return the C result unchanged: -1 means failure, and errno says why.
 */
public final class Syscalls {
    private Syscalls() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** The layout of the segment that receives errno. */
    public static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static MethodHandle link(MemorySegment symbol, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    private static final MethodHandle SOCKET = link(LibC.socket$address(), LibC.socket$descriptor());
    private static final MethodHandle BIND = link(LibC.bind$address(), LibC.bind$descriptor());
    private static final MethodHandle GETSOCKNAME = link(LibC.getsockname$address(), LibC.getsockname$descriptor());
    private static final MethodHandle SETSOCKOPT = link(LibC.setsockopt$address(), LibC.setsockopt$descriptor());
    private static final MethodHandle CLOSE = link(LibC.close$address(), LibC.close$descriptor());

    /**
     * {@return the errno a call left in {@code capture}}
     *
     * @param capture the segment passed to the call
     */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall failed", t);
    }

    /**
     * socket(2).
     *
     * @param capture errno capture segment
     * @param domain address family
     * @param type socket type and flags
     * @param protocol protocol
     * @return the fd, or -1
     */
    public static int socket(MemorySegment capture, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(capture, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * bind(2).
     *
     * @param capture errno capture segment
     * @param fd the socket
     * @param addr the encoded address
     * @param len its length
     * @return 0, or -1
     */
    public static int bind(MemorySegment capture, int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(capture, fd, addr, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * getsockname(2).
     *
     * @param capture errno capture segment
     * @param fd the socket
     * @param addr where the address goes
     * @param lenInOut a socklen_t: the buffer size in, the address length out
     * @return 0, or -1
     */
    public static int getsockname(MemorySegment capture, int fd, MemorySegment addr, MemorySegment lenInOut) {
        try {
            return (int) GETSOCKNAME.invokeExact(capture, fd, addr, lenInOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * setsockopt(2).
     *
     * @param capture errno capture segment
     * @param fd the socket
     * @param level the option level
     * @param name the option name
     * @param value the option value
     * @param len the value's length
     * @return 0, or -1
     */
    public static int setsockopt(MemorySegment capture, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(capture, fd, level, name, value, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * close(2).
     *
     * @param capture errno capture segment
     * @param fd the fd
     * @return 0, or -1
     */
    public static int close(MemorySegment capture, int fd) {
        try {
            return (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
