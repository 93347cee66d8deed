package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IP_PKTINFO and IPV6_PKTINFO over UDP on the loopback: a received datagram says which address it
 * was sent to and on which interface it arrived; a sent one chooses its source address.
 */
class PktInfoTest {
    private static final ControlSpec PKTINFO = new ControlSpec(0, false, true, 0);

    /** The loopback interface's index, as the kernel numbers it. */
    private static int lo() throws IOException {
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).trim());
    }

    private static Cmsg.PktInfo only(MsgResult r) {
        assertFalse(r.controlTruncated(), r.toString());
        assertEquals(1, r.control().size(), r.toString());
        return assertInstanceOf(Cmsg.PktInfo.class, r.control().get(0));
    }

    @Test
    void ipv4DatagramsTo127001SayWhereTheyWentAndOnWhichInterface() throws Exception {
        try (var rx = Sock.open(Family.INET, SockType.DGRAM).set(SockOpt.IP_PKTINFO, true).bind(SockaddrInet4.loopback(0));
             var tx = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0))) {
            tx.sendTo("udp".getBytes(), 0, 3, rx.localAddress());
            byte[] buf = new byte[8];
            MsgResult r = rx.recvmsg(PKTINFO, 0, buf);
            assertEquals(3, r.length());
            assertEquals(tx.localAddress(), r.from());
            assertEquals(new Cmsg.PktInfo(SockaddrInet4.of("127.0.0.1", 0), lo()), only(r));
        }
    }

    @Test
    void aWildcardSocketLearnsWhichLoopbackAddressEachDatagramWasFor() throws Exception {
        try (var rx = Sock.open(Family.INET, SockType.DGRAM).set(SockOpt.IP_PKTINFO, true).bind(SockaddrInet4.any(0));
             var tx = Sock.open(Family.INET, SockType.DGRAM)) {
            int port = ((SockaddrInet4) rx.localAddress()).port();
            for (String to : new String[] {"127.0.0.1", "127.0.0.2", "127.0.0.1"}) {
                tx.sendTo(new byte[] {1}, 0, 1, SockaddrInet4.of(to, port));
                assertEquals(SockaddrInet4.of(to, 0), only(rx.recvmsg(PKTINFO, 0, new byte[4])).address());
            }
        }
    }

    @Test
    void ipv6DatagramsToLoopbackSayWhereTheyWentAndOnWhichInterface() throws Exception {
        try (var rx = Sock.open(Family.INET6, SockType.DGRAM).set(SockOpt.IPV6_RECVPKTINFO, true).bind(SockaddrInet6.loopback(0));
             var tx = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0))) {
            tx.sendTo("udp6".getBytes(), 0, 4, rx.localAddress());
            ByteBuffer buf = ByteBuffer.allocateDirect(8);
            MsgResult r = rx.recvmsg(PKTINFO, 0, buf);
            assertEquals(4, r.length());
            assertEquals(tx.localAddress(), r.from());
            assertEquals(new Cmsg.PktInfo(SockaddrInet6.loopback(0), lo()), only(r));
        }
    }

    @Test
    void aDualStackSocketSeesIpv4DestinationsAsMappedAddresses() throws Exception {
        try (var rx = Sock.open(Family.INET6, SockType.DGRAM).set(SockOpt.IPV6_V6ONLY, false)
                .set(SockOpt.IPV6_RECVPKTINFO, true).bind(SockaddrInet6.any(0));
             var tx = Sock.open(Family.INET, SockType.DGRAM)) {
            int port = ((SockaddrInet6) rx.localAddress()).port();
            tx.sendTo(new byte[] {1}, 0, 1, SockaddrInet4.loopback(port));
            Cmsg.PktInfo info = only(rx.recvmsg(PKTINFO, 0, new byte[4]));
            assertEquals(SockaddrInet6.mapped(SockaddrInet4.loopback(0)), info.address());
            assertEquals(lo(), info.interfaceIndex());
        }
    }

    @Test
    void withoutRoomThePacketInformationIsReportedCut() throws Exception {
        try (var rx = Sock.open(Family.INET, SockType.DGRAM).set(SockOpt.IP_PKTINFO, true).bind(SockaddrInet4.loopback(0));
             var tx = Sock.open(Family.INET, SockType.DGRAM)) {
            tx.sendTo(new byte[] {1}, 0, 1, rx.localAddress());
            MsgResult r = rx.recvmsg(ControlSpec.NONE, 0, new byte[4]);
            assertEquals(1, r.length());
            assertTrue(r.controlTruncated(), "MSG_CTRUNC: " + r);
            assertEquals(List.of(), r.control());
        }
    }

    @Test
    void sendingIpv4PacketInformationChoosesTheSourceAddress() throws Exception {
        try (var rx = Sock.open(Family.INET, SockType.DGRAM).set(SockOpt.IP_PKTINFO, true).bind(SockaddrInet4.any(0));
             var tx = Sock.open(Family.INET, SockType.DGRAM)) {
            Sockaddr to = SockaddrInet4.loopback(((SockaddrInet4) rx.localAddress()).port());
            for (String from : new String[] {"127.0.0.5", "127.0.0.9"}) {
                tx.sendmsg(to, List.of(new Cmsg.PktInfo(SockaddrInet4.of(from, 0), 0)), 0, new byte[] {1});
                MsgResult r = rx.recvmsg(PKTINFO, 0, new byte[4]);
                assertEquals(SockaddrInet4.of(from, ((SockaddrInet4) tx.localAddress()).port()), r.from());
                assertEquals(SockaddrInet4.loopback(0), only(r).address());
            }
        }
    }

    @Test
    void sendingIpv6PacketInformationNamesSourceAndInterface() throws Exception {
        try (var rx = Sock.open(Family.INET6, SockType.DGRAM).set(SockOpt.IPV6_RECVPKTINFO, true).bind(SockaddrInet6.loopback(0));
             var tx = Sock.open(Family.INET6, SockType.DGRAM)) {
            tx.sendmsg(rx.localAddress(), List.of(new Cmsg.PktInfo(SockaddrInet6.loopback(0), lo())), 0,
                    ByteBuffer.wrap(new byte[] {1}));
            MsgResult r = rx.recvmsg(PKTINFO, 0, new byte[4]);
            assertEquals(SockaddrInet6.loopback(((SockaddrInet6) tx.localAddress()).port()), r.from());
            assertEquals(new Cmsg.PktInfo(SockaddrInet6.loopback(0), lo()), only(r));
        }
    }

    @Test
    void anInterfaceThatDoesNotExistIsTheKernelsErrorNamed() throws Exception {
        try (var rx = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0));
             var tx = Sock.open(Family.INET6, SockType.DGRAM)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(SyscallException.class,
                    () -> tx.sendmsg(rx.localAddress(), List.of(new Cmsg.PktInfo(SockaddrInet6.loopback(0), 999_999)),
                            0, new byte[] {1}));
            assertEquals("sendmsg", e.call());
            assertTrue(e.errno() > 0, e.getMessage());
        }
    }
}
