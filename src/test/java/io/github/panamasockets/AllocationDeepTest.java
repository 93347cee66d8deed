package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends and receives allocate nothing however deep in its own code the caller makes them: here
 * 12 calls below the loop that the JIT compiles, where {@link AllocationTest} calls from 1 below.
 * C2 removes an allocation only where it has inlined everything the object reaches into one
 * compiled method, and it inlines 15 calls deep (MaxInlineLevel). A downcall that captures errno
 * makes a slice of the capture segment 9 calls below the method that invokes the handle; inlined
 * into a caller 3 or more calls down, the slice lay past that depth, and every send and receive
 * allocated 40 bytes. Sock's send0, recv0, sendmsg0 and recvmsg0 are therefore compiled apart
 * from their callers (see Sock.recv0); {@link #theSystemCallMethodsAreCompiledApart} keeps them so.
 *
 * <p>Each path has a chain of calls of its own: shared code would have one profile, and C2
 * inlines a call that its profile says is rare only if it is small. The JVM of this test (see
 * pom.xml) compiles in the foreground (-XX:-BackgroundCompilation), so that a fixed warm-up is
 * enough, and inlines a method it has already compiled however large that code is
 * (-XX:InlineSmallCode): else, what happened to be compiled first would decide how deep the
 * library's calls are inlined. The warm-up must not stop at the first batch that allocates
 * nothing, as AllocationTest's does: the library's methods are compiled before the chain that
 * calls them, and until the chain is, they run compiled by themselves and allocate nothing. In a
 * JVM of its own, as AllocationTest is, for the same reasons.
 */
class AllocationDeepTest {
    private static final int BATCH = 20_000;
    private static final int WARMUP_BATCHES = 30;
    private static final int MEASURED_BATCHES = 3;
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    /** The most bytecode C2 inlines into a hot call site by default (FreqInlineSize). */
    private static final int FREQ_INLINE_SIZE = 325;

    private static Arena arena;
    private static SockPair pair;
    private static Sock udp;
    private static Sockaddr to;
    private static MemorySegment segment;
    private static MemorySegment segmentInto;
    private static final byte[] ARRAY = {42};
    private static final byte[] INTO = new byte[8];

    @BeforeAll
    static void open() throws IOException {
        arena = Arena.ofShared();
        pair = Sock.pair(SockType.DGRAM);
        udp = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
        to = udp.localAddress();
        segment = arena.allocate(1).fill((byte) 42);
        segmentInto = arena.allocate(8);
    }

    @AfterAll
    static void close() {
        pair.close();
        udp.close();
        arena.close();
    }

    /** A batch of operations, each called 12 calls down. */
    private interface Batch {
        void run() throws IOException;
    }

    @Test
    void sendAndRecvOfSegmentsFromDeepInTheCallerAllocateNothing() {
        assertNothingAllocated("send/recv MemorySegment", () -> {
            for (int i = 0; i < BATCH; i++) {
                segment10();
            }
        });
    }

    @Test
    void sendToAndRecvFromOfArraysFromDeepInTheCallerAllocateNothing() {
        assertNothingAllocated("sendTo/recvFrom byte[]", () -> {
            for (int i = 0; i < BATCH; i++) {
                array10();
            }
        });
    }

    /**
     * The methods that make Sock's system calls stay over {@value #FREQ_INLINE_SIZE} bytes of
     * bytecode, so that C2 compiles each by itself and inlines it into no caller (see Sock.recv0).
     */
    @Test
    void theSystemCallMethodsAreCompiledApart() throws IOException {
        ClassModel sock;
        try (var in = Sock.class.getResourceAsStream("Sock.class")) {
            sock = ClassFile.of().parse(in.readAllBytes());
        }
        for (String name : List.of("send0", "recv0", "sendmsg0", "recvmsg0")) {
            List<MethodModel> found = sock.methods().stream().filter(m -> m.methodName().equalsString(name)).toList();
            assertEquals(1, found.size(), name + ": " + found.size() + " methods of that name");
            int length = found.getFirst().findAttribute(Attributes.code()).orElseThrow().codeLength();
            System.out.printf("Sock.%s: %d bytes of bytecode%n", name, length);
            assertTrue(length > FREQ_INLINE_SIZE, "Sock." + name + " has " + length + " bytes of bytecode, "
                    + FREQ_INLINE_SIZE + " or fewer: C2 inlines it into its callers, and their depth decides whether "
                    + "the capture segment's slice is allocated");
        }
    }

    private static void assertNothingAllocated(String name, Batch batch) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < WARMUP_BATCHES; i++) {
                batch.run();
            }
            for (int i = 0; i < MEASURED_BATCHES; i++) {
                long before = Allocation.allocated();
                batch.run();
                long bytes = Allocation.allocated() - before;
                System.out.printf("%s, 12 calls deep: %d bytes over %,d operations (%.3f an operation)%n",
                        name, bytes, BATCH, bytes / (double) BATCH);
                assertTrue(bytes < BATCH, name + ": " + bytes + " bytes allocated over " + BATCH + " operations");
            }
        });
    }

    private static void segment10() throws IOException {
        segment9();
    }

    private static void segment9() throws IOException {
        segment8();
    }

    private static void segment8() throws IOException {
        segment7();
    }

    private static void segment7() throws IOException {
        segment6();
    }

    private static void segment6() throws IOException {
        segment5();
    }

    private static void segment5() throws IOException {
        segment4();
    }

    private static void segment4() throws IOException {
        segment3();
    }

    private static void segment3() throws IOException {
        segment2();
    }

    private static void segment2() throws IOException {
        segment1();
    }

    private static void segment1() throws IOException {
        sendRecvSegment();
    }

    private static void sendRecvSegment() throws IOException {
        pair.first().send(segment);
        check((int) pair.second().recv(segmentInto), segmentInto.get(ValueLayout.JAVA_BYTE, 0));
    }

    private static void array10() throws IOException {
        array9();
    }

    private static void array9() throws IOException {
        array8();
    }

    private static void array8() throws IOException {
        array7();
    }

    private static void array7() throws IOException {
        array6();
    }

    private static void array6() throws IOException {
        array5();
    }

    private static void array5() throws IOException {
        array4();
    }

    private static void array4() throws IOException {
        array3();
    }

    private static void array3() throws IOException {
        array2();
    }

    private static void array2() throws IOException {
        array1();
    }

    private static void array1() throws IOException {
        sendToRecvFromArray();
    }

    private static void sendToRecvFromArray() throws IOException {
        udp.sendTo(ARRAY, 0, 1, to);
        check(udp.recvFrom(INTO, 0, INTO.length).length(), INTO[0]);
    }

    private static void check(int length, byte first) {
        if (length != 1 || first != 42) {
            throw new AssertionError("received " + length + " bytes starting " + first);
        }
    }
}
