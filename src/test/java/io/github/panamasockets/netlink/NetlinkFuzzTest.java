package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.ifaddrmsg;
import io.github.panamasockets.internal.gen.ifinfomsg;
import io.github.panamasockets.internal.gen.inet_diag_req_v2;
import io.github.panamasockets.internal.gen.rtmsg;
import io.github.panamasockets.internal.gen.unix_diag_req;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes every decoder with 10^6 mutated messages: real kernel replies (links, addresses, routes,
 * TCP/UDP/Unix socket listings) and crafted acknowledgements, with every {@code nlmsg_len} and every
 * {@code nla_len} (nested ones included) set to each value from 0 to 20, then random mutations.
 * Nothing may escape but the library's own {@link NetlinkException}; whatever parses must encode
 * and parse back to equal messages and attributes. Attributes are walked after each family header
 * size in the systematic part, and after two sizes chosen at random in the random part.
 */
class NetlinkFuzzTest {
    private static final int TOTAL = 1_000_000;
    /** Family header sizes after which attributes are tried: none, ifaddrmsg, rtmsg, ifinfomsg, nlmsgerr, inet_diag_msg. */
    private static final int[] HEADERS = {0, 4, 8, 12, 16, 20, 72};

    private static final List<byte[]> CORPUS = new ArrayList<>();

    @BeforeAll
    static void corpus() throws IOException {
        try (var rt = RouteNetlink.open(); var diag = SockDiag.open()) {
            NetlinkSocket nl = rt.socket();
            add(nl.execute(NetlinkMessage.request(LibC.RTM_GETLINK(), NetlinkFlags.DUMP, new byte[(int) ifinfomsg.sizeof()])));
            for (Family f : List.of(Family.INET, Family.INET6)) {
                byte[] ifaddr = new byte[(int) ifaddrmsg.sizeof()];
                ifaddr[(int) ifaddrmsg.ifa_family$offset()] = (byte) f.value();
                add(nl.execute(NetlinkMessage.request(LibC.RTM_GETADDR(), NetlinkFlags.DUMP, ifaddr)));
                byte[] rtm = new byte[(int) rtmsg.sizeof()];
                rtm[(int) rtmsg.rtm_family$offset()] = (byte) f.value();
                add(nl.execute(NetlinkMessage.request(LibC.RTM_GETROUTE(), NetlinkFlags.DUMP, rtm)));
            }
            NetlinkSocket d = diag.socket();
            try (var server = io.github.panamasockets.Sock.open(Family.INET, io.github.panamasockets.SockType.STREAM)
                    .bind(io.github.panamasockets.address.SockaddrInet4.loopback(0)).listen()) {
                assertTrue(server.isOpen(), "a listener of our own, so the dump has one");
                byte[] req = new byte[(int) inet_diag_req_v2.sizeof()];
                req[(int) inet_diag_req_v2.sdiag_family$offset()] = (byte) LibC.AF_INET();
                req[(int) inet_diag_req_v2.sdiag_protocol$offset()] = (byte) LibC.IPPROTO_TCP();
                Wire.put32(req, (int) inet_diag_req_v2.idiag_states$offset(), -1);
                add(d.execute(NetlinkMessage.request(LibC.SOCK_DIAG_BY_FAMILY(), NetlinkFlags.DUMP, req)));
            }
            try (var pair = io.github.panamasockets.Sock.pair(io.github.panamasockets.SockType.STREAM)) {
                assertTrue(pair.first().isOpen(), "a connected pair of our own, so the dump has peers");
                byte[] req = new byte[(int) unix_diag_req.sizeof()];
                req[(int) unix_diag_req.sdiag_family$offset()] = (byte) LibC.AF_UNIX();
                Wire.put32(req, (int) unix_diag_req.udiag_states$offset(), -1);
                Wire.put32(req, (int) unix_diag_req.udiag_show$offset(),
                        LibC.UDIAG_SHOW_NAME() | LibC.UDIAG_SHOW_PEER() | LibC.UDIAG_SHOW_RQLEN());
                List<NetlinkMessage> unix = d.execute(NetlinkMessage.request(LibC.SOCK_DIAG_BY_FAMILY(), NetlinkFlags.DUMP, req));
                add(unix.subList(0, Math.min(unix.size(), 20)));
            }
        }
        // Crafted acknowledgements: a capped error with extended-ack text and offset, an uncapped
        // one echoing its request, an ACK, and a DONE carrying an error.
        NetlinkMessage req = new NetlinkMessage(new NetlinkHeader(0, 16, NetlinkFlags.REQUEST, 9, 1), new byte[] {1, 2, 3, 4, 5});
        byte[] tlvs = new AttributeEncoder().string(LibC.NLMSGERR_ATTR_MSG(), "bad attribute").u32(LibC.NLMSGERR_ATTR_OFFS(), 20).encode();
        byte[] capped = new byte[20 + tlvs.length];
        Wire.put32(capped, 0, -22);
        System.arraycopy(req.encode(), 0, capped, 4, 16);
        System.arraycopy(tlvs, 0, capped, 20, tlvs.length);
        CORPUS.add(NetlinkMessage.of(LibC.NLMSG_ERROR(), NetlinkFlags.CAPPED | NetlinkFlags.ACK_TLVS, capped).encode());
        byte[] echoed = req.encode();
        byte[] uncapped = new byte[4 + echoed.length + tlvs.length];
        Wire.put32(uncapped, 0, -1);
        System.arraycopy(echoed, 0, uncapped, 4, echoed.length);
        System.arraycopy(tlvs, 0, uncapped, 4 + echoed.length, tlvs.length);
        CORPUS.add(NetlinkMessage.of(LibC.NLMSG_ERROR(), NetlinkFlags.ACK_TLVS, uncapped).encode());
        CORPUS.add(NetlinkMessage.of(LibC.NLMSG_ERROR(), NetlinkFlags.CAPPED, Arrays.copyOf(capped, 20)).encode());
        byte[] done = new byte[4 + tlvs.length];
        Wire.put32(done, 0, -4);
        System.arraycopy(tlvs, 0, done, 4, tlvs.length);
        CORPUS.add(NetlinkMessage.of(LibC.NLMSG_DONE(), NetlinkFlags.MULTI | NetlinkFlags.ACK_TLVS, done).encode());
        // Deeply nested attributes with both flags.
        byte[] nested = new AttributeEncoder().nested(1, a -> a.nested(2, b -> b.nested(3, c -> c.u64(4 | 0x4000, 7)
                .string(5, "deep")))).u8(6, 1).encode();
        byte[] link = new byte[16 + nested.length];
        System.arraycopy(nested, 0, link, 16, nested.length);
        CORPUS.add(NetlinkMessage.of(LibC.RTM_NEWLINK(), 0, link).encode());
        assertTrue(CORPUS.size() > 10, "the kernel gave a corpus: " + CORPUS.size());
    }

    private static void add(List<NetlinkMessage> messages) {
        for (NetlinkMessage m : messages) {
            CORPUS.add(m.encode());
        }
    }

    // ------------------------------------------------------------------------------ decoding

    /** Runs every decoder on a datagram; returns whether the framing parsed. */
    private static boolean decodeAll(byte[] datagram, int[] headers) {
        List<NetlinkMessage> messages;
        try {
            messages = NetlinkMessage.parseAll(datagram);
        } catch (NetlinkMalformedException e) {
            return false;
        }
        for (NetlinkMessage m : messages) {
            decode(m, headers);
        }
        return true;
    }

    private static void decode(NetlinkMessage m, int[] headers) {
        // Each typed decoder on the types it takes (a mutated type picks another decoder); a
        // decoder given another type only throws at its first check.
        int t = m.type();
        try {
            if (t == LibC.RTM_NEWLINK() || t == LibC.RTM_DELLINK()) {
                RtnlLink.from(m).toString();
            } else if (t == LibC.RTM_NEWADDR() || t == LibC.RTM_DELADDR()) {
                RtnlAddr.from(m).toString();
            } else if (t == LibC.RTM_NEWROUTE() || t == LibC.RTM_DELROUTE()) {
                RtnlRoute.from(m).toString();
            }
        } catch (NetlinkMalformedException e) {
            e.getMessage();
        }
        try {
            RtnlEvent.from(m).toString();
        } catch (NetlinkMalformedException e) {
            e.getMessage();
        }
        if (t == LibC.SOCK_DIAG_BY_FAMILY()) {
            try {
                InetSockInfo.from(m, Protocol.TCP).toString();
            } catch (NetlinkMalformedException e) {
                e.getMessage();
            }
            try {
                UnixSockInfo.from(m).toString();
            } catch (NetlinkMalformedException e) {
                e.getMessage();
            }
        }
        try {
            if (t == LibC.NLMSG_ERROR()) {
                Acks.checkError(m);
            } else if (t == LibC.NLMSG_DONE()) {
                Acks.checkDone(m, 16);
            }
        } catch (NetlinkException e) {
            e.getMessage();
        }
        m.toString();
        for (int h : headers) {
            try {
                walk(m.attributes(h), 0);
            } catch (NetlinkMalformedException e) {
                // expected
            }
        }
    }

    private static void walk(AttributeDecoder d, int depth) throws NetlinkMalformedException {
        while (d.next()) {
            d.type();
            d.flags();
            d.length();
            d.string();
            d.bytes();
            d.attribute();
            // The reader that fits the length, or for other lengths one that does not: the size
            // checks are exercised without an exception (and its stack trace) per reader.
            try {
                switch (d.length()) {
                    case 1 -> d.u8();
                    case 2 -> d.u16();
                    case 4 -> d.u32();
                    case 8 -> d.u64();
                    default -> {
                        switch (d.length() & 3) {
                            case 0 -> d.u32();
                            case 1 -> d.u8();
                            case 2 -> d.u16();
                            default -> d.u64();
                        }
                    }
                }
            } catch (NetlinkMalformedException e) {
                // wrong size
            }
            if (depth < 4 && d.length() >= 4) {
                try {
                    walk(d.nested(), depth + 1);
                } catch (NetlinkMalformedException e) {
                    // not nested after all
                }
            }
        }
    }

    /** Decode, encode, decode: messages, and each message's attributes, come back equal. */
    private static void roundTrip(byte[] datagram, int[] headers) {
        try {
            List<NetlinkMessage> once = NetlinkMessage.parseAll(datagram);
            List<NetlinkMessage> twice = NetlinkMessage.parseAll(NetlinkMessage.encodeAll(once));
            assertEquals(once, twice);
            for (NetlinkMessage m : once) {
                for (int h : headers) {
                    if (m.payload().length < h) {
                        continue;
                    }
                    List<NetlinkAttribute> attrs;
                    try {
                        attrs = m.attributes(h).all();
                    } catch (NetlinkMalformedException e) {
                        continue;
                    }
                    assertEquals(attrs, NetlinkAttribute.parseAll(NetlinkAttribute.encodeAll(attrs)));
                }
            }
        } catch (NetlinkMalformedException e) {
            throw new AssertionError("it parsed once", e);
        }
    }

    private static int runs;
    private static int parsed;

    private static void run(byte[] datagram, int[] headers) {
        runs++;
        try {
            if (decodeAll(datagram, headers)) {
                parsed++;
                roundTrip(datagram, headers);
            }
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            throw new AssertionError("input " + HexFormat.of().formatHex(datagram), e);
        }
    }

    // ------------------------------------------------------------------------------ mutation

    /** Offsets of plausible attribute headers in a message, at every header size, nested ones included. */
    private static TreeSet<Integer> attributeOffsets(byte[] b) {
        TreeSet<Integer> out = new TreeSet<>();
        for (int h : HEADERS) {
            collect(b, NetlinkHeader.SIZE + Wire.nlmsgAlign(h), b.length, 0, out);
        }
        return out;
    }

    private static void collect(byte[] b, int start, int end, int depth, TreeSet<Integer> out) {
        int off = start;
        while (off + 4 <= end) {
            int len = Wire.u16(b, off);
            if (len < 4 || off + len > end) {
                return;
            }
            out.add(off);
            if (depth < 4) {
                collect(b, off + 4, off + len, depth + 1, out);
            }
            off += Wire.nlaAlign(len);
        }
    }

    @Test
    void aMillionMutatedMessagesThrowNothingButNetlinkExceptions() {
        SplittableRandom random = new SplittableRandom(0x5EED_CAFEL);
        // Every nlmsg_len and every nla_len from 0 to 20, in every corpus message.
        for (byte[] original : CORPUS) {
            run(original.clone(), HEADERS);
            for (int len = 0; len <= 20; len++) {
                byte[] b = original.clone();
                Wire.put32(b, 0, len);
                run(b, HEADERS);
            }
            for (int off : attributeOffsets(original)) {
                for (int len = 0; len <= 20; len++) {
                    byte[] b = original.clone();
                    Wire.put16(b, off, len);
                    run(b, HEADERS);
                }
            }
        }
        int systematic = runs;
        while (runs < TOTAL) {
            byte[] b = CORPUS.get(random.nextInt(CORPUS.size())).clone();
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations; i++) {
                b = mutate(b, random);
            }
            // Two of the family header sizes at random: over the million runs each gets its share.
            run(b, new int[] {HEADERS[random.nextInt(HEADERS.length)], HEADERS[random.nextInt(HEADERS.length)]});
        }
        assertEquals(TOTAL, runs);
        assertTrue(systematic > CORPUS.size() * 21, "systematic runs: " + systematic);
        assertTrue(parsed > 0 && parsed < runs, "some inputs parse and some do not: " + parsed + " of " + runs);
    }

    private static byte[] mutate(byte[] b, SplittableRandom r) {
        if (b.length == 0) {
            return new byte[] {(byte) r.nextInt(256)};
        }
        switch (r.nextInt(9)) {
            case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b[r.nextInt(b.length)] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, 1, 4}[r.nextInt(6)];
            case 2 -> {
                if (b.length >= 2) {
                    int v = r.nextInt(4) == 0 ? r.nextInt(0x10000) : r.nextInt(21) | new int[] {0, 0x8000, 0x4000, 0xC000}[r.nextInt(4)];
                    Wire.put16(b, r.nextInt(b.length - 1), v);
                }
            }
            case 3 -> {
                if (b.length >= 4) {
                    int[] lens = {0, 15, 16, 17, 19, 20, b.length, b.length + 1, b.length - 1, -1, Integer.MIN_VALUE, r.nextInt()};
                    Wire.put32(b, 0, lens[r.nextInt(lens.length)]);
                }
            }
            case 4 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 5 -> {
                byte[] extra = new byte[1 + r.nextInt(24)];
                r.nextBytes(extra);
                byte[] c = Arrays.copyOf(b, b.length + extra.length);
                System.arraycopy(extra, 0, c, b.length, extra.length);
                b = c;
            }
            case 6 -> {
                byte[] other = CORPUS.get(r.nextInt(CORPUS.size()));
                byte[] c = Arrays.copyOf(b, Wire.nlmsgAlign(b.length) + other.length);
                System.arraycopy(other, 0, c, Wire.nlmsgAlign(b.length), other.length);
                b = c;
            }
            case 7 -> {
                // An IPv4-mapped IPv6 prefix (::ffff:0:0/96), which java.net would turn into IPv4.
                if (b.length >= 12) {
                    int at = r.nextInt(b.length - 11);
                    Arrays.fill(b, at, at + 10, (byte) 0);
                    b[at + 10] = (byte) 0xFF;
                    b[at + 11] = (byte) 0xFF;
                }
            }
            default -> {
                TreeSet<Integer> offs = attributeOffsets(b);
                if (!offs.isEmpty()) {
                    Integer[] all = offs.toArray(new Integer[0]);
                    Wire.put16(b, all[r.nextInt(all.length)], r.nextInt(4) == 0 ? r.nextInt(0x10000) : r.nextInt(21));
                }
            }
        }
        return b;
    }
}
