package bench;

import io.github.panamasockets.ControlSpec;
import io.github.panamasockets.Family;
import io.github.panamasockets.MsgFlags;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrUnix;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the library's wrapper adds to a system call: each pair of benchmarks makes the same calls
 * with the same arguments, once through the library's public method and once as a raw
 * {@code invokeExact} of a downcall handle linked the way the library links it (with errno
 * capture). The difference of the two is the wrapper's cost: locks, the descriptor's reference
 * count, the bounds and error checks, and whatever it allocates. With a real system call on both
 * sides that difference is small beside the call and its noise; {@link EmptyCall} measures it
 * without.
 *
 * <p>Each sample times {@value #CALLS} operations, and the median sample is the figure to read:
 * on a shared machine the mean also counts the time the thread was preempted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(CallCost.CALLS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CallCost {
    /** Operations per timed sample. */
    static final int CALLS = 10;
    private final Arena arena = Arena.ofShared();
    private SockPair pair;
    private Sock a;
    private Sock b;
    private int fa;
    private int fb;
    /** A pair {@linkplain Sock#confine() confined} to the benchmark thread. */
    private SockPair confinedPair;
    private Sock ca;
    private Sock cb;
    /** A socket in non-blocking mode that nothing is sent to, for the empty receives. */
    private SockPair idlePair;
    private Sock idle;
    private final MemorySegment capture = Raw.capture(arena);
    private final MemorySegment value = arena.allocate(4, 4);
    private final MemorySegment len = arena.allocate(4, 4);
    private final MemorySegment one = arena.allocate(1);
    private final MemorySegment[] ones = {one};
    /** A msghdr of one iovec over {@link #one}, with room for the sender's address, as recvmsg gets. */
    private final MemorySegment msg = arena.allocate(Raw.MSGHDR_SIZE, 8);
    private final MemorySegment iov = arena.allocate(16, 8);
    private final MemorySegment name = arena.allocate(128, 8);
    /** Two Unix datagram sockets bound to paths, for sendTo and recvFrom; the paths go at teardown. */
    private Path dir;
    private Sock da;
    private Sock db;
    private int fda;
    private int fdb;
    private Sockaddr toB;
    private final MemorySegment toBBytes = arena.allocate(Sockaddr.MAX_LENGTH, 8);
    private int toBLength;
    private final MemorySegment fromLen = arena.allocate(4, 4);

    @Setup
    public void open() throws IOException {
        pair = Sock.pair(SockType.STREAM);
        a = pair.first();
        b = pair.second();
        fa = a.fd();
        fb = b.fd();
        idlePair = Sock.pair(SockType.STREAM);
        idle = idlePair.second().setNonBlocking(true);
        // JMH runs the setup of a thread-scoped state in the thread that runs the benchmark.
        confinedPair = Sock.pair(SockType.STREAM);
        ca = confinedPair.first().confine();
        cb = confinedPair.second().confine();
        iov.set(ValueLayout.ADDRESS, 0, one);
        iov.set(ValueLayout.JAVA_LONG, 8, 1);
        msg.set(ValueLayout.ADDRESS, Raw.MSG_NAME, name);
        msg.set(ValueLayout.ADDRESS, Raw.MSG_IOV, iov);
        msg.set(ValueLayout.JAVA_LONG, Raw.MSG_IOVLEN, 1);
        dir = Files.createTempDirectory("callcost");
        da = Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.of(dir.resolve("a")));
        db = Sock.open(Family.UNIX, SockType.DGRAM).bind(SockaddrUnix.of(dir.resolve("b")));
        fda = da.fd();
        fdb = db.fd();
        toB = db.localAddress();
        toBLength = toB.encode(toBBytes);
    }

    @TearDown
    public void close() {
        pair.close();
        idlePair.close();
        confinedPair.close();
        da.close();
        db.close();
        try {
            Files.deleteIfExists(dir.resolve("a"));
            Files.deleteIfExists(dir.resolve("b"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** getsockopt(SO_TYPE) through {@link Sock#getInt}. */
    @Benchmark
    public long getsockoptWrapper() throws IOException {
        return Loops.getInts(a, CALLS);
    }

    /**
     * The same getsockopt(2) as a raw invokeExact of a handle linked as the library links it (errno
     * capture, critical), checked as the library checks it.
     */
    @Benchmark
    public long getsockoptRaw() throws Throwable {
        return Loops.getsockopts(Raw.GETSOCKOPT_NOW, CALLS, capture, fa, value, len);
    }

    /** One byte sent on a Unix stream pair and received at the other end, through the library. */
    @Benchmark
    public long sendRecvWrapper() throws IOException {
        return Loops.sendRecvs(a, b, one, CALLS);
    }

    /** The same through a pair confined to this thread. */
    @Benchmark
    public long sendRecvConfined() throws IOException {
        return Loops.sendRecvs(ca, cb, one, CALLS);
    }

    /** The same send(2) and recv(2), with the flags the library passes, as raw invokeExact calls. */
    @Benchmark
    public long sendRecvRaw() throws IOException {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            if (Raw.send(capture, fa, one, 1, Raw.MSG_NOSIGNAL) != 1) {
                throw new IOException("send: errno " + Raw.errno(capture));
            }
            long n = Raw.recv(capture, fb, one, 1, 0);
            if (n != 1) {
                throw new IOException("recv: errno " + Raw.errno(capture));
            }
            sum += n;
        }
        return sum;
    }

    /**
     * One byte sent by {@link Sock#sendTo(MemorySegment, Sockaddr)} from one Unix datagram socket
     * bound to a path to another, which receives it by {@link Sock#recvFrom(MemorySegment)}
     * and so learns the sender's path.
     */
    @Benchmark
    public long sendToRecvFromWrapper() throws IOException {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            da.sendTo(one, toB);
            sum += db.recvFrom(one).length();
        }
        return sum;
    }

    /**
     * The same sendto(2) and recvfrom(2) as raw invokeExact calls, linked and with the flags as the
     * library makes them on a Unix datagram socket: sendto critical with MSG_DONTWAIT, recvfrom
     * blocking with MSG_TRUNC.
     */
    @Benchmark
    public long sendToRecvFromRaw() throws IOException {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            if (Raw.sendtoNow(capture, fda, one, 1, Raw.MSG_NOSIGNAL | Raw.MSG_DONTWAIT, toBBytes, toBLength) != 1) {
                throw new IOException("sendto: errno " + Raw.errno(capture));
            }
            fromLen.set(ValueLayout.JAVA_INT, 0, (int) name.byteSize());
            long n = Raw.recvfrom(capture, fdb, one, 1, Raw.MSG_TRUNC, name, fromLen);
            if (n != 1) {
                throw new IOException("recvfrom: errno " + Raw.errno(capture));
            }
            sum += n;
        }
        return sum;
    }

    /**
     * A non-blocking receive that finds nothing, the step a busy-polling receiver repeats: the
     * library's recv on a socket in non-blocking mode, which returns Sock.WOULD_BLOCK for EAGAIN.
     */
    @Benchmark
    public long pollEmptyWrapper() throws IOException {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            sum += idle.recv(one);
        }
        return sum;
    }

    /** The same through recvmsg with MsgFlags.DONTWAIT, as a receiver of control data would. */
    @Benchmark
    public long pollEmptyRecvmsgWrapper() throws IOException {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            sum += b.recvmsg(ControlSpec.NONE, MsgFlags.DONTWAIT, ones).length();
        }
        return sum;
    }

    /** The same empty receive as a raw recv(2) with MSG_DONTWAIT, linked critical as the library links it. */
    @Benchmark
    public long pollEmptyRaw() throws IOException {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            long n = Raw.recvNow(capture, fb, one, 1, Raw.MSG_DONTWAIT);
            if (n < 0 && Raw.errno(capture) != Raw.EAGAIN) {
                throw new IOException("recv: errno " + Raw.errno(capture));
            }
            sum += n;
        }
        return sum;
    }

    /**
     * The same empty receive as a raw recvmsg(2) on a msghdr made once, with the flags the library
     * passes (MSG_DONTWAIT, MSG_CMSG_CLOEXEC) and the name length reset before each call, as the
     * library resets it: what the kernel's recvmsg costs beside its recv, apart from the library.
     */
    @Benchmark
    public long pollEmptyRecvmsgRaw() throws IOException {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            msg.set(ValueLayout.JAVA_INT, Raw.MSG_NAMELEN, 128);
            long n = Raw.recvmsgNow(capture, fb, msg, Raw.MSG_DONTWAIT | Raw.MSG_CMSG_CLOEXEC);
            if (n < 0 && Raw.errno(capture) != Raw.EAGAIN) {
                throw new IOException("recvmsg: errno " + Raw.errno(capture));
            }
            sum += n;
        }
        return sum;
    }
}
