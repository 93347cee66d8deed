package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifinfomsg;
import io.github.panamasockets.internal.gen.nlmsghdr;
import io.github.panamasockets.internal.gen.rtattr;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * AF_NETLINK by hand on the raw socket API: an RTM_GETLINK dump request (struct nlmsghdr and
 * struct ifinfomsg, encoded in host byte order at the generated layouts' offsets) sent to the
 * kernel over NETLINK_ROUTE, with sendTo and with send after connect, is answered with RTM_NEWLINK
 * messages carrying the request's sequence number and addressed to our port id, ended by
 * NLMSG_DONE, and listing the loopback interface "lo" under IFLA_IFNAME.
 */
class NetlinkRequestTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final int RECV_BUFFER = 32 * 1024;
    private static final long HDR = nlmsghdr.layout().byteSize();
    private static final long IFI = ifinfomsg.layout().byteSize();
    private static final long RTA = rtattr.layout().byteSize();

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    /** One RTM_NEWLINK reply, decoded. */
    record Link(int index, int flags, String name) {
    }

    /** Every reply to one dump request. */
    record Dump(List<Link> links, Set<Integer> sequences, Set<Integer> ports, int datagrams, boolean multiOnEveryLink) {
        Optional<Link> named(String name) {
            return links.stream().filter(l -> name.equals(l.name())).findFirst();
        }

        Set<String> names() {
            Set<String> names = new TreeSet<>();
            links.forEach(l -> names.add(l.name()));
            return names;
        }
    }

    /** struct nlmsghdr + struct ifinfomsg: RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, family AF_UNSPEC. */
    private static MemorySegment getLinkRequest(Arena arena, int seq) {
        long len = align4(HDR) + align4(IFI);
        MemorySegment req = arena.allocate(len, 4);          // zeroed: pid 0, ifinfomsg all 0
        req.set(ValueLayout.JAVA_INT, nlmsghdr.nlmsg_len$offset(), (int) len);
        req.set(ValueLayout.JAVA_SHORT, nlmsghdr.nlmsg_type$offset(), (short) LibC.RTM_GETLINK());
        req.set(ValueLayout.JAVA_SHORT, nlmsghdr.nlmsg_flags$offset(),
                (short) (LibC.NLM_F_REQUEST() | LibC.NLM_F_DUMP()));
        req.set(ValueLayout.JAVA_INT, nlmsghdr.nlmsg_seq$offset(), seq);
        req.set(ValueLayout.JAVA_INT, nlmsghdr.nlmsg_pid$offset(), 0);
        req.set(ValueLayout.JAVA_BYTE, align4(HDR) + ifinfomsg.ifi_family$offset(), (byte) LibC.AF_UNSPEC());
        return req;
    }

    /** Receives with recv into a 32 KiB buffer until NLMSG_DONE, decoding every message on the way. */
    private static Dump readDump(Sock nl, Arena arena) throws IOException {
        MemorySegment buf = arena.allocate(RECV_BUFFER, 8);
        List<Link> links = new ArrayList<>();
        Set<Integer> sequences = new TreeSet<>();
        Set<Integer> ports = new TreeSet<>();
        int datagrams = 0;
        boolean multi = true;
        while (true) {
            long n = nl.recv(buf);
            datagrams++;
            assertTrue(n >= HDR, "a netlink datagram holds at least one header: " + n + " bytes");
            long off = 0;
            while (off + HDR <= n) {
                MemorySegment msg = buf.asSlice(off);
                int len = msg.get(ValueLayout.JAVA_INT, nlmsghdr.nlmsg_len$offset());
                int type = Short.toUnsignedInt(msg.get(ValueLayout.JAVA_SHORT, nlmsghdr.nlmsg_type$offset()));
                int flags = Short.toUnsignedInt(msg.get(ValueLayout.JAVA_SHORT, nlmsghdr.nlmsg_flags$offset()));
                assertTrue(len >= HDR && off + len <= n, "nlmsg_len " + len + " fits at " + off + " of " + n);
                sequences.add(msg.get(ValueLayout.JAVA_INT, nlmsghdr.nlmsg_seq$offset()));
                ports.add(msg.get(ValueLayout.JAVA_INT, nlmsghdr.nlmsg_pid$offset()));
                if (type == LibC.NLMSG_DONE()) {
                    return new Dump(links, sequences, ports, datagrams, multi);
                }
                if (type == LibC.NLMSG_ERROR()) {
                    fail("the kernel answered with NLMSG_ERROR, errno " + -msg.get(ValueLayout.JAVA_INT, HDR));
                }
                if (type == LibC.RTM_NEWLINK()) {
                    multi &= (flags & LibC.NLM_F_MULTI()) != 0;
                    links.add(decodeLink(msg.asSlice(0, len)));
                }
                off += align4(len);
            }
            assertEquals(n, off, "the datagram holds whole messages");
        }
    }

    /** The ifinfomsg after the header, then the rtattrs, each 4-byte aligned; keeps IFLA_IFNAME. */
    private static Link decodeLink(MemorySegment msg) {
        MemorySegment ifi = msg.asSlice(align4(HDR));
        int index = ifi.get(ValueLayout.JAVA_INT, ifinfomsg.ifi_index$offset());
        int flags = ifi.get(ValueLayout.JAVA_INT, ifinfomsg.ifi_flags$offset());
        String name = null;
        long at = align4(HDR) + align4(IFI);
        while (at + RTA <= msg.byteSize()) {
            int alen = Short.toUnsignedInt(msg.get(ValueLayout.JAVA_SHORT, at + rtattr.rta_len$offset()));
            int atype = Short.toUnsignedInt(msg.get(ValueLayout.JAVA_SHORT, at + rtattr.rta_type$offset()));
            assertTrue(alen >= RTA && at + alen <= msg.byteSize(),
                    "rta_len " + alen + " fits at " + at + " of " + msg.byteSize());
            if (atype == LibC.IFLA_IFNAME()) {
                byte[] value = msg.asSlice(at + RTA, alen - RTA).toArray(ValueLayout.JAVA_BYTE);
                int end = 0;
                while (end < value.length && value[end] != 0) {
                    end++;
                }
                assertTrue(end < value.length, "IFLA_IFNAME is NUL-terminated");
                name = new String(value, 0, end, StandardCharsets.UTF_8);
            }
            at += align4(alen);
        }
        assertTrue(name != null, "every RTM_NEWLINK carries IFLA_IFNAME (index " + index + ")");
        return new Link(index, flags, name);
    }

    private static int portId(Sock nl) throws IOException {
        int pid = ((SockaddrNetlink) nl.localAddress()).pid();
        assertNotEquals(0, pid, "binding to the kernel's address gave us a port id of our own");
        return pid;
    }

    private static void assertAnsweredTo(Dump dump, int seq, int port) {
        assertTrue(dump.links().size() >= 1, "at least one RTM_NEWLINK arrived");
        assertEquals(Set.of(seq), dump.sequences(), "every reply's nlmsg_seq is the request's");
        assertEquals(Set.of(port), dump.ports(), "every reply is addressed to our port id");
        assertTrue(dump.multiOnEveryLink(), "dump replies are flagged NLM_F_MULTI");
        Link lo = dump.named("lo").orElseThrow(() -> new AssertionError("no interface \"lo\" in " + dump.names()));
        assertTrue((lo.flags() & LibC.IFF_LOOPBACK()) != 0, "lo has IFF_LOOPBACK: flags 0x" + Integer.toHexString(lo.flags()));
        assertEquals(1, lo.index(), "lo is interface 1 in every network namespace (LOOPBACK_IFINDEX)");
    }

    @Test
    void anRtmGetlinkDumpSentWithSendToIsAnsweredUpToNlmsgDone() throws Exception {
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
             Arena arena = Arena.ofShared()) {
            nl.bind(SockaddrNetlink.kernel());
            int port = portId(nl);
            int seq = 0x5EC0_0001;
            MemorySegment req = getLinkRequest(arena, seq);
            assertEquals(req.byteSize(), nl.sendTo(req, SockaddrNetlink.kernel()));
            Dump dump = assertTimeoutPreemptively(HANG_GUARD, () -> readDump(nl, arena));
            assertAnsweredTo(dump, seq, port);
        }
    }

    @Test
    void anRtmGetlinkDumpSentWithSendAfterConnectIsAnsweredUpToNlmsgDone() throws Exception {
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
             Arena arena = Arena.ofShared()) {
            nl.bind(SockaddrNetlink.kernel()).connect(SockaddrNetlink.kernel());
            assertEquals(SockaddrNetlink.kernel(), nl.peerAddress());
            int port = portId(nl);
            int seq = 77;
            MemorySegment req = getLinkRequest(arena, seq);
            assertEquals(req.byteSize(), nl.send(req));
            Dump dump = assertTimeoutPreemptively(HANG_GUARD, () -> readDump(nl, arena));
            assertAnsweredTo(dump, seq, port);
        }
    }

    @Test
    void twoDumpsInTurnEachCarryTheirOwnSequenceNumber() throws Exception {
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
             Arena arena = Arena.ofShared()) {
            nl.bind(SockaddrNetlink.kernel());
            int port = portId(nl);
            for (int seq : new int[] {1000, 1001}) {
                nl.sendTo(getLinkRequest(arena, seq), SockaddrNetlink.kernel());
                Dump dump = assertTimeoutPreemptively(HANG_GUARD, () -> readDump(nl, arena));
                assertAnsweredTo(dump, seq, port);
            }
        }
    }

    @Test
    void theDumpListsEveryInterfaceTheJdkSees() throws Exception {
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
             Arena arena = Arena.ofShared()) {
            nl.bind(SockaddrNetlink.kernel());
            nl.sendTo(getLinkRequest(arena, 42), SockaddrNetlink.kernel());
            Dump dump = assertTimeoutPreemptively(HANG_GUARD, () -> readDump(nl, arena));
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isVirtual() || ni.getName().contains(":")) {
                    continue;                                  // an IPv4 alias label, not a link
                }
                Link link = dump.named(ni.getName()).orElseThrow(
                        () -> new AssertionError("the JDK sees " + ni.getName() + "; the dump has " + dump.names()));
                assertEquals(ni.getIndex(), link.index(), "the kernel and the JDK agree on " + ni.getName() + "'s index");
            }
        }
    }
}
