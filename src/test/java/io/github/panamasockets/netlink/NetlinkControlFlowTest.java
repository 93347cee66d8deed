package io.github.panamasockets.netlink;

import io.github.panamasockets.Family;
import io.github.panamasockets.Protocol;
import io.github.panamasockets.Received;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockClosedException;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.SockaddrNetlink;
import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a NetlinkSocket reads replies, checked against a fake kernel: another netlink socket of this
 * process that receives the request and sends back crafted datagrams. Each control-flow failure
 * (wrong port id, wrong sequence, interrupted dump, short NLMSG_ERROR, a dump cut short, a
 * truncated datagram) gives its own exception; error 0 is an ACK; NLMSG_DONE ends a dump.
 */
class NetlinkControlFlowTest {
    private static final int TYPE = 100;   // a protocol type, as a fake family would use

    private Sock fake;
    private SockaddrNetlink fakeAddress;
    private NetlinkSocket nl;

    @BeforeEach
    void open() throws IOException {
        fake = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel());
        fakeAddress = (SockaddrNetlink) fake.localAddress();
        nl = NetlinkSocket.open(Protocol.NETLINK_ROUTE, fakeAddress);
    }

    @AfterEach
    void close() {
        nl.close();
        fake.close();
    }

    /** The request the fake kernel received. */
    private NetlinkMessage request() throws IOException {
        byte[] buf = new byte[65536];
        Received r = fake.recvFrom(buf, 0, buf.length);
        assertEquals(new SockaddrNetlink(nl.pid(), 0), r.from());
        List<NetlinkMessage> ms = NetlinkMessage.parseAll(buf, 0, r.length());
        assertEquals(1, ms.size());
        return ms.get(0);
    }

    /** Sends one datagram holding these messages to the socket under test. */
    private void reply(NetlinkMessage... messages) throws IOException {
        byte[] d = NetlinkMessage.encodeAll(List.of(messages));
        fake.sendTo(d, 0, d.length, new SockaddrNetlink(nl.pid(), 0));
    }

    private static NetlinkMessage msg(NetlinkMessage req, int type, int flags, byte[] payload) {
        return new NetlinkMessage(new NetlinkHeader(0, type, flags, req.header().sequence(), req.header().pid()), payload);
    }

    private static NetlinkMessage part(NetlinkMessage req, int n) {
        return msg(req, TYPE, NetlinkFlags.MULTI, new byte[] {(byte) n, 0, 0, 0});
    }

    private static NetlinkMessage done(NetlinkMessage req) {
        return msg(req, LibC.NLMSG_DONE(), NetlinkFlags.MULTI, new byte[4]);
    }

    /** An NLMSG_ERROR answering {@code req}, capped, with optional extended-ack attributes. */
    private static NetlinkMessage error(NetlinkMessage req, int error, byte[] tlvs) {
        byte[] p = new byte[20 + tlvs.length];
        Wire.put32(p, 0, error);
        byte[] hdr = req.encode();
        System.arraycopy(hdr, 0, p, 4, 16);
        System.arraycopy(tlvs, 0, p, 20, tlvs.length);
        int flags = NetlinkFlags.CAPPED | (tlvs.length > 0 ? NetlinkFlags.ACK_TLVS : 0);
        return msg(req, LibC.NLMSG_ERROR(), flags, p);
    }

    @Test
    void sequenceAndPortIdAreFilledInAndSequencesAdvance() throws IOException {
        NetlinkMessage a = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage b = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        assertEquals(a, request());
        assertEquals(b, request());
        assertEquals(nl.pid(), a.header().pid());
        assertNotEquals(0, a.header().sequence());
        assertEquals(a.header().sequence() + 1, b.header().sequence());
        NetlinkMessage own = nl.send(new NetlinkMessage(new NetlinkHeader(0, TYPE, NetlinkFlags.REQUEST, 77, 5), new byte[0]));
        assertEquals(77, own.header().sequence(), "a sequence number given is kept");
        assertEquals(5, own.header().pid());
        request();
    }

    @Test
    void aSingleReplyEndsTheExchange() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req = request();
        NetlinkMessage answer = msg(req, TYPE, 0, new byte[] {1, 2, 3, 4});
        reply(answer);
        assertEquals(List.of(answer), nl.receiveReplies(sent));
    }

    @Test
    void aDumpIsCollectedAcrossDatagramsUntilDone() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        reply(part(req, 1), part(req, 2));
        reply(part(req, 3));
        reply(part(req, 4), done(req));
        List<NetlinkMessage> got = nl.receiveReplies(sent);
        assertEquals(List.of(part(req, 1), part(req, 2), part(req, 3), part(req, 4)), got);
    }

    @Test
    void errorZeroIsAnAcknowledgement() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.ACK, new byte[0]));
        NetlinkMessage req = request();
        reply(error(req, 0, new byte[0]));
        assertEquals(List.of(), nl.receiveReplies(sent));
    }

    @Test
    void aReplyThenItsAcknowledgementAreBothRead() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.ACK, new byte[0]));
        NetlinkMessage req = request();
        NetlinkMessage answer = msg(req, TYPE, 0, new byte[4]);
        reply(answer);
        reply(error(req, 0, new byte[0]));
        assertEquals(List.of(answer), nl.receiveReplies(sent));
    }

    @Test
    void anErrorCarriesItsErrnoAndExtendedAck() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.ACK, new byte[8]));
        NetlinkMessage req = request();
        byte[] tlvs = new AttributeEncoder()
                .string(LibC.NLMSGERR_ATTR_MSG(), "Attribute failed policy validation")
                .u32(LibC.NLMSGERR_ATTR_OFFS(), 20)
                .encode();
        reply(error(req, -LibC.EINVAL(), tlvs));
        var e = assertThrows(NetlinkErrorException.class, () -> nl.receiveReplies(sent));
        assertEquals(LibC.EINVAL(), e.errno());
        assertEquals("EINVAL", e.errnoName());
        assertEquals(TYPE, e.requestType());
        assertEquals("Attribute failed policy validation", e.extAckMessage().orElseThrow());
        assertEquals(20, e.extAckOffset().orElseThrow());
        assertEquals("netlink request type 100: EINVAL (Invalid argument): Attribute failed policy validation "
                + "(attribute at offset 20 of the request)", e.getMessage());
    }

    @Test
    void anUncappedErrorSkipsTheEchoedRequestBeforeItsAttributes() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[] {1, 2, 3, 4, 5}));
        NetlinkMessage req = request();
        byte[] echoed = req.encode();                               // 21 bytes, padded to 24
        byte[] tlvs = new AttributeEncoder().string(LibC.NLMSGERR_ATTR_MSG(), "nope").encode();
        byte[] p = new byte[4 + echoed.length + tlvs.length];
        Wire.put32(p, 0, -LibC.EPERM());
        System.arraycopy(echoed, 0, p, 4, echoed.length);
        System.arraycopy(tlvs, 0, p, 4 + echoed.length, tlvs.length);
        reply(msg(req, LibC.NLMSG_ERROR(), NetlinkFlags.ACK_TLVS, p));
        var e = assertThrows(NetlinkErrorException.class, () -> nl.receiveReplies(sent));
        assertEquals(LibC.EPERM(), e.errno());
        assertEquals("nope", e.extAckMessage().orElseThrow());
        assertTrue(e.extAckOffset().isEmpty());
    }

    @Test
    void anErrorInDoneEndsTheDumpWithIt() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        byte[] p = new byte[4];
        Wire.put32(p, 0, -LibC.ENOBUFS());
        reply(part(req, 1), msg(req, LibC.NLMSG_DONE(), NetlinkFlags.MULTI, p));
        var e = assertThrows(NetlinkErrorException.class, () -> nl.receiveReplies(sent));
        assertEquals("ENOBUFS", e.errnoName());
        assertEquals(TYPE, e.requestType());
    }

    @Test
    void aReplyForAnotherPortIdIsItsOwnError() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req = request();
        reply(new NetlinkMessage(new NetlinkHeader(0, TYPE, 0, req.header().sequence(), nl.pid() + 1), new byte[0]));
        var e = assertThrows(NetlinkWrongPortException.class, () -> nl.receiveReplies(sent));
        assertEquals(nl.pid(), e.expected());
        assertEquals(nl.pid() + 1, e.found());
        assertEquals("reply for port id " + Integer.toUnsignedString(nl.pid() + 1) + ", but this socket's port id is "
                + Integer.toUnsignedString(nl.pid()), e.getMessage());
    }

    @Test
    void aReplyForAnotherSequenceIsItsOwnError() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req = request();
        int seq = req.header().sequence();
        reply(new NetlinkMessage(new NetlinkHeader(0, TYPE, 0, seq - 1, nl.pid()), new byte[0]));
        var e = assertThrows(NetlinkWrongSequenceException.class, () -> nl.receiveReplies(sent));
        assertEquals(seq, e.expected());
        assertEquals(seq - 1, e.found());
    }

    @Test
    void anInterruptedDumpIsReadToItsEndThenReported() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        NetlinkMessage intr = msg(req, TYPE, NetlinkFlags.MULTI | NetlinkFlags.DUMP_INTR, new byte[4]);
        reply(part(req, 1), intr);
        reply(part(req, 2), done(req));
        var e = assertThrows(NetlinkDumpInterruptedException.class, () -> nl.receiveReplies(sent));
        assertEquals(List.of(part(req, 1), intr, part(req, 2)), e.partial());
        // The dump was read to NLMSG_DONE, so the next exchange starts clean.
        NetlinkMessage next = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req2 = request();
        reply(msg(req2, TYPE, 0, new byte[0]));
        assertEquals(1, nl.receiveReplies(next).size());
    }

    @Test
    void everyShortErrorIsMalformedNotAnAck() throws IOException {
        for (int len = 0; len < 20; len++) {
            NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.ACK, new byte[0]));
            NetlinkMessage req = request();
            reply(msg(req, LibC.NLMSG_ERROR(), 0, new byte[len]));
            var e = assertThrows(NetlinkMalformedException.class, () -> nl.receiveReplies(sent));
            assertEquals("short NLMSG_ERROR: payload is " + len
                    + " bytes; struct nlmsgerr needs 20 (the error and the request's nlmsghdr)", e.getMessage());
        }
    }

    @Test
    void aDumpPartWithoutMultiBeforeDoneIsADumpCutShort() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        reply(part(req, 1), part(req, 2), msg(req, TYPE, 0, new byte[4]));
        var e = assertThrows(NetlinkTruncatedException.class, () -> nl.receiveReplies(sent));
        assertEquals("dump cut short: after 2 parts, a message of type 100 without NLM_F_MULTI came before NLMSG_DONE",
                e.getMessage());
    }

    @Test
    void aDatagramLongerThanTheBufferIsAnErrorNeverHalfAMessage() throws IOException {
        nl.maxBuffer(64);
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req = request();
        reply(msg(req, TYPE, 0, new byte[200]));
        var e = assertThrows(NetlinkTruncatedException.class, () -> nl.receiveReplies(sent));
        assertTrue(e.getMessage().startsWith("a datagram did not fit the receive buffer and was dropped whole"), e.getMessage());
        assertTrue(e.getMessage().contains("216-byte message into a 64-byte buffer"), e.getMessage());
        // The datagram is gone whole; the next exchange works.
        NetlinkMessage next = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req2 = request();
        NetlinkMessage small = msg(req2, TYPE, 0, new byte[8]);
        reply(small);
        assertEquals(List.of(small), nl.receiveReplies(next));
    }

    @Test
    void aTruncatedDatagramInADumpIsADumpCutShort() throws IOException {
        nl.maxBuffer(64);
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        reply(part(req, 1));
        reply(part(req, 2), part(req, 3), part(req, 4), done(req));   // 80 bytes: more than 64
        var e = assertThrows(NetlinkTruncatedException.class, () -> nl.receiveReplies(sent));
        assertTrue(e.getMessage().startsWith("dump cut short after 1 messages: a datagram did not fit"), e.getMessage());
    }

    @Test
    void aDumpDatagramLongerThanTheBufferIsDroppedWholeAndTheBufferGrowsForTheNext() throws IOException {
        long size = nl.bufferSize();
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        reply(msg(req, TYPE, NetlinkFlags.MULTI, new byte[100_000]), done(req));   // 100,036 bytes
        var e = assertThrows(NetlinkTruncatedException.class, () -> nl.receiveReplies(sent));
        assertTrue(e.getMessage().contains("100036-byte message into a " + size + "-byte buffer"), e.getMessage());
        assertTrue(nl.bufferSize() >= 100_036, "grown to " + nl.bufferSize());
        // The same dump again arrives whole, without a peek.
        NetlinkMessage again = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req2 = request();
        byte[] payload = new byte[100_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        NetlinkMessage big = msg(req2, TYPE, NetlinkFlags.MULTI, payload);
        reply(big, done(req2));
        assertEquals(List.of(big), nl.receiveReplies(again));
    }

    @Test
    void repliesAreCopiesThatTheNextReceiveLeavesAlone() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        byte[] first = {1, 2, 3, 4, 5, 6, 7, 8};
        reply(msg(req, TYPE, NetlinkFlags.MULTI, first), done(req));
        List<NetlinkMessage> got = nl.receiveReplies(sent);
        NetlinkMessage sent2 = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req2 = request();
        reply(msg(req2, TYPE, NetlinkFlags.MULTI, new byte[] {9, 9, 9, 9, 9, 9, 9, 9}), done(req2));
        assertEquals(1, nl.receiveReplies(sent2).size());
        assertArrayEquals(first, got.get(0).payload());
        assertEquals(List.of(msg(req, TYPE, NetlinkFlags.MULTI, first)), got);
    }

    @Test
    void theBufferGrowsToFitALargeDatagram() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req = request();
        NetlinkMessage big = msg(req, TYPE, 0, new byte[100_000]);
        reply(big);
        assertEquals(List.of(big), nl.receiveReplies(sent));
    }

    @Test
    void datagramsFromAnyoneButThePeerAreDropped() throws IOException {
        try (Sock stranger = Sock.open(Family.NETLINK, SockType.RAW, Protocol.NETLINK_ROUTE).bind(SockaddrNetlink.kernel())) {
            NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
            NetlinkMessage req = request();
            byte[] forged = msg(req, LibC.NLMSG_ERROR(), 0, new byte[20]).encode();   // an "ACK" from a stranger
            stranger.sendTo(forged, 0, forged.length, new SockaddrNetlink(nl.pid(), 0));
            NetlinkMessage answer = msg(req, TYPE, 0, new byte[] {7, 7, 7, 7});
            reply(answer);
            assertEquals(List.of(answer), nl.receiveReplies(sent));
        }
    }

    @Test
    void repliesLeftFromAFailedExchangeAreDiscardedBeforeTheNextRequest() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, NetlinkFlags.DUMP, new byte[0]));
        NetlinkMessage req = request();
        reply(new NetlinkMessage(new NetlinkHeader(0, TYPE, NetlinkFlags.MULTI, 1, nl.pid()), new byte[0]));
        reply(part(req, 1), done(req));   // still queued when the first datagram fails
        assertThrows(NetlinkWrongSequenceException.class, () -> nl.receiveReplies(sent));
        NetlinkMessage next = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req2 = request();
        NetlinkMessage answer = msg(req2, TYPE, 0, new byte[0]);
        reply(answer);
        assertEquals(List.of(answer), nl.receiveReplies(next));
    }

    @Test
    void noopIsSkippedAndOverrunIsLostEvents() throws IOException {
        NetlinkMessage sent = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req = request();
        NetlinkMessage answer = msg(req, TYPE, 0, new byte[0]);
        reply(msg(req, LibC.NLMSG_NOOP(), 0, new byte[0]), answer);
        assertEquals(List.of(answer), nl.receiveReplies(sent));

        NetlinkMessage sent2 = nl.send(NetlinkMessage.request(TYPE, 0, new byte[0]));
        NetlinkMessage req2 = request();
        reply(msg(req2, LibC.NLMSG_OVERRUN(), 0, new byte[0]));
        assertThrows(NetlinkEventsLostException.class, () -> nl.receiveReplies(sent2));
    }

    @Test
    void closeWakesABlockedReceive() throws Exception {
        var pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch started = new CountDownLatch(1);
            Future<List<NetlinkMessage>> f = pool.submit(() -> {
                started.countDown();
                return nl.receive();
            });
            started.await();
            nl.close();
            var e = assertThrows(ExecutionException.class, f::get);
            assertInstanceOf(SockClosedException.class, e.getCause());
            assertThrows(SockClosedException.class, () -> nl.receive());
            assertThrows(SockClosedException.class, () -> nl.joinGroup(1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void exceptionsAreDistinctTypes() {
        List<Class<?>> types = new ArrayList<>(List.of(NetlinkWrongPortException.class, NetlinkWrongSequenceException.class,
                NetlinkDumpInterruptedException.class, NetlinkMalformedException.class, NetlinkTruncatedException.class,
                NetlinkEventsLostException.class, NetlinkErrorException.class));
        for (Class<?> a : types) {
            assertTrue(NetlinkException.class.isAssignableFrom(a));
            for (Class<?> b : types) {
                assertTrue(a == b || !a.isAssignableFrom(b), a + " and " + b);
            }
        }
    }
}
