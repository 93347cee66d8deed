package io.github.panamasockets;

import io.github.panamasockets.internal.gen.LibC;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code errno} values that socket calls report, with their C names and descriptions; see
 * <a href="https://man7.org/linux/man-pages/man3/errno.3.html">errno(3)</a>.
 *
 * <p>The numbers come from this platform's C headers. The descriptions are the library's own
 * table, so no thread-unsafe {@code strerror(3)} is called. Linux aliases ({@code EWOULDBLOCK} for
 * {@code EAGAIN}, {@code ENOTSUP} for {@code EOPNOTSUPP}) map to the first name.
 *
 * {@snippet :
 * Errno.of(98)                 // ==> Optional[EADDRINUSE]
 * Errno.describe(98)           // ==> "EADDRINUSE (Address already in use)"
 * Errno.ECONNREFUSED.value()   // ==> 111
 * }
 */
public enum Errno {
    /** {@code EPERM}: Operation not permitted. */
    EPERM(LibC.EPERM(), "Operation not permitted"),
    /** {@code ENOENT}: No such file or directory. */
    ENOENT(LibC.ENOENT(), "No such file or directory"),
    /** {@code ESRCH}: No such process. */
    ESRCH(LibC.ESRCH(), "No such process"),
    /** {@code EINTR}: Interrupted system call. */
    EINTR(LibC.EINTR(), "Interrupted system call"),
    /** {@code EIO}: Input/output error. */
    EIO(LibC.EIO(), "Input/output error"),
    /** {@code ENXIO}: No such device or address. */
    ENXIO(LibC.ENXIO(), "No such device or address"),
    /** {@code E2BIG}: Argument list too long. */
    E2BIG(LibC.E2BIG(), "Argument list too long"),
    /** {@code EBADF}: Bad file descriptor. */
    EBADF(LibC.EBADF(), "Bad file descriptor"),
    /** {@code ECHILD}: No child processes. */
    ECHILD(LibC.ECHILD(), "No child processes"),
    /** {@code EAGAIN}: Resource temporarily unavailable. */
    EAGAIN(LibC.EAGAIN(), "Resource temporarily unavailable"),
    /** {@code ENOMEM}: Cannot allocate memory. */
    ENOMEM(LibC.ENOMEM(), "Cannot allocate memory"),
    /** {@code EACCES}: Permission denied. */
    EACCES(LibC.EACCES(), "Permission denied"),
    /** {@code EFAULT}: Bad address. */
    EFAULT(LibC.EFAULT(), "Bad address"),
    /** {@code EBUSY}: Device or resource busy. */
    EBUSY(LibC.EBUSY(), "Device or resource busy"),
    /** {@code EEXIST}: File exists. */
    EEXIST(LibC.EEXIST(), "File exists"),
    /** {@code ENODEV}: No such device. */
    ENODEV(LibC.ENODEV(), "No such device"),
    /** {@code ENOTDIR}: Not a directory. */
    ENOTDIR(LibC.ENOTDIR(), "Not a directory"),
    /** {@code EISDIR}: Is a directory. */
    EISDIR(LibC.EISDIR(), "Is a directory"),
    /** {@code EINVAL}: Invalid argument. */
    EINVAL(LibC.EINVAL(), "Invalid argument"),
    /** {@code ENFILE}: Too many open files in system. */
    ENFILE(LibC.ENFILE(), "Too many open files in system"),
    /** {@code EMFILE}: Too many open files. */
    EMFILE(LibC.EMFILE(), "Too many open files"),
    /** {@code ENOSPC}: No space left on device. */
    ENOSPC(LibC.ENOSPC(), "No space left on device"),
    /** {@code ESPIPE}: Illegal seek. */
    ESPIPE(LibC.ESPIPE(), "Illegal seek"),
    /** {@code EROFS}: Read-only file system. */
    EROFS(LibC.EROFS(), "Read-only file system"),
    /** {@code EPIPE}: Broken pipe. */
    EPIPE(LibC.EPIPE(), "Broken pipe"),
    /** {@code ERANGE}: Numerical result out of range. */
    ERANGE(LibC.ERANGE(), "Numerical result out of range"),
    /** {@code ENAMETOOLONG}: File name too long. */
    ENAMETOOLONG(LibC.ENAMETOOLONG(), "File name too long"),
    /** {@code ENOSYS}: Function not implemented. */
    ENOSYS(LibC.ENOSYS(), "Function not implemented"),
    /** {@code ENOTEMPTY}: Directory not empty. */
    ENOTEMPTY(LibC.ENOTEMPTY(), "Directory not empty"),
    /** {@code ELOOP}: Too many levels of symbolic links. */
    ELOOP(LibC.ELOOP(), "Too many levels of symbolic links"),
    /** {@code ENOMSG}: No message of desired type. */
    ENOMSG(LibC.ENOMSG(), "No message of desired type"),
    /** {@code ENODATA}: No data available. */
    ENODATA(LibC.ENODATA(), "No data available"),
    /** {@code ETIME}: Timer expired. */
    ETIME(LibC.ETIME(), "Timer expired"),
    /** {@code ENOLINK}: Link has been severed. */
    ENOLINK(LibC.ENOLINK(), "Link has been severed"),
    /** {@code EPROTO}: Protocol error. */
    EPROTO(LibC.EPROTO(), "Protocol error"),
    /** {@code EBADMSG}: Bad message. */
    EBADMSG(LibC.EBADMSG(), "Bad message"),
    /** {@code EOVERFLOW}: Value too large for defined data type. */
    EOVERFLOW(LibC.EOVERFLOW(), "Value too large for defined data type"),
    /** {@code ENOTSOCK}: Socket operation on non-socket. */
    ENOTSOCK(LibC.ENOTSOCK(), "Socket operation on non-socket"),
    /** {@code EDESTADDRREQ}: Destination address required. */
    EDESTADDRREQ(LibC.EDESTADDRREQ(), "Destination address required"),
    /** {@code EMSGSIZE}: Message too long. */
    EMSGSIZE(LibC.EMSGSIZE(), "Message too long"),
    /** {@code EPROTOTYPE}: Protocol wrong type for socket. */
    EPROTOTYPE(LibC.EPROTOTYPE(), "Protocol wrong type for socket"),
    /** {@code ENOPROTOOPT}: Protocol not available. */
    ENOPROTOOPT(LibC.ENOPROTOOPT(), "Protocol not available"),
    /** {@code EPROTONOSUPPORT}: Protocol not supported. */
    EPROTONOSUPPORT(LibC.EPROTONOSUPPORT(), "Protocol not supported"),
    /** {@code ESOCKTNOSUPPORT}: Socket type not supported. */
    ESOCKTNOSUPPORT(LibC.ESOCKTNOSUPPORT(), "Socket type not supported"),
    /** {@code EOPNOTSUPP}: Operation not supported. */
    EOPNOTSUPP(LibC.EOPNOTSUPP(), "Operation not supported"),
    /** {@code EPFNOSUPPORT}: Protocol family not supported. */
    EPFNOSUPPORT(LibC.EPFNOSUPPORT(), "Protocol family not supported"),
    /** {@code EAFNOSUPPORT}: Address family not supported by protocol. */
    EAFNOSUPPORT(LibC.EAFNOSUPPORT(), "Address family not supported by protocol"),
    /** {@code EADDRINUSE}: Address already in use. */
    EADDRINUSE(LibC.EADDRINUSE(), "Address already in use"),
    /** {@code EADDRNOTAVAIL}: Cannot assign requested address. */
    EADDRNOTAVAIL(LibC.EADDRNOTAVAIL(), "Cannot assign requested address"),
    /** {@code ENETDOWN}: Network is down. */
    ENETDOWN(LibC.ENETDOWN(), "Network is down"),
    /** {@code ENETUNREACH}: Network is unreachable. */
    ENETUNREACH(LibC.ENETUNREACH(), "Network is unreachable"),
    /** {@code ENETRESET}: Network dropped connection on reset. */
    ENETRESET(LibC.ENETRESET(), "Network dropped connection on reset"),
    /** {@code ECONNABORTED}: Software caused connection abort. */
    ECONNABORTED(LibC.ECONNABORTED(), "Software caused connection abort"),
    /** {@code ECONNRESET}: Connection reset by peer. */
    ECONNRESET(LibC.ECONNRESET(), "Connection reset by peer"),
    /** {@code ENOBUFS}: No buffer space available. */
    ENOBUFS(LibC.ENOBUFS(), "No buffer space available"),
    /** {@code EISCONN}: Transport endpoint is already connected. */
    EISCONN(LibC.EISCONN(), "Transport endpoint is already connected"),
    /** {@code ENOTCONN}: Transport endpoint is not connected. */
    ENOTCONN(LibC.ENOTCONN(), "Transport endpoint is not connected"),
    /** {@code ESHUTDOWN}: Cannot send after transport endpoint shutdown. */
    ESHUTDOWN(LibC.ESHUTDOWN(), "Cannot send after transport endpoint shutdown"),
    /** {@code ETOOMANYREFS}: Too many references: cannot splice. */
    ETOOMANYREFS(LibC.ETOOMANYREFS(), "Too many references: cannot splice"),
    /** {@code ETIMEDOUT}: Connection timed out. */
    ETIMEDOUT(LibC.ETIMEDOUT(), "Connection timed out"),
    /** {@code ECONNREFUSED}: Connection refused. */
    ECONNREFUSED(LibC.ECONNREFUSED(), "Connection refused"),
    /** {@code EHOSTDOWN}: Host is down. */
    EHOSTDOWN(LibC.EHOSTDOWN(), "Host is down"),
    /** {@code EHOSTUNREACH}: No route to host. */
    EHOSTUNREACH(LibC.EHOSTUNREACH(), "No route to host"),
    /** {@code EALREADY}: Operation already in progress. */
    EALREADY(LibC.EALREADY(), "Operation already in progress"),
    /** {@code EINPROGRESS}: Operation now in progress. */
    EINPROGRESS(LibC.EINPROGRESS(), "Operation now in progress"),
    /** {@code ESTALE}: Stale file handle. */
    ESTALE(LibC.ESTALE(), "Stale file handle"),
    /** {@code EDQUOT}: Disk quota exceeded. */
    EDQUOT(LibC.EDQUOT(), "Disk quota exceeded"),
    /** {@code ECANCELED}: Operation canceled. */
    ECANCELED(LibC.ECANCELED(), "Operation canceled");

    private static final Map<Integer, Errno> BY_VALUE = new HashMap<>();

    static {
        for (Errno e : values()) {
            BY_VALUE.putIfAbsent(e.value, e);
        }
    }

    private final int value;
    private final String description;

    Errno(int value, String description) {
        this.value = value;
        this.description = description;
    }

    /** {@return the errno number on this platform} */
    public int value() {
        return value;
    }

    /** {@return the description, as {@code strerror(3)} would give it in the C locale} */
    public String description() {
        return description;
    }

    /**
     * {@return the named errno with this number}, or empty for a number outside this table
     *
     * @param value an errno number
     */
    public static Optional<Errno> of(int value) {
        return Optional.ofNullable(BY_VALUE.get(value));
    }

    /**
     * {@return the C name of an errno number}, such as {@code EAGAIN}, or {@code errno N} for a
     * number outside this table
     *
     * {@snippet :
     * Errno.nameOf(11)   // ==> "EAGAIN"
     * }
     *
     * @param value an errno number
     */
    public static String nameOf(int value) {
        Errno e = BY_VALUE.get(value);
        return e == null ? "errno " + value : e.name();
    }

    /**
     * {@return the name and description of an errno number}, such as
     * {@code EADDRINUSE (Address already in use)}
     *
     * {@snippet :
     * Errno.describe(111)   // ==> "ECONNREFUSED (Connection refused)"
     * }
     *
     * @param value an errno number
     */
    public static String describe(int value) {
        Errno e = BY_VALUE.get(value);
        return e == null ? "errno " + value : e.name() + " (" + e.description + ")";
    }
}
