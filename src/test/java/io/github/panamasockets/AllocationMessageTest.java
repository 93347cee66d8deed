package io.github.panamasockets;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sendmsg and recvmsg over a mix of direct, heap and native buffers allocate nothing but, at
 * most, the result. In a JVM of its own, as {@link AllocationTest} is, for the same reason.
 */
class AllocationMessageTest {
    /**
     * With no control data, a sendmsg allocates nothing on the Java heap and a recvmsg only its
     * result, once the JIT has compiled them (given many chances; no timing involved). Measured with
     * the thread's allocation counter, reached reflectively (the test module does not read
     * jdk.management) through a method handle, which boxes nothing.
     */
    @Test
    void mixedBuffersInOneSendmsgAndRecvmsgAllocateOnlyTheResult() throws Throwable {
        try (var pair = Sock.pair(SockType.DGRAM); Arena arena = Arena.ofConfined()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            ByteBuffer heap = ByteBuffer.allocate(8);
            ByteBuffer[] out = {direct, heap};
            MemorySegment[] in = {arena.allocate(4), MemorySegment.ofArray(new byte[4]), arena.allocate(8)};
            List<Cmsg> none = List.of();
            long bestSend = Long.MAX_VALUE;
            long bestRecv = Long.MAX_VALUE;
            int calls = 20_000;
            for (int round = 0; round < 50 && (bestSend > 0 || bestRecv > 48); round++) {
                long send = 0;
                long recv = 0;
                for (int i = 0; i < calls; i++) {
                    direct.clear();
                    heap.clear();
                    long t0 = Allocation.allocated();
                    pair.first().sendmsg(null, none, 0, out);
                    long t1 = Allocation.allocated();
                    pair.second().recvmsg(ControlSpec.NONE, 0, in);
                    long t2 = Allocation.allocated();
                    send += t1 - t0;
                    recv += t2 - t1;
                }
                bestSend = Math.min(bestSend, send / calls);
                bestRecv = Math.min(bestRecv, recv / calls);
            }
            assertEquals(0, bestSend, "bytes a sendmsg allocates");
            // MsgResult: a header and four fields, 32 bytes with compressed pointers, 48 without
            assertTrue(bestRecv <= 48, "bytes a recvmsg allocates, its result included: " + bestRecv);
        }
    }
}
