package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SOCK_RAW with IPPROTO_ICMP, which java.nio cannot open: an ICMP echo request built by hand
 * (header, identifier, sequence, payload and Internet checksum) and sent to 127.0.0.1 is answered
 * by the kernel, and the reply, read with its 20-byte IPv4 header, matches the request. Runs only
 * as root with CAP_NET_RAW; skipped visibly otherwise.
 */
class RawSocketTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final int IPV4_HEADER = 20;
    private static final int ICMP_HEADER = 8;
    private static final int CAP_NET_RAW = 13;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** Skips the calling test, visibly, unless this process may open raw sockets and the kernel answers pings. */
    private static void assumeRootWithCapNetRaw() throws IOException {
        String uid = statusField("Uid:");                    // real, effective, saved, fs
        String[] ids = uid == null ? new String[0] : uid.trim().split("\\s+");
        boolean root = ids.length >= 2 && ids[1].equals("0");
        String capEff = statusField("CapEff:");
        boolean netRaw = capEff != null && new BigInteger(capEff.trim(), 16).testBit(CAP_NET_RAW);
        assumeTrue(root && netRaw, "raw sockets need root (CAP_NET_RAW): effective uid "
                + (ids.length >= 2 ? ids[1] : "unknown") + ", CapEff " + capEff + "; the raw ICMP case is skipped");
        Path ignore = Path.of("/proc/sys/net/ipv4/icmp_echo_ignore_all");
        assumeTrue(!Files.isReadable(ignore) || Files.readString(ignore).trim().equals("0"),
                "net.ipv4.icmp_echo_ignore_all is set: the kernel will not answer an echo request");
    }

    private static String statusField(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(name)) {
                return line.substring(name.length());
            }
        }
        return null;
    }

    /** The Internet checksum (RFC 1071) of {@code b[off, off+len)}. */
    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** An ICMP echo request: type 8, code 0, checksum, identifier, sequence, then the payload. */
    static byte[] echoRequest(int id, int seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(ICMP_HEADER + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) LibC.ICMP_ECHO()).put((byte) 0).putShort((short) 0)
                .putShort((short) id).putShort((short) seq).put(payload);
        byte[] bytes = b.array();
        int sum = checksum(bytes, 0, bytes.length);
        bytes[2] = (byte) (sum >> 8);
        bytes[3] = (byte) sum;
        return bytes;
    }

    /** What a raw socket read: the IPv4 header and the ICMP message after it. */
    record Packet(byte[] bytes, int length, Received received) {
        int ihl() {
            return (bytes[0] & 0x0F) * 4;
        }

        int icmpType() {
            return bytes[ihl()] & 0xFF;
        }

        int icmpId() {
            return ((bytes[ihl() + 4] & 0xFF) << 8) | (bytes[ihl() + 5] & 0xFF);
        }

        int icmpSeq() {
            return ((bytes[ihl() + 6] & 0xFF) << 8) | (bytes[ihl() + 7] & 0xFF);
        }

        byte[] icmpPayload() {
            return Arrays.copyOfRange(bytes, ihl() + ICMP_HEADER, length);
        }
    }

    /** Receives until the echo reply to (id, seq) arrives; other ICMP traffic, our request included, is passed over. */
    private static Packet awaitReply(Sock raw, int id, int seq) throws IOException {
        byte[] buf = new byte[2048];
        while (true) {
            Received r = raw.recvFrom(buf, 0, buf.length);
            assertTrue(r.length() >= IPV4_HEADER + ICMP_HEADER, "a raw ICMP read holds an IP and an ICMP header: " + r);
            Packet p = new Packet(buf.clone(), r.length(), r);
            if (p.icmpType() == LibC.ICMP_ECHOREPLY() && p.icmpId() == id && p.icmpSeq() == seq) {
                return p;
            }
        }
    }

    /** Checks a reply against the request: IPv4 header fields, ICMP checksum, identity and payload. */
    private static void assertIsTheReplyTo(Packet reply, int id, int seq, byte[] payload) {
        byte[] b = reply.bytes();
        assertEquals(4, (b[0] & 0xF0) >> 4, "IP version");
        assertEquals(IPV4_HEADER, reply.ihl(), "a reply on loopback has a 20-byte IPv4 header, no options");
        int totalLength = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        assertEquals(reply.length(), totalLength, "the IP total length is what recvfrom returned");
        assertEquals(LibC.IPPROTO_ICMP(), b[9] & 0xFF, "the IP protocol is ICMP");
        assertEquals(0, checksum(b, 0, IPV4_HEADER), "the IP header checksum verifies");
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Arrays.copyOfRange(b, 12, 16), "the IP source is 127.0.0.1");
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Arrays.copyOfRange(b, 16, 20), "the IP destination is 127.0.0.1");
        assertEquals(IPV4_HEADER + ICMP_HEADER + payload.length, reply.length());
        assertEquals(0, b[IPV4_HEADER + 1], "ICMP code 0");
        assertEquals(0, checksum(b, IPV4_HEADER, reply.length() - IPV4_HEADER), "the ICMP checksum verifies");
        assertEquals(id, reply.icmpId());
        assertEquals(seq, reply.icmpSeq());
        assertArrayEquals(payload, reply.icmpPayload(), "the reply carries the request's payload back");
        assertEquals(SockaddrInet4.loopback(0), reply.received().from(), "recvfrom names 127.0.0.1 as the sender");
    }

    private static byte[] payload() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        byte[] text = "panama-sockets raw ICMP echo ".getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(text, text.length + nonce.length);
        System.arraycopy(nonce, 0, all, text.length, nonce.length);
        return all;
    }

    private static int freshId() {
        return ThreadLocalRandom.current().nextInt(1, 0x10000);
    }

    @Test
    void theRequestChecksumIsTheOnesComplementSum() {
        // RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, whose complement is 220d.
        byte[] rfc = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(0x220d, checksum(rfc, 0, rfc.length));
        byte[] req = echoRequest(0x1234, 7, "odd".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, checksum(req, 0, req.length), "a message with its checksum in place sums to zero");
    }

    @Test
    void anIcmpEchoRequestToLoopbackIsAnsweredWithAnEchoReply() throws Exception {
        assumeRootWithCapNetRaw();
        try (var raw = Sock.open(Family.INET, SockType.RAW, Protocol.ICMP)) {
            assertEquals(SockType.RAW, raw.type());
            assertEquals(Protocol.ICMP, raw.protocol());
            int id = freshId();
            int seq = SEQUENCE.incrementAndGet();
            byte[] payload = payload();
            byte[] request = echoRequest(id, seq, payload);
            assertEquals(request.length, raw.sendTo(request, 0, request.length, SockaddrInet4.loopback(0)),
                    "a raw ICMP socket sends the ICMP message; the kernel adds the IP header");
            Packet reply = assertTimeoutPreemptively(HANG_GUARD, () -> awaitReply(raw, id, seq));
            assertIsTheReplyTo(reply, id, seq, payload);
        }
    }

    @Test
    void aConnectedRawSocketPingsWithPlainSendAndANativeSegment() throws Exception {
        assumeRootWithCapNetRaw();
        try (var raw = Sock.open(Family.INET, SockType.RAW, Protocol.ICMP).connect(SockaddrInet4.loopback(0));
             Arena arena = Arena.ofShared()) {
            // getpeername(2) says ENOTCONN on a raw socket (it has no port); the connect took effect
            // if a plain send, which names no address, reaches 127.0.0.1.
            int id = freshId();
            int seq = SEQUENCE.incrementAndGet();
            byte[] payload = payload();
            byte[] request = echoRequest(id, seq, payload);
            MemorySegment seg = arena.allocate(request.length);
            seg.copyFrom(MemorySegment.ofArray(request));
            assertEquals(request.length, raw.send(seg));
            Packet reply = assertTimeoutPreemptively(HANG_GUARD, () -> awaitReply(raw, id, seq));
            assertIsTheReplyTo(reply, id, seq, payload);
        }
    }
}
