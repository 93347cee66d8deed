package bench;

import io.github.panamasockets.ControlSpec;
import io.github.panamasockets.Family;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrInet4;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bytes allocated per call on each data path, read from {@code -prof gc} as
 * {@code gc.alloc.rate.norm}: send, recv, sendTo, recvFrom, and sendmsg and recvmsg without control
 * data, each from a {@code byte[]}, a direct {@link ByteBuffer} and a native {@link MemorySegment}.
 *
 * <p>Each benchmark makes one library call of 1 byte; the other end of the socket is fed or
 * drained with a raw downcall ({@link Raw}), which allocates nothing, so what is counted is the
 * call under test. The benchmarks return only the length received or sent, as a caller that uses
 * the result and lets it go would: a result object the library returns counts only where escape
 * analysis cannot remove it. The buffer arrays of sendmsg and recvmsg are made once, so that the
 * varargs array of the call site is not counted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Alloc {

    /** The buffers, one byte each, and the raw call that feeds or drains the other end. */
    @State(Scope.Thread)
    public abstract static class Ends {
        final Arena arena = Arena.ofShared();
        final MemorySegment capture = Raw.capture(arena);
        final MemorySegment spare = arena.allocate(1);
        final byte[] array = new byte[1];
        final ByteBuffer direct = ByteBuffer.allocateDirect(1);
        final MemorySegment segment = arena.allocate(1);
        final byte[][] arrays = {array};
        final ByteBuffer[] directs = {direct};
        final MemorySegment[] segments = {segment};
        /** The sending socket and the receiving one. */
        Sock a;
        Sock b;

        /** Takes the byte just sent out of {@code b}. */
        void drain() throws IOException {
            if (Raw.recv(capture, b.fd(), spare, 1, Raw.MSG_DONTWAIT) != 1) {
                throw new IOException("drain: errno " + Raw.errno(capture));
            }
        }

        /** Puts a byte into {@code b}, sent from {@code a}. */
        void fill() throws IOException {
            if (Raw.send(capture, a.fd(), spare, 1, Raw.MSG_NOSIGNAL) != 1) {
                throw new IOException("fill: errno " + Raw.errno(capture));
            }
        }

        @TearDown
        public void close() {
            a.close();
            b.close();
        }
    }

    /** A Unix stream socket pair. */
    public static class Stream extends Ends {
        @Setup
        public void open() throws IOException {
            SockPair p = Sock.pair(SockType.STREAM);
            a = p.first();
            b = p.second();
        }
    }

    /** Two UDP sockets on 127.0.0.1, {@code a} connected to {@code b}, so that raw sends need no address. */
    public static class Udp extends Ends {
        Sockaddr to;

        @Setup
        public void open() throws IOException {
            b = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0));
            to = b.localAddress();
            a = Sock.open(Family.INET, SockType.DGRAM).bind(SockaddrInet4.loopback(0)).connect(to);
        }
    }

    /** The raw feed and drain alone, no library call: what the harness counts, the floor of the others. */
    @Benchmark
    public void baseline(Stream s) throws IOException {
        s.fill();
        s.drain();
    }

    // ------------------------------------------------------------------------------ send

    @Benchmark
    public int sendArray(Stream s) throws IOException {
        int n = s.a.send(s.array, 0, 1);
        s.drain();
        return n;
    }

    @Benchmark
    public int sendDirect(Stream s) throws IOException {
        s.direct.clear();
        int n = s.a.send(s.direct);
        s.drain();
        return n;
    }

    @Benchmark
    public long sendSegment(Stream s) throws IOException {
        long n = s.a.send(s.segment);
        s.drain();
        return n;
    }

    // ------------------------------------------------------------------------------ recv

    @Benchmark
    public int recvArray(Stream s) throws IOException {
        s.fill();
        return s.b.recv(s.array, 0, 1);
    }

    @Benchmark
    public int recvDirect(Stream s) throws IOException {
        s.fill();
        s.direct.clear();
        return s.b.recv(s.direct);
    }

    @Benchmark
    public long recvSegment(Stream s) throws IOException {
        s.fill();
        return s.b.recv(s.segment);
    }

    // ------------------------------------------------------------------------------ sendTo

    @Benchmark
    public int sendToArray(Udp s) throws IOException {
        int n = s.a.sendTo(s.array, 0, 1, s.to);
        s.drain();
        return n;
    }

    @Benchmark
    public int sendToDirect(Udp s) throws IOException {
        s.direct.clear();
        int n = s.a.sendTo(s.direct, s.to);
        s.drain();
        return n;
    }

    @Benchmark
    public long sendToSegment(Udp s) throws IOException {
        long n = s.a.sendTo(s.segment, s.to);
        s.drain();
        return n;
    }

    // ------------------------------------------------------------------------------ recvFrom

    @Benchmark
    public int recvFromArray(Udp s) throws IOException {
        s.fill();
        return s.b.recvFrom(s.array, 0, 1).length();
    }

    @Benchmark
    public int recvFromDirect(Udp s) throws IOException {
        s.fill();
        s.direct.clear();
        return s.b.recvFrom(s.direct).length();
    }

    @Benchmark
    public int recvFromSegment(Udp s) throws IOException {
        s.fill();
        return s.b.recvFrom(s.segment).length();
    }

    // ------------------------------------------------------------------------------ sendmsg

    @Benchmark
    public long sendmsgArray(Stream s) throws IOException {
        long n = s.a.sendmsg(null, List.of(), 0, s.arrays);
        s.drain();
        return n;
    }

    @Benchmark
    public long sendmsgDirect(Stream s) throws IOException {
        s.direct.clear();
        long n = s.a.sendmsg(null, List.of(), 0, s.directs);
        s.drain();
        return n;
    }

    @Benchmark
    public long sendmsgSegment(Stream s) throws IOException {
        long n = s.a.sendmsg(null, List.of(), 0, s.segments);
        s.drain();
        return n;
    }

    // ------------------------------------------------------------------------------ recvmsg

    @Benchmark
    public long recvmsgArray(Stream s) throws IOException {
        s.fill();
        return s.b.recvmsg(ControlSpec.NONE, 0, s.arrays).length();
    }

    @Benchmark
    public long recvmsgDirect(Stream s) throws IOException {
        s.fill();
        s.direct.clear();
        return s.b.recvmsg(ControlSpec.NONE, 0, s.directs).length();
    }

    @Benchmark
    public long recvmsgSegment(Stream s) throws IOException {
        s.fill();
        return s.b.recvmsg(ControlSpec.NONE, 0, s.segments).length();
    }
}
