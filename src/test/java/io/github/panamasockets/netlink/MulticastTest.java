package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.SyscallException;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.pollfd;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multicast groups and events: joining and leaving groups beyond 32, typed events for links and
 * addresses, and an overflowing receive queue reported as lost events. The events are made in a
 * network namespace of each test's own (TestNamespace), where the subscribed socket is opened too:
 * it then hears that namespace's changes and nothing of the host's, and the host is not touched.
 *
 * <p>The kernel queues a change's events before it acknowledges the request that made it, so the
 * tests read only what poll(2) says is queued: they never wait, and use no time limits.
 */
class MulticastTest {
    @Test
    void groupsBeyond32AreJoinedAndLeft() throws IOException {
        try (var nl = NetlinkSocket.open(Protocol.NETLINK_ROUTE)) {
            assertEquals(List.of(), nl.groups());
            nl.joinGroup(RtnlGroup.LINK.value());
            nl.joinGroup(33);   // RTNLGRP_BRVLAN: beyond the 32 bits of sockaddr_nl's nl_groups
            nl.joinGroup(36);   // RTNLGRP_STATS
            assertEquals(List.of(1, 33, 36), nl.groups());
            nl.leaveGroup(33);
            assertEquals(List.of(1, 36), nl.groups());
            nl.leaveGroup(33);   // not a member: nothing happens
            nl.leaveGroup(1);
            nl.leaveGroup(36);
            assertEquals(List.of(), nl.groups());
        }
    }

    @Test
    void badGroupsAreRefused() throws IOException {
        try (var nl = NetlinkSocket.open(Protocol.NETLINK_ROUTE)) {
            assertEquals("multicast group 0 is not a group: they are numbered from 1",
                    assertThrows(IllegalArgumentException.class, () -> nl.joinGroup(0)).getMessage());
            var e = assertThrows(SyscallException.class, () -> nl.joinGroup(100_000));
            assertEquals(LibC.EINVAL(), e.errno());
            assertTrue(e.getMessage().startsWith("setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP 100000)"), e.getMessage());
        }
    }

    @Test
    void subscriptionJoinsItsGroups() throws IOException {
        try (var events = RouteNetlink.subscribe(RtnlGroup.LINK, RtnlGroup.IPV4_IFADDR, RtnlGroup.IPV6_IFADDR)) {
            assertEquals(List.of(RtnlGroup.LINK.value(), RtnlGroup.IPV4_IFADDR.value(), RtnlGroup.IPV6_IFADDR.value()),
                    events.socket().groups());
            events.leave(RtnlGroup.LINK);
            events.join(RtnlGroup.IPV4_ROUTE);
            assertFalse(events.socket().groups().contains(RtnlGroup.LINK.value()));
            assertTrue(events.socket().groups().contains(RtnlGroup.IPV4_ROUTE.value()));
        }
    }

    /**
     * Reads the queued events until one matches, and fails if none does. The kernel queues a
     * change's notification before it acknowledges the request that made it, so the event is
     * already queued when this is called: no waiting, and no time limit, is involved.
     */
    private static <T extends RtnlEvent> T await(RtnlSubscription events, Class<T> type, Predicate<T> match)
            throws IOException {
        List<RtnlEvent> seen = new java.util.ArrayList<>();
        while (queued(events.socket())) {
            for (RtnlEvent e : events.receive()) {
                if (type.isInstance(e) && match.test(type.cast(e))) {
                    return type.cast(e);
                }
                seen.add(e);
            }
        }
        throw new AssertionError("no matching " + type.getSimpleName() + " event was queued; saw " + seen);
    }

    /** Reads the queued events up to the new link's, which must describe it as the get did; returns its index. */
    private static int awaitNewLink(RtnlSubscription events, RtnlLink made) throws IOException {
        var e = await(events, RtnlEvent.Link.class, x -> x.link().name().equals(made.name()));
        assertFalse(e.removed());
        assertEquals(made.index(), e.link().index());
        assertEquals(made.kind(), e.link().kind());
        return made.index();
    }

    @Test
    void linkAndAddressChangesArriveAsTypedEvents() throws Exception {
        try (TestNamespace t = TestNamespace.create();
             var rt = RouteNetlink.open(t.ns);
             var events = RouteNetlink.subscribe(t.ns, RtnlGroup.LINK, RtnlGroup.IPV4_IFADDR, RtnlGroup.IPV6_IFADDR)) {
            // A link made by kind alone (a bridge: this kernel has no dummy driver), then a veth pair.
            rt.createLink("psk-br", "bridge");
            int bridge = awaitNewLink(events, rt.link("psk-br"));
            rt.createVeth("psk-e", "psk-f");
            int index = awaitNewLink(events, rt.link("psk-e"));

            InetAddress v4 = InetAddress.getByName("198.51.100.1");
            InetAddress v6 = InetAddress.getByName("2001:db8::1");
            rt.addAddress(index, v4, 24);
            var added = await(events, RtnlEvent.Addr.class, e -> e.address().index() == index
                    && e.address().family().equals(Family.INET));
            assertFalse(added.removed());
            assertEquals(v4, added.address().address());
            assertEquals(24, added.address().prefixLength());
            assertEquals("psk-e", added.address().label());

            rt.addAddress(index, v6, 64);
            var added6 = await(events, RtnlEvent.Addr.class, e -> e.address().index() == index
                    && e.address().address().equals(v6));
            assertFalse(added6.removed());
            assertEquals(Family.INET6, added6.address().family());
            assertEquals(64, added6.address().prefixLength());

            rt.deleteAddress(index, v4, 24);
            var removed = await(events, RtnlEvent.Addr.class, e -> e.address().index() == index && e.removed()
                    && e.address().address().equals(v4));
            assertEquals(24, removed.address().prefixLength());

            rt.deleteLink(index);
            var gone = await(events, RtnlEvent.Link.class, e -> e.removed() && e.link().name().equals("psk-e"));
            assertEquals(index, gone.link().index());
            rt.deleteLink(bridge);
            await(events, RtnlEvent.Link.class, e -> e.removed() && e.link().index() == bridge);
        }
    }

    @Test
    void aSubscriptionInTheHostHearsNothingOfTheNamespace() throws Exception {
        try (TestNamespace t = TestNamespace.create();
             var rt = RouteNetlink.open(t.ns);
             var inside = RouteNetlink.subscribe(t.ns, RtnlGroup.LINK);
             var host = RouteNetlink.subscribe(RtnlGroup.LINK)) {
            rt.createLink("psk-quiet", "bridge");
            await(inside, RtnlEvent.Link.class, e -> e.link().name().equals("psk-quiet"));
            // The host may have changes of its own queued: none of them is the namespace's link.
            while (queued(host.socket())) {
                for (RtnlEvent e : host.receive()) {
                    assertFalse(e instanceof RtnlEvent.Link l && l.link().name().equals("psk-quiet"), e.toString());
                }
            }
        }
    }

    /**
     * Whether a receive would return at once: poll(2) with no timeout reports a queued datagram
     * (POLLIN) or a pending error such as ENOBUFS (POLLERR), without consuming either.
     */
    private static boolean queued(NetlinkSocket nl) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            MemorySegment p = pollfd.allocate(arena);
            pollfd.fd(p, nl.socket().fd());
            pollfd.events(p, (short) LibC.POLLIN());
            int n = Syscalls.poll(capture, p, 1, 0);
            assertTrue(n >= 0, "poll failed: errno " + Syscalls.errno(capture));
            return n > 0;
        }
    }

    @Test
    void aFloodedQueueIsReportedAsLostEventsAndTheSubscriptionGoesOn() throws Exception {
        try (TestNamespace t = TestNamespace.create();
             var rt = RouteNetlink.open(t.ns);
             var events = RouteNetlink.subscribe(t.ns, RtnlGroup.IPV4_IFADDR, RtnlGroup.LINK);
             Arena arena = Arena.ofConfined()) {
            // The smallest receive buffer the kernel allows (SO_RCVBUF 1 is raised to its minimum).
            setReceiveBuffer(events, arena, 1);
            rt.createVeth("psk-o", "psk-p");
            int index = rt.link("psk-o").index();
            byte[] v4 = {(byte) 198, 51, 100, 0};
            for (int i = 1; i <= 100; i++) {    // 200 events, unread
                v4[3] = (byte) i;
                InetAddress addr = InetAddress.getByAddress(v4);
                rt.addAddress(index, addr, 32);
                rt.deleteAddress(index, addr, 32);
            }
            // What fitted in the queue, then the loss; reading stops when nothing more is queued.
            NetlinkEventsLostException lost = null;
            while (lost == null && queued(events.socket())) {
                try {
                    events.receive();
                } catch (NetlinkEventsLostException e) {
                    lost = e;
                }
            }
            assertTrue(lost != null, "200 unread events in the smallest receive buffer were not reported lost");
            assertTrue(lost.getMessage().startsWith("events were lost, resync"), lost.getMessage());
            // Resync as an application would: a larger buffer, and what is still queued read.
            setReceiveBuffer(events, arena, 1 << 20);
            while (queued(events.socket())) {
                events.receive();
            }
            // The subscription still works: the link's removal arrives.
            rt.deleteLink(index);
            await(events, RtnlEvent.Link.class, e -> e.removed() && e.link().index() == index);
        }
    }

    private static void setReceiveBuffer(RtnlSubscription events, Arena arena, int bytes) {
        MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
        value.set(ValueLayout.JAVA_INT, 0, bytes);
        MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
        assertEquals(0, Syscalls.setsockopt(capture, events.socket().socket().fd(), LibC.SOL_SOCKET(), LibC.SO_RCVBUF(), value, 4),
                "setsockopt(SO_RCVBUF): errno " + Syscalls.errno(capture));
    }
}
