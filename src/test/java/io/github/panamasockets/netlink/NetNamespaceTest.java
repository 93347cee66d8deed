package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockType;
import io.github.panamasockets.SyscallError;
import io.github.panamasockets.address.SockaddrInet4;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Network namespaces, entered with setns(2): a namespace made by {@code ip netns add} is opened by
 * name and by path; code run in it sees its links and sockets, not the host's, while the calling
 * thread stays where it was; sockets keep their namespace after the thread that made them ends;
 * the namespace outlives its name while it is open; and failures name the call, the errno and the
 * path. Each test makes its own namespace and deletes it, also when it fails.
 */
class NetNamespaceTest {
    /** The namespace of the calling thread, as its /proc link names it: "net:[4026531840]". */
    private static String threadNamespace() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    /** The namespace a namespace file holds, in the form of {@link #threadNamespace()}. */
    private static String namespaceOf(Path file) throws IOException {
        return "net:[" + Files.getAttribute(file, "unix:ino") + "]";
    }

    @Test
    void codeRunsInTheNamespaceAndTheCallerStaysWhereItWas() throws Exception {
        try (TestNamespace t = TestNamespace.create()) {
            String host = threadNamespace();
            String inside = t.ns.call(NetNamespaceTest::threadNamespace);
            assertEquals(namespaceOf(t.ns.path()), inside);
            assertNotEquals(host, inside);
            assertEquals(host, threadNamespace(), "the calling thread did not move");
            assertEquals(Path.of("/run/netns", t.name), t.ns.path());
        }
    }

    @Test
    void aNewNamespaceHasOnlyItsLoopbackAndIpAgrees() throws Exception {
        try (TestNamespace t = TestNamespace.create(); var rt = RouteNetlink.open(t.ns)) {
            var r = IpOracle.stable(new String[] {"ip", "-n", t.name, "-j", "-d", "link", "show"}, rt::links);
            assertEquals(IpOracle.links(r.json()), IpOracle.links(r.ours(), r.json()));
            assertEquals(List.of("lo"), r.ours().stream().map(RtnlLink::name).toList());
            assertEquals(OperState.DOWN, r.ours().get(0).operState(), "a new namespace's lo is down");
            assertTrue(rt.addresses().isEmpty(), "and has no address until it is up");
        }
    }

    @Test
    void aNamespaceOpenedByPathIsTheSameNamespace() throws Exception {
        try (TestNamespace t = TestNamespace.create();
             NetNamespace byPath = NetNamespace.open(Path.of("/run/netns", t.name))) {
            assertEquals(t.ns.call(NetNamespaceTest::threadNamespace), byPath.call(NetNamespaceTest::threadNamespace));
            try (var rt = RouteNetlink.open(t.ns); var other = RouteNetlink.open(byPath)) {
                rt.createLink("psk-br0", "bridge");
                assertEquals("bridge", other.link("psk-br0").kind(), "made through one handle, seen through the other");
            }
        }
    }

    @Test
    void socketsKeepTheirNamespaceAfterTheThreadThatMadeThemEnds() throws Exception {
        try (TestNamespace t = TestNamespace.create();
             var rt = RouteNetlink.open(t.ns);
             Sock hostListener = Sock.open(Family.INET, SockType.STREAM).bind(SockaddrInet4.loopback(0)).listen()) {
            // The namespace's lo is down, so it has no route to 127.0.0.1: the host's listener is out of reach.
            try (Sock early = t.ns.openSock(Family.INET, SockType.STREAM, Protocol.DEFAULT)) {
                var e = assertThrows(IOException.class, () -> early.connect(hostListener.localAddress()));
                assertEquals("ENETUNREACH", ((SyscallError) e).errnoName(), e.getMessage());
            }
            rt.setLinkUp(rt.link("lo").index(), true);
            // Its own loopback is up now, and nobody listens on it at the host listener's port.
            try (Sock refused = t.ns.openSock(Family.INET, SockType.STREAM, Protocol.DEFAULT)) {
                var e = assertThrows(IOException.class, () -> refused.connect(hostListener.localAddress()));
                assertEquals("ECONNREFUSED", ((SyscallError) e).errnoName(), e.getMessage());
            }
            // The namespace has ports of its own: the one the host holds is free there.
            try (Sock server = t.ns.openSock(Family.INET, SockType.STREAM, Protocol.DEFAULT)
                         .bind(hostListener.localAddress()).listen();
                 var diag = SockDiag.open(t.ns);
                 var hostDiag = SockDiag.open()) {
                long inode = TestSupport.inodeOf(server.fd());
                long hostInode = TestSupport.inodeOf(hostListener.fd());
                List<InetSockInfo> inside = diag.tcp(Family.INET, TcpState.LISTEN);
                List<InetSockInfo> outside = hostDiag.tcp(Family.INET, TcpState.LISTEN);
                assertTrue(inside.stream().anyMatch(s -> s.inode() == inode), "listed in the namespace");
                assertTrue(inside.stream().noneMatch(s -> s.inode() == hostInode), "without the host's listener");
                assertTrue(outside.stream().noneMatch(s -> s.inode() == inode), "and not in the host's listing");
                assertTrue(outside.stream().anyMatch(s -> s.inode() == hostInode));
                // A connection through sockets made in the namespace, used from this thread, which is not in it.
                try (Sock client = t.ns.openSock(Family.INET, SockType.STREAM, Protocol.DEFAULT).connect(server.localAddress());
                     Sock accepted = server.accept().socket()) {
                    client.send(new byte[] {42});
                    byte[] one = new byte[1];
                    assertEquals(1, accepted.recv(one));
                    assertEquals(42, one[0]);
                }
            }
        }
    }

    @Test
    void theNamespaceOutlivesItsNameWhileItIsOpen() throws Exception {
        try (TestNamespace t = TestNamespace.create()) {
            TestSupport.run("ip", "netns", "delete", t.name);
            assertTrue(!TestNamespace.list().contains(t.name));
            try (var rt = RouteNetlink.open(t.ns)) {
                assertEquals("lo", rt.link(1).name(), "the descriptor still holds the namespace");
            }
        }
    }

    @Test
    void whatTheActionThrowsReachesTheCaller() throws Exception {
        try (TestNamespace t = TestNamespace.create()) {
            IOException io = new IOException("from inside");
            assertSame(io, assertThrows(IOException.class, () -> t.ns.call(() -> {
                throw io;
            })));
            UncheckedIOException unchecked = new UncheckedIOException(io);
            assertSame(unchecked, assertThrows(UncheckedIOException.class, () -> t.ns.call(() -> {
                throw unchecked;
            })));
            assertEquals("done", t.ns.call(() -> "done"), "and the namespace still works");
        }
    }

    @Test
    void anInterruptDoesNotCutTheCallShortAndIsKept() throws Exception {
        try (TestNamespace t = TestNamespace.create()) {
            Thread.currentThread().interrupt();
            try {
                String inside = t.ns.call(NetNamespaceTest::threadNamespace);
                assertEquals(namespaceOf(t.ns.path()), inside);
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is still pending");
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void aClosedNamespaceRefusesCalls() throws Exception {
        try (TestNamespace t = TestNamespace.create()) {
            t.ns.close();
            t.ns.close();   // again: nothing happens
            assertEquals("NetNamespace[/run/netns/" + t.name + ", closed]", t.ns.toString());
            var e = assertThrows(IllegalStateException.class, () -> RouteNetlink.open(t.ns));
            assertEquals("NetNamespace[/run/netns/" + t.name + ", closed] is closed", e.getMessage());
            assertThrows(IllegalStateException.class, () -> t.ns.openNetlink(Protocol.NETLINK_ROUTE));
        }
    }

    @Test
    void aMissingNamespaceNamesOpenErrnoAndPath() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/run/netns")), "no /run/netns here: ip netns keeps its names elsewhere");
        String name = "psk-none-" + ProcessHandle.current().pid();
        var e = assertThrows(NetNamespaceException.class, () -> NetNamespace.open(name));
        assertEquals("open", e.call());
        assertEquals("ENOENT", e.errnoName());
        assertEquals(Path.of("/run/netns", name), e.path());
        assertEquals("open /run/netns/" + name + ": ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void aFileThatIsNoNetworkNamespaceNamesSetnsErrnoAndPath() throws Exception {
        assumeTrue(TestSupport.isRoot(), "entering a namespace needs root (CAP_SYS_ADMIN): without it setns is EPERM for any file");
        for (Path notNet : List.of(Path.of("/proc/self/ns/uts"), Path.of("/proc/self/status"))) {
            var e = assertThrows(NetNamespaceException.class, () -> NetNamespace.open(notNet));
            assertEquals("setns", e.call());
            assertEquals("EINVAL", e.errnoName());
            assertEquals(notNet, e.path());
            assertEquals("setns " + notNet + ": EINVAL (Invalid argument): not a network namespace", e.getMessage());
        }
    }

    @Test
    void withoutPrivilegeEnteringIsEPERM() throws Exception {
        assumeTrue(!TestSupport.isRoot(), "as root setns succeeds: the refusal without CAP_SYS_ADMIN is tested only when not root");
        var e = assertThrows(NetNamespaceException.class, () -> NetNamespace.open(Path.of("/proc/self/ns/net")));
        assertEquals("EPERM", e.errnoName());
        assertTrue(e.getMessage().endsWith("entering a network namespace needs CAP_SYS_ADMIN"), e.getMessage());
    }

    @Test
    void badNamesAreRejectedBeforeAnyCall() {
        for (String bad : List.of("", ".", "..", "a/b", "a\0b", "x".repeat(256))) {
            assertThrows(IllegalArgumentException.class, () -> NetNamespace.open(bad), bad);
        }
        assertEquals("namespace name \"" + "x".repeat(256) + "\" is 256 bytes; a name in /run/netns is 1 to 255",
                assertThrows(IllegalArgumentException.class, () -> NetNamespace.open("x".repeat(256))).getMessage());
        assertEquals("namespace name \"a/b\" is not a file name in /run/netns: it is . or .., or holds a slash or a NUL",
                assertThrows(IllegalArgumentException.class, () -> NetNamespace.open("a/b")).getMessage());
        assertThrows(NullPointerException.class, () -> NetNamespace.open((String) null));
        assertThrows(NullPointerException.class, () -> NetNamespace.open((Path) null));
    }
}
