package io.github.panamasockets.netlink;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A network namespace that a test makes with {@code ip netns add psk-PID-N} and deletes on close,
 * so that links, addresses, routes and their events are made where nothing else lives: the host's
 * interfaces, addresses and routes are never touched. A test that cannot make one (not root, or no
 * {@code ip}) is skipped, and says why.
 *
 * <p>The first namespace a JVM makes first deletes the {@code psk-PID-N} namespaces left by runs
 * that were killed before they could clean up: those whose PID is no longer alive, and those with
 * this JVM's own PID, which it has not made yet.
 */
final class TestNamespace implements AutoCloseable {
    private static final String PREFIX = "psk-";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static boolean swept;

    final String name;
    final NetNamespace ns;

    private TestNamespace(String name, NetNamespace ns) {
        this.name = name;
        this.ns = ns;
    }

    /** Makes a namespace, or skips the calling test when it cannot. */
    static TestNamespace create() throws Exception {
        assumeTrue(TestSupport.isRoot(), "making a network namespace needs root (CAP_SYS_ADMIN): skipped");
        assumeTrue(TestSupport.onPath("ip"), "iproute2 (ip) is not installed: no network namespace, skipped");
        sweepStale();
        long pid = ProcessHandle.current().pid();
        String name = PREFIX + pid + "-" + COUNTER.incrementAndGet();
        TestSupport.run("ip", "netns", "add", name);
        try {
            return new TestNamespace(name, NetNamespace.open(name));
        } catch (IOException | RuntimeException | Error e) {
            delete(name);
            throw e;
        }
    }

    /** The names `ip netns list` prints. */
    static List<String> list() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (String line : TestSupport.run("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split("\\s+")[0]);   // "name (id: 3)"
            }
        }
        return names;
    }

    private static synchronized void sweepStale() throws IOException, InterruptedException {
        if (swept) {
            return;
        }
        swept = true;
        long self = ProcessHandle.current().pid();
        for (String name : list()) {
            Optional<Long> pid = pidOf(name);
            if (pid.isPresent() && (pid.get() == self || ProcessHandle.of(pid.get()).map(p -> !p.isAlive()).orElse(true))) {
                delete(name);
            }
        }
    }

    /** The PID in a name of the form psk-PID-N; empty for any other name. */
    private static Optional<Long> pidOf(String name) {
        String[] parts = name.split("-");
        if (parts.length == 3 && (parts[0] + "-").equals(PREFIX) && parts[1].matches("\\d{1,18}") && parts[2].matches("\\d+")) {
            return Optional.of(Long.parseLong(parts[1]));
        }
        return Optional.empty();
    }

    private static void delete(String name) throws IOException, InterruptedException {
        TestSupport.run("ip", "netns", "delete", name);
    }

    /** {@code ip -n NAME ARGS...}: iproute2 run inside this namespace. */
    String ip(String... args) throws Exception {
        String[] command = new String[args.length + 3];
        command[0] = "ip";
        command[1] = "-n";
        command[2] = name;
        System.arraycopy(args, 0, command, 3, args.length);
        return TestSupport.run(command);
    }

    /** {@code ip netns exec NAME COMMAND...}: any program run inside this namespace. */
    String exec(String... command) throws Exception {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(command, 0, full, 4, command.length);
        return TestSupport.run(full);
    }

    /** Closes the handle and deletes the namespace (unless a test did); the kernel frees it with its last socket. */
    @Override
    public void close() throws IOException {
        ns.close();
        try {
            if (list().contains(name)) {
                delete(name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("deleting network namespace " + name + " was interrupted");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
