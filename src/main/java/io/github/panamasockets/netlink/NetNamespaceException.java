package io.github.panamasockets.netlink;

import io.github.panamasockets.Errno;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Thrown when a network namespace cannot be opened or entered: the call that failed
 * ({@code open} or {@code setns}), its errno and the namespace file's path; see
 * <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a> and
 * <a href="https://man7.org/linux/man-pages/man7/network_namespaces.7.html">network_namespaces(7)</a>.
 *
 * <p>The message reads {@code call path: ENAME (description)}, with a hint for the usual causes:
 * {@code open /run/netns/blue: ENOENT (No such file or directory)} for a name {@code ip netns}
 * does not know, {@code setns /etc/hostname: EINVAL (Invalid argument): not a network namespace},
 * and {@code EPERM} without {@code CAP_SYS_ADMIN}.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var ns = NetNamespace.open("no-such-namespace")) {
 * } catch (NetNamespaceException e) {
 *     e.call();        // ==> "open"
 *     e.errnoName();   // ==> "ENOENT"
 *     e.path();        // ==> /run/netns/no-such-namespace
 * }
 * }
 */
public final class NetNamespaceException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The call that failed: open or setns. */
    private final String call;
    /** The errno it failed with. */
    private final int errno;
    /** Kept as text: Path is not serializable. */
    private final String path;

    /**
     * Creates the exception; the message is {@code call path: ENAME (description)}, and a hint
     * for {@code setns}'s {@code EINVAL} and {@code EPERM}; see setns(2).
     *
     * {@snippet :
     * new NetNamespaceException("setns", 22, java.nio.file.Path.of("/etc/hostname")).getMessage()
     * // ==> "setns /etc/hostname: EINVAL (Invalid argument): not a network namespace"
     * }
     *
     * @param call the call that failed, such as {@code open} or {@code setns}
     * @param errno the errno it failed with
     * @param path the namespace file
     * @throws NullPointerException if {@code call} or {@code path} is null
     */
    public NetNamespaceException(String call, int errno, Path path) {
        super(message(call, errno, path));
        this.call = call;
        this.errno = errno;
        this.path = path.toString();
    }

    private static String message(String call, int errno, Path path) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(path, "path");
        String hint = "";
        if (call.equals("setns") && errno == Errno.EINVAL.value()) {
            hint = ": not a network namespace";
        } else if (call.equals("setns") && errno == Errno.EPERM.value()) {
            hint = ": entering a network namespace needs CAP_SYS_ADMIN";
        }
        return call + " " + path + ": " + Errno.describe(errno) + hint;
    }

    /**
     * {@return the call that failed}: {@code open} or {@code setns}; see setns(2)
     *
     * {@snippet :
     * e.call()   // ==> "setns"
     * }
     */
    public String call() {
        return call;
    }

    /**
     * {@return the errno number}; see errno(3)
     *
     * {@snippet :
     * e.errno()   // ==> 2
     * }
     */
    public int errno() {
        return errno;
    }

    /**
     * {@return the errno's C name}, such as {@code ENOENT}; see errno(3)
     *
     * {@snippet :
     * e.errnoName()   // ==> "ENOENT"
     * }
     */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    /**
     * {@return the namespace file the call was given}; see network_namespaces(7)
     *
     * {@snippet :
     * e.path()   // ==> /run/netns/blue
     * }
     */
    public Path path() {
        return Path.of(path);
    }
}
