package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifaddrmsg;
import io.github.panamasockets.internal.gen.ifinfomsg;
import io.github.panamasockets.internal.gen.inet_diag_msg;
import io.github.panamasockets.internal.gen.inet_diag_sockid;
import io.github.panamasockets.internal.gen.rtmsg;
import io.github.panamasockets.internal.gen.unix_diag_msg;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed decoders on crafted messages: each field from its place, and bad input named. */
class RtnlRecordsTest {

    private static byte[] concat(byte[] head, byte[] attrs) {
        byte[] p = new byte[Wire.nlmsgAlign(head.length) + attrs.length];
        System.arraycopy(head, 0, p, 0, head.length);
        System.arraycopy(attrs, 0, p, Wire.nlmsgAlign(head.length), attrs.length);
        return p;
    }

    private static NetlinkMessage link(byte[] attrs) {
        byte[] h = new byte[(int) ifinfomsg.sizeof()];
        Wire.put16(h, (int) ifinfomsg.ifi_type$offset(), 1);
        Wire.put32(h, (int) ifinfomsg.ifi_index$offset(), 7);
        Wire.put32(h, (int) ifinfomsg.ifi_flags$offset(), LibC.IFF_UP() | LibC.IFF_BROADCAST());
        return NetlinkMessage.of(LibC.RTM_NEWLINK(), 0, concat(h, attrs));
    }

    @Test
    void linkFieldsAreReadFromTheirPlaces() throws Exception {
        byte[] mac = {2, 0, 0, 0, 0, 1};
        RtnlLink l = RtnlLink.from(link(new AttributeEncoder()
                .string(LibC.IFLA_IFNAME(), "psk0")
                .u32(LibC.IFLA_MTU(), 9000)
                .bytes(LibC.IFLA_ADDRESS(), mac)
                .u8(LibC.IFLA_OPERSTATE(), 6)
                .nestedUnflagged(LibC.IFLA_LINKINFO(), i -> i.string(LibC.IFLA_INFO_KIND(), "veth"))
                .u32(999, 1)
                .encode()));
        assertEquals(new RtnlLink(7, "psk0", 1, LibC.IFF_UP() | LibC.IFF_BROADCAST(), 9000, mac, OperState.UP, "veth"), l);
        assertTrue(l.isUp());
        assertEquals("02:00:00:00:00:01", l.addressText());
        assertEquals("RtnlLink[index=7, name=psk0, type=1, flags=IFF_UP|IFF_BROADCAST, mtu=9000, address=02:00:00:00:00:01, "
                + "operState=IF_OPER_UP, kind=veth]", l.toString());
        assertEquals(new RtnlEvent.Link(false, l), RtnlEvent.from(link(new AttributeEncoder()
                .string(LibC.IFLA_IFNAME(), "psk0").u32(LibC.IFLA_MTU(), 9000).bytes(LibC.IFLA_ADDRESS(), mac)
                .u8(LibC.IFLA_OPERSTATE(), 6).nested(LibC.IFLA_LINKINFO(), i -> i.string(LibC.IFLA_INFO_KIND(), "veth"))
                .encode())));
    }

    @Test
    void aWronglySizedAttributeIsNamedWithItsLength() {
        var e = assertThrows(NetlinkMalformedException.class,
                () -> RtnlLink.from(link(new AttributeEncoder().u16(LibC.IFLA_MTU(), 1500).encode())));
        assertEquals("attribute type " + LibC.IFLA_MTU() + " at offset 0: u32 needs 4 bytes, found 2", e.getMessage());
        e = assertThrows(NetlinkMalformedException.class, () -> RtnlLink.from(NetlinkMessage.of(LibC.RTM_NEWADDR(), 0, new byte[16])));
        assertEquals("message type 20 is not RTM_NEWLINK (16) or RTM_DELLINK (17)", e.getMessage());
    }

    @Test
    void anIpv4MappedIpv6AddressStaysIpv6() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 192, 0, 2, 1};
        RtnlAddr a = RtnlAddr.from(addr(LibC.AF_INET6(), 128, new AttributeEncoder().bytes(LibC.IFA_ADDRESS(), mapped).encode()));
        assertEquals(Family.INET6, a.family());
        assertInstanceOf(java.net.Inet6Address.class, a.address());
        assertEquals(16, a.address().getAddress().length);
    }

    private static NetlinkMessage addr(int family, int prefix, byte[] attrs) {
        byte[] h = new byte[(int) ifaddrmsg.sizeof()];
        h[(int) ifaddrmsg.ifa_family$offset()] = (byte) family;
        h[(int) ifaddrmsg.ifa_prefixlen$offset()] = (byte) prefix;
        h[(int) ifaddrmsg.ifa_scope$offset()] = (byte) LibC.RT_SCOPE_HOST();
        Wire.put32(h, (int) ifaddrmsg.ifa_index$offset(), 1);
        return NetlinkMessage.of(LibC.RTM_NEWADDR(), 0, concat(h, attrs));
    }

    @Test
    void addressPrefersLocalAndChecksTheFamilysLength() throws Exception {
        byte[] lo = {127, 0, 0, 1};
        RtnlAddr a = RtnlAddr.from(addr(LibC.AF_INET(), 8, new AttributeEncoder()
                .bytes(LibC.IFA_ADDRESS(), new byte[] {127, 0, 0, 2}).bytes(LibC.IFA_LOCAL(), lo)
                .string(LibC.IFA_LABEL(), "lo").u32(LibC.IFA_FLAGS(), 0x80).encode()));
        assertEquals(new RtnlAddr(Family.INET, 1, 8, InetAddress.getByAddress(lo), "lo", LibC.RT_SCOPE_HOST(), 0x80), a);
        assertEquals("127.0.0.1/8", a.cidr());
        var e = assertThrows(NetlinkMalformedException.class, () -> RtnlAddr.from(addr(LibC.AF_INET(), 8,
                new AttributeEncoder().bytes(LibC.IFA_LOCAL(), new byte[16]).encode())));
        assertEquals("IFA_LOCAL is 16 bytes; an AF_INET address needs 4", e.getMessage());
        e = assertThrows(NetlinkMalformedException.class, () -> RtnlAddr.from(addr(LibC.AF_INET(), 33,
                new AttributeEncoder().bytes(LibC.IFA_LOCAL(), lo).encode())));
        assertEquals("ifa_prefixlen 33 is more than the 32 bits of an AF_INET address", e.getMessage());
        e = assertThrows(NetlinkMalformedException.class, () -> RtnlAddr.from(addr(LibC.AF_INET(), 8, new byte[0])));
        assertEquals("address message for interface 1 has neither IFA_LOCAL nor IFA_ADDRESS", e.getMessage());
        e = assertThrows(NetlinkMalformedException.class, () -> RtnlAddr.from(addr(LibC.AF_PACKET(), 8, new byte[0])));
        assertEquals("address message of family AF_PACKET; only AF_INET and AF_INET6 are decoded", e.getMessage());
        assertInstanceOf(RtnlEvent.Other.class, RtnlEvent.from(addr(LibC.AF_PACKET(), 8, new byte[0])));
    }

    @Test
    void routeWithoutDestinationIsTheDefault() throws Exception {
        byte[] h = new byte[(int) rtmsg.sizeof()];
        h[(int) rtmsg.rtm_family$offset()] = (byte) LibC.AF_INET();
        h[(int) rtmsg.rtm_table$offset()] = (byte) LibC.RT_TABLE_MAIN();
        h[(int) rtmsg.rtm_protocol$offset()] = (byte) LibC.RTPROT_BOOT();
        h[(int) rtmsg.rtm_type$offset()] = (byte) LibC.RTN_UNICAST();
        byte[] gw = {(byte) 192, 0, 2, 1};
        RtnlRoute r = RtnlRoute.from(NetlinkMessage.of(LibC.RTM_NEWROUTE(), 0, concat(h, new AttributeEncoder()
                .bytes(LibC.RTA_GATEWAY(), gw).u32(LibC.RTA_OIF(), 4).u32(LibC.RTA_TABLE(), LibC.RT_TABLE_MAIN()).encode())));
        assertTrue(r.isDefault());
        assertEquals("default", r.destinationText());
        assertEquals(Optional.of(InetAddress.getByAddress(gw)), r.gateway());
        assertEquals(4, r.outputInterface());
        assertEquals(LibC.RT_TABLE_MAIN(), r.table());
        assertEquals(InetAddress.getByAddress(new byte[4]), r.destination());
        assertEquals("RtnlRoute[family=AF_INET, table=254, default, gateway=192.0.2.1, oif=4, protocol=3, "
                + "scope=RT_SCOPE_UNIVERSE, type=1, priority=0]", r.toString());
    }

    @Test
    void inetDiagMessageReadsPortsBigEndian() throws Exception {
        byte[] p = new byte[(int) inet_diag_msg.sizeof()];
        int id = (int) inet_diag_msg.id$offset();
        p[(int) inet_diag_msg.idiag_family$offset()] = (byte) LibC.AF_INET();
        p[(int) inet_diag_msg.idiag_state$offset()] = 10;
        Wire.put16(p, id + (int) inet_diag_sockid.idiag_sport$offset(), 8080, ByteOrder.BIG_ENDIAN);
        System.arraycopy(new byte[] {127, 0, 0, 1}, 0, p, id + (int) inet_diag_sockid.idiag_src$offset(), 4);
        Wire.put32(p, (int) inet_diag_msg.idiag_inode$offset(), -2);
        InetSockInfo s = InetSockInfo.from(NetlinkMessage.of(LibC.SOCK_DIAG_BY_FAMILY(), 0, p), Protocol.TCP);
        assertEquals(SockaddrInet4.loopback(8080), s.local());
        assertEquals(SockaddrInet4.any(0), s.remote());
        assertEquals(TcpState.LISTEN, s.state());
        assertEquals(0xFFFF_FFFEL, s.inode(), "unsigned");
    }

    @Test
    void unixDiagNameDecodesToTheBoundAddress() throws Exception {
        byte[] h = new byte[(int) unix_diag_msg.sizeof()];
        h[(int) unix_diag_msg.udiag_family$offset()] = (byte) LibC.AF_UNIX();
        h[(int) unix_diag_msg.udiag_type$offset()] = (byte) LibC.SOCK_STREAM();
        h[(int) unix_diag_msg.udiag_state$offset()] = 10;
        Wire.put32(h, (int) unix_diag_msg.udiag_ino$offset(), 1234);
        byte[] rq = new byte[8];
        Wire.put32(rq, 4, 128);
        UnixSockInfo s = UnixSockInfo.from(NetlinkMessage.of(LibC.SOCK_DIAG_BY_FAMILY(), 0, concat(h, new AttributeEncoder()
                .bytes(LibC.UNIX_DIAG_NAME(), "\0svc".getBytes()).bytes(LibC.UNIX_DIAG_RQLEN(), rq).encode())));
        assertEquals(SockaddrUnix.abstractName("svc"), s.name());
        assertEquals(SockType.STREAM, s.type());
        assertEquals(128, s.sendQueue());
        UnixSockInfo path = UnixSockInfo.from(NetlinkMessage.of(LibC.SOCK_DIAG_BY_FAMILY(), 0, concat(h, new AttributeEncoder()
                .bytes(LibC.UNIX_DIAG_NAME(), "/run/x.sock\0".getBytes()).encode())));
        assertEquals(SockaddrUnix.of("/run/x.sock"), path.name(), "the kernel's trailing NUL is not part of the name");
        var e = assertThrows(NetlinkMalformedException.class, () -> UnixSockInfo.from(NetlinkMessage.of(LibC.SOCK_DIAG_BY_FAMILY(), 0,
                concat(h, new AttributeEncoder().bytes(LibC.UNIX_DIAG_RQLEN(), new byte[4]).encode()))));
        assertEquals("attribute type 4 (UNIX_DIAG_RQLEN): struct unix_diag_rqlen needs 8 bytes, found 4", e.getMessage());
    }
}
