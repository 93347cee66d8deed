package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifinfomsg;
import io.github.panamasockets.internal.gen.nlmsghdr;
import io.github.panamasockets.internal.gen.rtattr;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The two families java.nio has no way to reach: a raw ICMP socket (as root) and a netlink
 * request answered by the kernel.
 */
class RawAndNetlinkTest {

    static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");     // the effective uid
            }
        }
        return false;
    }

    private static int checksum(byte[] b) {
        int sum = 0;
        for (int i = 0; i < b.length; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (i + 1 < b.length ? b[i + 1] & 0xFF : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return ~sum & 0xFFFF;
    }

    @Test
    void rawIcmpEchoToLoopbackIsAnswered() throws Exception {
        assumeTrue(isRoot(), "raw sockets need root (CAP_NET_RAW): the ICMP echo case is skipped");
        try (var raw = Sock.open(Family.INET, SockType.RAW, Protocol.ICMP)) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                int id = (int) (ProcessHandle.current().pid() & 0xFFFF);
                byte[] payload = "panama-sockets ping".getBytes();
                ByteBuffer icmp = ByteBuffer.allocate(8 + payload.length).order(ByteOrder.BIG_ENDIAN);
                icmp.put((byte) LibC.ICMP_ECHO()).put((byte) 0).putShort((short) 0)
                        .putShort((short) id).putShort((short) 1).put(payload);
                icmp.putShort(2, (short) checksum(icmp.array()));
                raw.sendTo(icmp.array(), 0, icmp.capacity(), SockaddrInet4.loopback(0));
                byte[] buf = new byte[1500];
                while (true) {
                    Received r = raw.recvFrom(buf, 0, buf.length);
                    int ihl = (buf[0] & 0x0F) * 4;       // a raw IPv4 socket receives the IP header
                    ByteBuffer reply = ByteBuffer.wrap(buf, ihl, r.length() - ihl).order(ByteOrder.BIG_ENDIAN);
                    int type = reply.get(ihl) & 0xFF;
                    int replyId = reply.getShort(ihl + 4) & 0xFFFF;
                    if (type == LibC.ICMP_ECHOREPLY() && replyId == id) {
                        assertEquals(SockaddrInet4.loopback(0), r.from());
                        assertEquals(new String(payload), new String(buf, ihl + 8, payload.length));
                        return;
                    }
                    // Our own request comes back too on loopback; skip it and any other traffic.
                }
            });
        }
    }

    @Test
    void netlinkLinkDumpIsAnsweredByTheKernel() throws Exception {
        try (var nl = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE);
             Arena arena = Arena.ofConfined()) {
            nl.bind(SockaddrNetlink.kernel());
            int seq = 4242;
            int len = (int) (nlmsghdr.layout().byteSize() + ifinfomsg.layout().byteSize());
            MemorySegment req = arena.allocate(len, 4);
            nlmsghdr.nlmsg_len(req, len);
            nlmsghdr.nlmsg_type(req, (short) LibC.RTM_GETLINK());
            nlmsghdr.nlmsg_flags(req, (short) (LibC.NLM_F_REQUEST() | LibC.NLM_F_DUMP()));
            nlmsghdr.nlmsg_seq(req, seq);
            ifinfomsg.ifi_family(req.asSlice(nlmsghdr.layout().byteSize()), (byte) LibC.AF_UNSPEC());
            assertEquals(len, nl.sendTo(req, SockaddrNetlink.kernel()));

            Set<String> names = new HashSet<>();
            int links = 0;
            MemorySegment buf = arena.allocate(64 * 1024, 8);
            boolean done = false;
            while (!done) {
                Received r = nl.recvFrom(buf);
                assertEquals(SockaddrNetlink.kernel(), r.from(), "replies come from the kernel");
                int off = 0;
                while (off + nlmsghdr.layout().byteSize() <= r.length()) {
                    MemorySegment msg = buf.asSlice(off);
                    int mlen = nlmsghdr.nlmsg_len(msg);
                    int type = nlmsghdr.nlmsg_type(msg);
                    assertEquals(seq, nlmsghdr.nlmsg_seq(msg), "a reply to our request");
                    if (type == LibC.NLMSG_DONE()) {
                        done = true;
                        break;
                    }
                    assertTrue(type != LibC.NLMSG_ERROR(), "the kernel answered with an error");
                    if (type == LibC.RTM_NEWLINK()) {
                        links++;
                        long attr = nlmsghdr.layout().byteSize() + ifinfomsg.layout().byteSize();
                        while (attr + rtattr.layout().byteSize() <= mlen) {
                            MemorySegment a = msg.asSlice(attr);
                            int alen = Short.toUnsignedInt(rtattr.rta_len(a));
                            if (alen < rtattr.layout().byteSize()) {
                                break;
                            }
                            if (rtattr.rta_type(a) == LibC.IFLA_IFNAME()) {
                                names.add(a.getString(rtattr.layout().byteSize()));
                            }
                            attr += (alen + 3) & ~3;
                        }
                    }
                    off += (mlen + 3) & ~3;
                }
            }
            assertTrue(links >= 1, "at least one RTM_NEWLINK");
            assertTrue(names.contains("lo"), "the loopback interface is listed: " + names);
        }
    }

    @Test
    void netlinkSocketNamesMatchTheKernelsView() throws IOException {
        try (var a = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel());
             var b = Sock.open(Family.NETLINK, SockType.DGRAM, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel())) {
            int pa = ((SockaddrNetlink) a.localAddress()).pid();
            int pb = ((SockaddrNetlink) b.localAddress()).pid();
            assertTrue(pa != 0 && pb != 0 && pa != pb, "distinct kernel-assigned port ids: " + pa + ", " + pb);
            // Netlink unicast between two of our sockets, no kernel involved.
            a.sendTo(MemorySegment.ofArray(new byte[16]), b.localAddress());
            Received r = b.recvFrom(new byte[64], 0, 64);
            assertEquals(16, r.length());
            assertEquals(a.localAddress(), r.from());
        }
    }
}
