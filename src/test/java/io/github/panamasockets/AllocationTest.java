package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.address.SockaddrUnix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once the JIT has compiled them, the send and receive paths allocate nothing: send, recv,
 * sendTo, recvFrom, sendmsg and recvmsg without control data, over byte arrays, direct buffers and
 * native segments. Each operation sends one datagram and receives it back, so it also checks
 * that what comes back is right.
 *
 * <p>The JDK's downcalls allocate until they are compiled, and when that happens depends on the
 * machine's load, so batches run until one allocates less than a byte per operation (at most
 * {@value #MAX_BATCHES} batches); the next batch is the one measured. A path that makes any object
 * per call never gets there, and fails.
 */
class AllocationTest {
    private static final int BATCH = 20_000;
    private static final int MAX_BATCHES = 100;
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    private static Arena arena;
    private static SockPair pair;
    private static Sock udp;
    private static Sock udp6;
    private static Sock unixDgram;

    @BeforeAll
    static void open() throws IOException {
        arena = Arena.ofShared();
        pair = Sock.pair(SockType.DGRAM);
        udp = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
        udp6 = Sock.open(Family.INET6, SockType.DGRAM).bind(SockaddrInet6.loopback(0));
        unixDgram = Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.abstractName("alloc-" + ProcessHandle.current().pid()));
    }

    @AfterAll
    static void close() {
        pair.close();
        udp.close();
        udp6.close();
        unixDgram.close();
        arena.close();
    }

    /** One operation: a send and the receive of what it sent. */
    interface Op {
        void run() throws IOException;
    }

    static Stream<Arguments> paths() throws IOException {
        byte[] array = {42};
        byte[] into = new byte[8];
        ByteBuffer direct = ByteBuffer.allocateDirect(8);
        ByteBuffer directInto = ByteBuffer.allocateDirect(8);
        ByteBuffer readOnly = ByteBuffer.wrap(new byte[] {0, 42, 0}).asReadOnlyBuffer();
        MemorySegment segment = arena.allocate(1).fill((byte) 42);
        MemorySegment segmentInto = arena.allocate(8);
        byte[][] arrays = {array};
        byte[][] intoArrays = {into};
        ByteBuffer[] directs = {direct};
        ByteBuffer[] directsInto = {directInto};
        MemorySegment[] segments = {segment};
        MemorySegment[] segmentsInto = {segmentInto};
        Sock a = pair.first();
        Sock b = pair.second();
        Sockaddr to = udp.localAddress();
        return Stream.of(
                Arguments.of("send/recv byte[]", (Op) () -> {
                    a.send(array);
                    check(b.recv(into), into[0]);
                }),
                Arguments.of("send/recv direct ByteBuffer", (Op) () -> {
                    direct.clear().limit(1);
                    direct.put(0, (byte) 42);
                    a.send(direct);
                    directInto.clear();
                    check(b.recv(directInto), directInto.get(0));
                }),
                Arguments.of("send read-only heap ByteBuffer", (Op) () -> {
                    a.send(readOnly.limit(2).position(1));
                    check(b.recv(into), into[0]);
                }),
                Arguments.of("sendTo read-only heap ByteBuffer", (Op) () -> {
                    udp.sendTo(readOnly.limit(2).position(1), to);
                    check(udp.recvFrom(into, 0, into.length).length(), into[0]);
                }),
                Arguments.of("send/recv MemorySegment", (Op) () -> {
                    a.send(segment);
                    check((int) b.recv(segmentInto), segmentInto.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                }),
                Arguments.of("sendTo/recvFrom byte[] over UDP", sendToRecvFrom(udp, array, into)),
                Arguments.of("sendTo/recvFrom byte[] over UDP/IPv6", sendToRecvFrom(udp6, array, into)),
                Arguments.of("sendTo/recvFrom byte[] over AF_UNIX", sendToRecvFrom(unixDgram, array, into)),
                Arguments.of("sendTo/recvFrom direct ByteBuffer", (Op) () -> {
                    direct.clear().limit(1);
                    direct.put(0, (byte) 42);
                    udp.sendTo(direct, to);
                    directInto.clear();
                    Received r = udp.recvFrom(directInto);
                    check(r.length(), directInto.get(0));
                }),
                Arguments.of("sendTo/recvFrom MemorySegment", (Op) () -> {
                    udp.sendTo(segment, to);
                    Received r = udp.recvFrom(segmentInto);
                    check(r.length(), segmentInto.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                }),
                Arguments.of("sendmsg/recvmsg byte[]", (Op) () -> {
                    a.sendmsg(null, List.of(), 0, arrays);
                    check((int) b.recvmsg(ControlSpec.NONE, 0, intoArrays).length(), into[0]);
                }),
                Arguments.of("sendmsg/recvmsg direct ByteBuffer", (Op) () -> {
                    direct.clear().limit(1);
                    direct.put(0, (byte) 42);
                    a.sendmsg(null, List.of(), 0, directs);
                    directInto.clear();
                    check((int) b.recvmsg(ControlSpec.NONE, 0, directsInto).length(), directInto.get(0));
                }),
                Arguments.of("sendmsg/recvmsg MemorySegment", (Op) () -> {
                    a.sendmsg(null, List.of(), 0, segments);
                    check((int) b.recvmsg(ControlSpec.NONE, 0, segmentsInto).length(),
                            segmentInto.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                }));
    }

    private static Op sendToRecvFrom(Sock s, byte[] array, byte[] into) throws IOException {
        Sockaddr self = s.localAddress();
        return () -> {
            s.sendTo(array, 0, 1, self);
            Received r = s.recvFrom(into, 0, into.length);
            if (!self.equals(r.from())) {
                throw new AssertionError("from " + r.from() + ", not " + self);
            }
            check(r.length(), into[0]);
        };
    }

    private static void check(int length, byte first) {
        if (length != 1 || first != 42) {
            throw new AssertionError("received " + length + " bytes starting " + first);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void aWarmCallAllocatesNothing(String name, Op op) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            long bytes = Long.MAX_VALUE;
            int batches = 0;
            while (bytes >= BATCH && batches < MAX_BATCHES) {
                bytes = batch(op);
                batches++;
            }
            bytes = batch(op);
            System.out.printf("%s: %d bytes over %,d operations (%.3f an operation) after %d batches to warm up%n",
                    name, bytes, BATCH, bytes / (double) BATCH, batches);
            assertTrue(bytes < BATCH, name + ": " + bytes + " bytes allocated over " + BATCH + " operations");
        });
    }

    private static long batch(Op op) throws IOException {
        long before = Allocation.allocated();
        for (int i = 0; i < BATCH; i++) {
            op.run();
        }
        return Allocation.allocated() - before;
    }

    /** The cached results are values: equal results of successive receives may be one object. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void resultsStayRightWhenTheyAreReused(String name, Op op) throws IOException {
        for (int i = 0; i < 1000; i++) {
            op.run();
        }
        // A different sender and a different length must not come back as the cached result.
        try (var other = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0))) {
            udp.sendTo(new byte[] {1, 2}, 0, 2, udp.localAddress());
            byte[] into = new byte[8];
            Received first = udp.recvFrom(into, 0, 8);
            other.sendTo(new byte[] {1, 2}, 0, 2, udp.localAddress());
            Received second = udp.recvFrom(into, 0, 8);
            assertEquals(2, first.length());
            assertEquals(udp.localAddress(), first.from());
            assertEquals(other.localAddress(), second.from());
            udp.sendTo(new byte[] {1, 2, 3}, 0, 3, udp.localAddress());
            assertEquals(3, udp.recvFrom(into, 0, 8).length());
        }
    }
}
