package io.github.panamasockets.address;

import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each kind of address is bound by a real kernel socket, and getsockname(2) must give back an
 * equal record: the proof that encoding and decoding agree with the kernel.
 */
class KernelRoundTripTest {

    @TempDir
    Path dir;

    private static Sockaddr bindAndRead(Family family, int type, Sockaddr address) {
        try (KernelSocket s = new KernelSocket(family, type, 0)) {
            return s.bind(address).localAddress();
        }
    }

    @Test
    void pathnameReadsBackEqual() {
        var address = SockaddrUnix.of(dir.resolve("a.sock"));
        assertEquals(address, bindAndRead(Family.UNIX, LibC.SOCK_STREAM(), address));
        assertTrue(Files.exists(dir.resolve("a.sock")), "bind created the socket file");
    }

    @Test
    void pathnameOf107BytesBindsAndReadsBackEqual() {
        String prefix = dir + "/";
        String path = prefix + "p".repeat(SockaddrUnix.MAX_PATHNAME - prefix.length());
        var address = SockaddrUnix.of(path);
        assertEquals(107, address.bytes().length);
        assertEquals(2 + 107 + 1, address.encodedLength());
        assertEquals(address, bindAndRead(Family.UNIX, LibC.SOCK_DGRAM(), address));
    }

    @Test
    void nonUtf8PathnameRoundTripsExactly() {
        byte[] base = dir.toString().getBytes(StandardCharsets.UTF_8);
        byte[] path = Arrays.copyOf(base, base.length + 4);
        path[base.length] = '/';
        path[base.length + 1] = (byte) 0xFF;
        path[base.length + 2] = (byte) 0xC3;
        path[base.length + 3] = (byte) 0x28;
        var address = SockaddrUnix.pathname(path);
        Sockaddr back = bindAndRead(Family.UNIX, LibC.SOCK_SEQPACKET(), address);
        assertEquals(address, back);
        assertTrue(Arrays.equals(path, ((SockaddrUnix.Pathname) back).bytes()));
    }

    @Test
    void abstractNameAtTheLimitReadsBackEqual() {
        byte[] name = new byte[SockaddrUnix.MAX_ABSTRACT_NAME];
        Arrays.fill(name, (byte) 'x');
        name[0] = 'p';
        name[1] = 's';
        name[2] = (byte) (ProcessHandle.current().pid() & 0x7f);
        name[50] = 0;                   // NULs inside an abstract name are part of it
        var address = SockaddrUnix.abstractName(name);
        assertEquals(2 + 1 + 107, address.encodedLength());
        assertEquals(address, bindAndRead(Family.UNIX, LibC.SOCK_STREAM(), address));
    }

    @Test
    void emptyAbstractNameIsNotAutobind() {
        // sun_path = "\0" with length 3 is the abstract name "", distinct from autobind (length 2).
        var address = SockaddrUnix.abstractName(new byte[0]);
        try (KernelSocket s = new KernelSocket(Family.UNIX, LibC.SOCK_DGRAM(), 0)) {
            assertEquals(address, s.bind(address).localAddress());
        } catch (IllegalStateException e) {
            // Another process may already hold the empty abstract name.
            assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
        }
    }

    @Test
    void unnamedBindAutobindsToFiveHexDigits() {
        Set<Sockaddr> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Sockaddr back = bindAndRead(Family.UNIX, LibC.SOCK_DGRAM(), SockaddrUnix.unnamed());
            var abs = assertInstanceOf(SockaddrUnix.Abstract.class, back);
            assertTrue(abs.nameString().matches("[0-9a-f]{5}"), "autobind name " + abs);
            assertTrue(seen.add(back), "each socket gets its own name");
        }
    }

    @Test
    void unboundUnixSocketIsUnnamed() {
        try (KernelSocket s = new KernelSocket(Family.UNIX, LibC.SOCK_STREAM(), 0)) {
            assertEquals(SockaddrUnix.unnamed(), s.localAddress());
        }
    }

    @Test
    void ipv4LoopbackReadsBackEqualAndPortZeroIsAssigned() {
        var back = (SockaddrInet4) bindAndRead(Family.INET, LibC.SOCK_DGRAM(), SockaddrInet4.loopback(0));
        assertNotEquals(0, back.port());
        assertEquals(SockaddrInet4.loopback(back.port()), back);
        // Bind that exact port again on a fresh socket (UDP, so no TIME_WAIT).
        assertEquals(back, bindAndRead(Family.INET, LibC.SOCK_DGRAM(), back));
    }

    @Test
    void ipv4AnyAddressReadsBackEqual() {
        var back = (SockaddrInet4) bindAndRead(Family.INET, LibC.SOCK_STREAM(), SockaddrInet4.any(0));
        assertEquals(SockaddrInet4.any(back.port()), back);
    }

    @Test
    void ipv6LoopbackWithoutScopeReadsBackEqual() {
        var back = (SockaddrInet6) bindAndRead(Family.INET6, LibC.SOCK_DGRAM(), SockaddrInet6.loopback(0));
        assertNotEquals(0, back.port());
        assertEquals(SockaddrInet6.loopback(back.port()), back);
    }

    @Test
    void ipv6LinkLocalWithScopeReadsBackEqual() {
        // fe80::1 is not assigned to lo, so bind with IP_FREEBIND; the kernel keeps the scope
        // (lo's index) because the address is link-local.
        var address = SockaddrInet6.of("fe80::1%lo", 0);
        assertNotEquals(0, address.scopeId());
        try (KernelSocket s = new KernelSocket(Family.INET6, LibC.SOCK_DGRAM(), 0)) {
            s.setIntOption(LibC.SOL_IP(), LibC.IP_FREEBIND(), 1);
            var back = (SockaddrInet6) s.bind(address).localAddress();
            assertEquals(address.withPort(back.port()), back);
            assertEquals("[fe80::1%lo]:" + back.port(), back.toString());
        }
    }

    @Test
    void ipv4MappedAddressReadsBackEqual() {
        var address = SockaddrInet6.mapped(SockaddrInet4.loopback(0));
        var back = (SockaddrInet6) bindAndRead(Family.INET6, LibC.SOCK_DGRAM(), address);
        assertTrue(back.isIpv4Mapped());
        assertEquals(address.withPort(back.port()), back);
    }

    @Test
    void netlinkBindWithPidZeroGetsAKernelAssignedPid() {
        try (KernelSocket s = new KernelSocket(Family.NETLINK, LibC.SOCK_RAW(), LibC.NETLINK_ROUTE())) {
            var back = (SockaddrNetlink) s.bind(SockaddrNetlink.kernel()).localAddress();
            assertNotEquals(0, back.pid(), "the kernel assigns a port id");
            assertEquals(new SockaddrNetlink(back.pid(), 0), back);
        }
    }

    @Test
    void netlinkBindWithGroupsReadsBackTheGroups() {
        int linkGroup = 1 << (LibC.RTNLGRP_LINK() - 1);
        try (KernelSocket s = new KernelSocket(Family.NETLINK, LibC.SOCK_RAW(), LibC.NETLINK_ROUTE())) {
            var back = (SockaddrNetlink) s.bind(new SockaddrNetlink(0, linkGroup)).localAddress();
            assertEquals(new SockaddrNetlink(back.pid(), linkGroup), back);
        }
    }
}
