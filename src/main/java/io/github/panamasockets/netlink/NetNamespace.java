package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockType;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.FdRef;
import io.github.panamasockets.internal.sys.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An open network namespace, in which sockets can be created: a descriptor of a namespace file such
 * as {@code /run/netns/NAME} (what {@code ip netns add NAME} makes) or {@code /proc/PID/ns/net}; see
 * <a href="https://man7.org/linux/man-pages/man7/network_namespaces.7.html">network_namespaces(7)</a>
 * and <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a>.
 *
 * <p>A socket belongs to the namespace it was created in, for its whole life, whichever thread
 * uses it later. So {@link #call} runs code on a new platform thread that has first entered the
 * namespace with {@code setns(fd, CLONE_NEWNET)}; the sockets that code creates stay in the
 * namespace, and the thread ends when the code returns. No other thread, the caller's included,
 * ever changes namespace. {@link RouteNetlink#open(NetNamespace)}, {@link SockDiag#open(NetNamespace)},
 * {@link #openNetlink} and {@link #openSock} are built on it.
 *
 * <p>Entering needs {@code CAP_SYS_ADMIN}; {@link #open(Path)} enters once to check the file, so
 * that a file that is not a network namespace, or a missing privilege, is reported at once. The
 * open descriptor keeps the namespace alive even after {@code ip netns delete} removes its name.
 * Thread-safe; closing waits for no call, but the descriptor is released only once the calls in
 * flight have returned. An instance that becomes unreachable unclosed is closed by a
 * {@link Cleaner}.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * // as root, after `ip netns add blue`
 * try (var ns = NetNamespace.open("blue");
 *      var rt = RouteNetlink.open(ns)) {
 *     rt.links().forEach(l -> System.out.println(l.name()));   // lo: a new namespace has only it
 * }
 * }
 */
public final class NetNamespace implements AutoCloseable {
    /**
     * Code to run inside a namespace with {@link #call}.
     *
     * {@snippet :
     * NetNamespace.Action<Sock> udp = () -> Sock.open(Family.INET, SockType.DGRAM);
     * }
     *
     * @param <T> what it returns
     */
    @FunctionalInterface
    public interface Action<T> {
        /**
         * Runs inside the namespace, on a thread of its own that ends afterwards; see setns(2).
         *
         * {@snippet :
         * udp.run()
         * }
         *
         * @return the result, handed to the caller of {@link #call}
         * @throws IOException for the caller of {@link #call} to handle
         */
        T run() throws IOException;
    }

    /** Where iproute2 keeps the namespaces it names: /run/netns, or /var/run/netns without /run. */
    private static final Path NAMED = Files.isDirectory(Path.of("/run/netns")) ? Path.of("/run/netns")
            : Path.of("/var/run/netns");
    /** NAME_MAX: the longest file name. */
    private static final int NAME_MAX = 255;

    /** Made on first use: a process that never opens a namespace starts no cleaner thread. */
    private static final class Cleaners {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private final FdRef ref;
    private final Path path;
    private final Cleaner.Cleanable cleanable;

    private NetNamespace(int fd, Path path) {
        this.ref = new FdRef(fd, false);
        this.path = path;
        FdRef r = ref;
        this.cleanable = Cleaners.CLEANER.register(this, r::closeUnreachable);
    }

    /**
     * Opens a namespace that {@code ip netns add} named: the file {@code NAME} in
     * {@code /run/netns} (or {@code /var/run/netns} where there is no {@code /run}); see
     * {@link #open(Path)}, ip-netns(8) and setns(2).
     *
     * {@snippet :
     * var ns = NetNamespace.open("blue");   // after `ip netns add blue`
     * ns.path()                            // ==> /run/netns/blue
     * }
     *
     * @param name the name, as {@code ip netns list} prints it
     * @return the open namespace
     * @throws NetNamespaceException if {@code open} fails ({@code ENOENT}: no namespace of that
     *         name), or {@code setns} does ({@code EINVAL}: not a network namespace; {@code EPERM}:
     *         no {@code CAP_SYS_ADMIN})
     * @throws IOException if another I/O error occurs
     * @throws IllegalArgumentException if the name is empty, {@code .} or {@code ..}, longer than 255
     *         bytes, or holds a slash or a NUL
     * @throws NullPointerException if {@code name} is null
     */
    public static NetNamespace open(String name) throws IOException {
        int bytes = Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > NAME_MAX) {
            throw new IllegalArgumentException("namespace name \"" + name + "\" is " + bytes
                    + " bytes; a name in " + NAMED + " is 1 to " + NAME_MAX);
        }
        if (name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("namespace name \"" + name.replace("\0", "\\0")
                    + "\" is not a file name in " + NAMED + ": it is . or .., or holds a slash or a NUL");
        }
        return open(NAMED.resolve(name));
    }

    /**
     * Opens the network namespace of a namespace file, such as {@code /proc/PID/ns/net} or a bind
     * mount of one: {@code open(path, O_RDONLY | O_CLOEXEC)}, then a {@code setns(fd, CLONE_NEWNET)}
     * on a throwaway thread to check that the file is a network namespace this process may enter;
     * see open(2), setns(2) and network_namespaces(7).
     *
     * {@snippet :
     * var init = NetNamespace.open(java.nio.file.Path.of("/proc/1/ns/net"));   // init's namespace
     * }
     *
     * @param path the namespace file
     * @return the open namespace
     * @throws NetNamespaceException if {@code open} fails, such as {@code ENOENT}, or {@code setns}
     *         does ({@code EINVAL}: not a network namespace; {@code EPERM}: no
     *         {@code CAP_SYS_ADMIN})
     * @throws IOException if another I/O error occurs
     * @throws NullPointerException if {@code path} is null
     */
    public static NetNamespace open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            fd = Syscalls.open(capture, arena.allocateFrom(path.toString()), LibC.O_RDONLY() | LibC.O_CLOEXEC(), 0);
            if (fd < 0) {
                throw new NetNamespaceException("open", Syscalls.errno(capture), path);
            }
        }
        NetNamespace ns = new NetNamespace(fd, path);
        try {
            ns.call(() -> null);
            return ns;
        } catch (IOException | RuntimeException | Error e) {
            ns.close();
            throw e;
        }
    }

    /**
     * {@return the namespace file this was opened from}; see network_namespaces(7)
     *
     * {@snippet :
     * ns.path()   // ==> /run/netns/blue
     * }
     */
    public Path path() {
        return path;
    }

    /**
     * Runs code inside the namespace and returns its result: on a new platform thread that enters
     * the namespace with {@code setns(fd, CLONE_NEWNET)}, runs the action, and ends; see setns(2).
     * Sockets the action creates belong to the namespace; threads it starts do not (each starts in
     * the namespace of the thread that made it, but the JDK's virtual threads and pools run on
     * threads of their own). The caller waits for the action; an interrupt does not cut the wait
     * short, and is kept for the caller to see afterwards.
     *
     * {@snippet :
     * Sock udp = ns.call(() -> Sock.open(Family.INET, SockType.DGRAM));
     * }
     *
     * @param action the code to run
     * @param <T> what it returns
     * @return what the action returned
     * @throws NetNamespaceException if {@code setns} fails; the action then does not run
     * @throws IOException what the action threw
     * @throws IllegalStateException if this namespace is closed
     * @throws NullPointerException if {@code action} is null
     */
    public <T> T call(Action<T> action) throws IOException {
        Objects.requireNonNull(action, "action");
        if (!ref.acquire()) {
            throw new IllegalStateException(this + " is closed");
        }
        try {
            Inside<T> inside = new Inside<>(ref.fd(), action);
            Thread thread = Thread.ofPlatform().name("netns " + path).daemon(true).unstarted(inside);
            thread.start();
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return inside.result(path);
        } finally {
            ref.release();
        }
    }

    /** What runs on the thread that enters: setns, then the action; the outcome for the caller. */
    private static final class Inside<T> implements Runnable {
        private final int fd;
        private final Action<T> action;
        /** Read after join, which orders these writes before the reads. */
        private int setnsErrno;
        private T value;
        private Throwable failure;

        Inside(int fd, Action<T> action) {
            this.fd = fd;
            this.action = action;
        }

        @Override
        public void run() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
                if (Syscalls.setns(capture, fd, LibC.CLONE_NEWNET()) < 0) {
                    setnsErrno = Syscalls.errno(capture);
                    return;
                }
            }
            try {
                value = action.run();
            } catch (Throwable t) {
                failure = t;
            }
        }

        T result(Path path) throws IOException {
            if (setnsErrno != 0) {
                throw new NetNamespaceException("setns", setnsErrno, path);
            }
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return value;
        }
    }

    /**
     * Opens a socket inside the namespace: socket(2) with {@code SOCK_CLOEXEC}, by
     * {@link Sock#open(Family, SockType, Protocol)} in {@link #call}; see setns(2).
     *
     * {@snippet :
     * var tcp = ns.openSock(Family.INET, SockType.STREAM, Protocol.DEFAULT);   // binds and connects there
     * }
     *
     * @param family the address family
     * @param type the socket type
     * @param protocol the protocol, or {@link Protocol#DEFAULT}
     * @return the open socket, in this namespace
     * @throws NetNamespaceException if {@code setns} fails
     * @throws java.net.SocketException if the kernel refuses the socket
     * @throws IOException if another I/O error occurs
     * @throws IllegalStateException if this namespace is closed
     * @throws NullPointerException if an argument is null
     */
    public Sock openSock(Family family, SockType type, Protocol protocol) throws IOException {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(protocol, "protocol");
        return call(() -> Sock.open(family, type, protocol));
    }

    /**
     * Opens a netlink socket inside the namespace, which then speaks to the namespace's side of the
     * kernel: {@link NetlinkSocket#open} in {@link #call}; see netlink(7) and setns(2).
     *
     * {@snippet :
     * var nl = ns.openNetlink(io.github.panamasockets.Protocol.NETLINK_ROUTE);
     * }
     *
     * @param protocol a netlink protocol, such as {@link Protocol#NETLINK_ROUTE}
     * @return the open socket, in this namespace
     * @throws NetNamespaceException if {@code setns} fails
     * @throws java.net.SocketException if the kernel refuses the socket
     * @throws IOException if another I/O error occurs
     * @throws IllegalStateException if this namespace is closed
     * @throws NullPointerException if {@code protocol} is null
     */
    public NetlinkSocket openNetlink(Protocol protocol) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        return call(() -> NetlinkSocket.open(protocol));
    }

    /**
     * Closes the namespace descriptor: close(2), once the calls in flight have returned. The
     * sockets made in the namespace stay open and in it, and the namespace lives on while a socket
     * or a name ({@code ip netns}) holds it. Closing again does nothing.
     *
     * {@snippet :
     * ns.close();
     * }
     */
    @Override
    public void close() {
        cleanable.clean();
    }

    /**
     * {@return a description}, such as {@code NetNamespace[/run/netns/blue]}; see
     * network_namespaces(7)
     *
     * {@snippet :
     * ns.toString()   // ==> "NetNamespace[/run/netns/blue]"
     * }
     */
    @Override
    public String toString() {
        return "NetNamespace[" + path + (ref.isClosed() ? ", closed" : "") + "]";
    }
}
