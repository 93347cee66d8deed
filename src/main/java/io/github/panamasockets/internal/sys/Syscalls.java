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

    /**
     * For calls that cannot block: the thread stays in the Java state (no transition to native and
     * back, 15 to 20 ns less per call), and may pass heap memory straight to the kernel. The price
     * is that the garbage collector waits for the call to return, so only calls that return at
     * once may be linked so: MSG_DONTWAIT sends and receives, getsockopt, getsockname, fcntl,
     * poll(2) with a zero timeout.
     */
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    private static MethodHandle link(MemorySegment symbol, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    private static MethodHandle linkCritical(MemorySegment symbol, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO, CRITICAL);
    }

    private static final MethodHandle SOCKET = link(LibC.socket$address(), LibC.socket$descriptor());
    private static final MethodHandle SOCKETPAIR = link(LibC.socketpair$address(), LibC.socketpair$descriptor());
    private static final MethodHandle BIND = link(LibC.bind$address(), LibC.bind$descriptor());
    private static final MethodHandle LISTEN = link(LibC.listen$address(), LibC.listen$descriptor());
    private static final MethodHandle ACCEPT4 = link(LibC.accept4$address(), LibC.accept4$descriptor());
    private static final MethodHandle CONNECT = link(LibC.connect$address(), LibC.connect$descriptor());
    private static final MethodHandle GETSOCKNAME = linkCritical(LibC.getsockname$address(), LibC.getsockname$descriptor());
    private static final MethodHandle GETPEERNAME = linkCritical(LibC.getpeername$address(), LibC.getpeername$descriptor());
    private static final MethodHandle SHUTDOWN = link(LibC.shutdown$address(), LibC.shutdown$descriptor());
    private static final MethodHandle SEND = link(LibC.send$address(), LibC.send$descriptor());
    private static final MethodHandle RECV = link(LibC.recv$address(), LibC.recv$descriptor());
    private static final MethodHandle SENDTO = link(LibC.sendto$address(), LibC.sendto$descriptor());
    private static final MethodHandle RECVFROM = link(LibC.recvfrom$address(), LibC.recvfrom$descriptor());
    private static final MethodHandle SENDMSG = link(LibC.sendmsg$address(), LibC.sendmsg$descriptor());
    private static final MethodHandle RECVMSG = link(LibC.recvmsg$address(), LibC.recvmsg$descriptor());
    private static final MethodHandle SEND_NOW = linkCritical(LibC.send$address(), LibC.send$descriptor());
    private static final MethodHandle RECV_NOW = linkCritical(LibC.recv$address(), LibC.recv$descriptor());
    private static final MethodHandle SENDTO_NOW = linkCritical(LibC.sendto$address(), LibC.sendto$descriptor());
    private static final MethodHandle RECVFROM_NOW = linkCritical(LibC.recvfrom$address(), LibC.recvfrom$descriptor());
    private static final MethodHandle SENDMSG_NOW = linkCritical(LibC.sendmsg$address(), LibC.sendmsg$descriptor());
    private static final MethodHandle RECVMSG_NOW = linkCritical(LibC.recvmsg$address(), LibC.recvmsg$descriptor());
    private static final MethodHandle POLL_NOW = linkCritical(LibC.poll$address(), LibC.poll$descriptor());
    private static final MethodHandle SETSOCKOPT = link(LibC.setsockopt$address(), LibC.setsockopt$descriptor());
    private static final MethodHandle GETSOCKOPT = linkCritical(LibC.getsockopt$address(), LibC.getsockopt$descriptor());
    private static final MethodHandle CLOSE = link(LibC.close$address(), LibC.close$descriptor());
    private static final MethodHandle POLL = link(LibC.poll$address(), LibC.poll$descriptor());
    private static final MethodHandle EVENTFD = link(LibC.eventfd$address(), LibC.eventfd$descriptor());
    private static final MethodHandle READ = link(LibC.read$address(), LibC.read$descriptor());
    private static final MethodHandle WRITE = link(LibC.write$address(), LibC.write$descriptor());
    private static final MethodHandle PIPE2 = link(LibC.pipe2$address(), LibC.pipe2$descriptor());
    private static final MethodHandle EPOLL_CREATE1 = link(LibC.epoll_create1$address(), LibC.epoll_create1$descriptor());
    private static final MethodHandle EPOLL_CTL = link(LibC.epoll_ctl$address(), LibC.epoll_ctl$descriptor());
    private static final MethodHandle EPOLL_WAIT = link(LibC.epoll_wait$address(), LibC.epoll_wait$descriptor());
    private static final MethodHandle FCNTL_INT = LINKER.downcallHandle(LibC.fcntl.address(),
            FunctionDescriptor.of(LibC.C_INT, LibC.C_INT, LibC.C_INT, LibC.C_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO, CRITICAL);
    private static final MethodHandle OPEN = LINKER.downcallHandle(LibC.open.address(),
            FunctionDescriptor.of(LibC.C_INT, LibC.C_POINTER, LibC.C_INT, LibC.C_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle SETNS = link(LibC.setns$address(), LibC.setns$descriptor());

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
     * @param capture the errno capture segment
     * @param domain domain
     * @param type type
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
     * socketpair(2).
     *
     * @param capture the errno capture segment
     * @param domain domain
     * @param type type
     * @param protocol protocol
     * @param fds fds
     * @return 0, or -1; the two fds go to {@code fds}
     */
    public static int socketpair(MemorySegment capture, int domain, int type, int protocol, MemorySegment fds) {
        try {
            return (int) SOCKETPAIR.invokeExact(capture, domain, type, protocol, fds);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * bind(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param addr addr
     * @param len len
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
     * listen(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param backlog backlog
     * @return 0, or -1
     */
    public static int listen(MemorySegment capture, int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(capture, fd, backlog);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * accept4(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param addr addr
     * @param lenInOut lenInOut
     * @param flags flags
     * @return the new fd, or -1
     */
    public static int accept4(MemorySegment capture, int fd, MemorySegment addr, MemorySegment lenInOut, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(capture, fd, addr, lenInOut, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * connect(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param addr addr
     * @param len len
     * @return 0, or -1
     */
    public static int connect(MemorySegment capture, int fd, MemorySegment addr, int len) {
        try {
            return (int) CONNECT.invokeExact(capture, fd, addr, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * getsockname(2), which returns at once; linked {@linkplain #CRITICAL critical}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param addr addr
     * @param lenInOut lenInOut
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
     * getpeername(2), which returns at once; linked {@linkplain #CRITICAL critical}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param addr addr
     * @param lenInOut lenInOut
     * @return 0, or -1
     */
    public static int getpeername(MemorySegment capture, int fd, MemorySegment addr, MemorySegment lenInOut) {
        try {
            return (int) GETPEERNAME.invokeExact(capture, fd, addr, lenInOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * shutdown(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param how how
     * @return 0, or -1
     */
    public static int shutdown(MemorySegment capture, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(capture, fd, how);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * send(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf
     * @param len len
     * @param flags flags
     * @return bytes sent, or -1
     */
    public static long send(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) SEND.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recv(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf
     * @param len len
     * @param flags flags
     * @return bytes received, 0 at end of stream, or -1
     */
    public static long recv(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * sendto(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf
     * @param len len
     * @param flags flags
     * @param addr addr
     * @param addrLen addrLen
     * @return bytes sent, or -1
     */
    public static long sendto(MemorySegment capture, int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO.invokeExact(capture, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recvfrom(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf
     * @param len len
     * @param flags flags
     * @param addr addr
     * @param addrLenInOut addrLenInOut
     * @return bytes received, or -1
     */
    public static long recvfrom(MemorySegment capture, int fd, MemorySegment buf, long len, int flags, MemorySegment addr, MemorySegment addrLenInOut) {
        try {
            return (long) RECVFROM.invokeExact(capture, fd, buf, len, flags, addr, addrLenInOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * send(2) that must not block: {@code flags} include MSG_DONTWAIT, or the fd is non-blocking.
     * Linked {@linkplain #CRITICAL critical}, so {@code buf} may be a heap segment.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf, native or heap
     * @param len len
     * @param flags flags, with MSG_DONTWAIT
     * @return the count sent, or -1
     */
    public static long sendNow(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) SEND_NOW.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recv(2) that must not block; see {@link #sendNow}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf, native or heap
     * @param len len
     * @param flags flags, with MSG_DONTWAIT
     * @return the count received, or -1
     */
    public static long recvNow(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV_NOW.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * sendto(2) that must not block; see {@link #sendNow}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf, native or heap
     * @param len len
     * @param flags flags, with MSG_DONTWAIT
     * @param addr addr, native
     * @param addrLen addrLen
     * @return the count sent, or -1
     */
    public static long sendtoNow(MemorySegment capture, int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO_NOW.invokeExact(capture, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recvfrom(2) that must not block; see {@link #sendNow}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf, native or heap
     * @param len len
     * @param flags flags, with MSG_DONTWAIT
     * @param addr addr, native
     * @param addrLenInOut addrLenInOut, native
     * @return the count received, or -1
     */
    public static long recvfromNow(MemorySegment capture, int fd, MemorySegment buf, long len, int flags, MemorySegment addr, MemorySegment addrLenInOut) {
        try {
            return (long) RECVFROM_NOW.invokeExact(capture, fd, buf, len, flags, addr, addrLenInOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * sendmsg(2) that must not block; see {@link #sendNow}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param msg the msghdr, native
     * @param flags flags, with MSG_DONTWAIT
     * @return the count sent, or -1
     */
    public static long sendmsgNow(MemorySegment capture, int fd, MemorySegment msg, int flags) {
        try {
            return (long) SENDMSG_NOW.invokeExact(capture, fd, msg, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recvmsg(2) that must not block; see {@link #sendNow}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param msg the msghdr, native
     * @param flags flags, with MSG_DONTWAIT
     * @return the count received, or -1
     */
    public static long recvmsgNow(MemorySegment capture, int fd, MemorySegment msg, int flags) {
        try {
            return (long) RECVMSG_NOW.invokeExact(capture, fd, msg, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * poll(2) with a zero timeout, which returns at once; linked {@linkplain #CRITICAL critical}.
     *
     * @param capture the errno capture segment
     * @param fds the pollfd array, native
     * @param count how many
     * @return the count ready, or -1
     */
    public static int pollNow(MemorySegment capture, MemorySegment fds, long count) {
        try {
            return (int) POLL_NOW.invokeExact(capture, fds, count, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * setsockopt(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param level level
     * @param name name
     * @param value value
     * @param len len
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
     * getsockopt(2), which returns at once; linked {@linkplain #CRITICAL critical}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param level level
     * @param name name
     * @param value value
     * @param lenInOut lenInOut
     * @return 0, or -1
     */
    public static int getsockopt(MemorySegment capture, int fd, int level, int name, MemorySegment value, MemorySegment lenInOut) {
        try {
            return (int) GETSOCKOPT.invokeExact(capture, fd, level, name, value, lenInOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * close(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @return 0, or -1
     */
    public static int close(MemorySegment capture, int fd) {
        try {
            return (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * poll(2).
     *
     * @param capture the errno capture segment
     * @param fds fds
     * @param count count
     * @param timeoutMillis timeoutMillis
     * @return the number of ready fds, 0 on timeout, or -1
     */
    public static int poll(MemorySegment capture, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(capture, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * eventfd(2).
     *
     * @param capture the errno capture segment
     * @param initial initial
     * @param flags flags
     * @return the fd, or -1
     */
    public static int eventfd(MemorySegment capture, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(capture, initial, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * read(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf
     * @param len len
     * @return bytes read, or -1
     */
    public static long read(MemorySegment capture, int fd, MemorySegment buf, long len) {
        try {
            return (long) READ.invokeExact(capture, fd, buf, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * write(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param buf buf
     * @param len len
     * @return bytes written, or -1
     */
    public static long write(MemorySegment capture, int fd, MemorySegment buf, long len) {
        try {
            return (long) WRITE.invokeExact(capture, fd, buf, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * pipe2(2).
     *
     * @param capture the errno capture segment
     * @param fds fds
     * @param flags flags
     * @return 0, or -1
     */
    public static int pipe2(MemorySegment capture, MemorySegment fds, int flags) {
        try {
            return (int) PIPE2.invokeExact(capture, fds, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * fcntl(2) with an int argument, for the commands that return at once (F_GETFD, F_SETFD,
     * F_GETFL, F_SETFL; never a lock that waits); linked {@linkplain #CRITICAL critical}.
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param cmd cmd
     * @param arg arg
     * @return the result, or -1
     */
    public static int fcntl(MemorySegment capture, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL_INT.invokeExact(capture, fd, cmd, arg);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
    /**
     * sendmsg(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param msg the struct msghdr
     * @param flags flags
     * @return bytes sent, or -1
     */
    public static long sendmsg(MemorySegment capture, int fd, MemorySegment msg, int flags) {
        try {
            return (long) SENDMSG.invokeExact(capture, fd, msg, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recvmsg(2).
     *
     * @param capture the errno capture segment
     * @param fd fd
     * @param msg the struct msghdr, filled in
     * @param flags flags
     * @return bytes received, or -1
     */
    public static long recvmsg(MemorySegment capture, int fd, MemorySegment msg, int flags) {
        try {
            return (long) RECVMSG.invokeExact(capture, fd, msg, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * epoll_create1(2).
     *
     * @param capture the errno capture segment
     * @param flags flags, such as EPOLL_CLOEXEC
     * @return the epoll fd, or -1
     */
    public static int epollCreate1(MemorySegment capture, int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(capture, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * epoll_ctl(2).
     *
     * @param capture the errno capture segment
     * @param epfd the epoll fd
     * @param op EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL
     * @param fd the fd to add, change or remove
     * @param event a struct epoll_event, or NULL for EPOLL_CTL_DEL
     * @return 0, or -1
     */
    public static int epollCtl(MemorySegment capture, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(capture, epfd, op, fd, event);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * epoll_wait(2).
     *
     * @param capture the errno capture segment
     * @param epfd the epoll fd
     * @param events room for {@code max} struct epoll_event
     * @param max how many events at most
     * @param timeoutMillis -1 for no limit
     * @return the number of events, 0 on timeout, or -1
     */
    public static int epollWait(MemorySegment capture, int epfd, MemorySegment events, int max, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT.invokeExact(capture, epfd, events, max, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * open(2), with the mode argument given (ignored unless a file is created).
     *
     * @param capture the errno capture segment
     * @param path the NUL-terminated path
     * @param flags flags
     * @param mode mode
     * @return the fd, or -1
     */
    public static int open(MemorySegment capture, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(capture, path, flags, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * setns(2): moves the calling thread into the namespace {@code fd} refers to.
     *
     * @param capture the errno capture segment
     * @param fd a namespace file descriptor
     * @param nstype the namespace type it must be, such as {@code CLONE_NEWNET}, or 0 for any
     * @return 0, or -1
     */
    public static int setns(MemorySegment capture, int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(capture, fd, nstype);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
