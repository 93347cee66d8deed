package bench;

import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;
import io.github.panamasockets.internal.sys.FdRef;

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
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the library's wrapper adds to a call, without a system call on either side: getsockopt,
 * send and recv are replaced by the empty C functions of bench/c/empty_calls.c, both under the
 * library (its symbol lookup searches the class loader's libraries before libc) and under the raw
 * handles here, linked as the library links them. A system call costs hundreds of nanoseconds on
 * a small VM and varies by more than that under load, so only this way can a difference of a few
 * nanoseconds be seen.
 *
 * <p>Each sample times {@value #CALLS} calls, and the median sample is the figure to read: on a
 * shared machine the mean also counts the time the thread was preempted.
 *
 * <p>The environment variable {@code BENCH_EMPTY_CALLS} names the compiled library; each fork
 * loads it before its first socket call, so these benchmarks must not share a fork with others.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(EmptyCall.CALLS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EmptyCall {
    /** Calls per timed sample: enough that the clock's resolution is a fraction of a nanosecond a call. */
    static final int CALLS = 100;
    private static final int MAGIC = 0x5eb;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup STUBS;

    static {
        String path = System.getenv("BENCH_EMPTY_CALLS");
        if (path == null) {
            throw new IllegalStateException("set BENCH_EMPTY_CALLS to the library built from bench/c/empty_calls.c");
        }
        System.load(path);       // before the library links its calls: its lookup then finds these
        STUBS = SymbolLookup.libraryLookup(Path.of(path), Arena.global());
    }

    private static MethodHandle stub(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(STUBS.findOrThrow(name), d, options);
    }

    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    /** As the library links getsockopt, which cannot block: errno capture, critical. */
    private static final MethodHandle GETSOCKOPT_NOW = stub("getsockopt", Raw.GETSOCKOPT, ERRNO, Raw.CRITICAL);
    private static final MethodHandle GETSOCKOPT_ERRNO = stub("getsockopt", Raw.GETSOCKOPT, ERRNO);
    /** Without errno capture, taking and ignoring a capture segment so that it fits the same loop. */
    private static final MethodHandle GETSOCKOPT_PLAIN =
            MethodHandles.dropArguments(stub("getsockopt", Raw.GETSOCKOPT), 0, MemorySegment.class);
    private static final MethodHandle SEND = stub("send", Raw.SEND_RECV, ERRNO);
    private static final MethodHandle RECV = stub("recv", Raw.SEND_RECV, ERRNO);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = Raw.capture(arena);
    private final MemorySegment value = arena.allocate(4, 4);
    private final MemorySegment len = arena.allocate(4, 4);
    private final MemorySegment one = arena.allocate(1);
    private SockPair pair;
    private Sock a;
    private int fd;
    /** A socket {@linkplain Sock#confine() confined} to the benchmark thread. */
    private SockPair confinedPair;
    /**
     * For {@link #claimAndRelease}: the library's own FdRef, over the shared pair's descriptor,
     * never closed; only its state word is used.
     */
    private FdRef directions;
    private Sock confined;

    @Setup
    public void open() throws IOException {
        pair = Sock.pair(SockType.STREAM);
        a = pair.first();
        fd = a.fd();
        directions = new FdRef(fd, true);
        if (a.getInt(Raw.SOL_SOCKET, Raw.SO_TYPE) != MAGIC) {
            throw new IllegalStateException("the library did not call the empty getsockopt; was its lookup already made?");
        }
        // JMH runs the setup of a thread-scoped state in the thread that runs the benchmark.
        confinedPair = Sock.pair(SockType.STREAM);
        confined = confinedPair.first().confine();
    }

    @TearDown
    public void close() {
        pair.close();
        confined.close();
        confinedPair.second().close();
    }

    @Benchmark
    public long getsockoptWrapper() throws IOException {
        return Loops.getInts(a, CALLS);
    }

    /** The handle the library's getsockopt uses: errno capture, critical. */
    @Benchmark
    public long getsockoptRaw() throws Throwable {
        return Loops.getsockopts(GETSOCKOPT_NOW, CALLS, capture, fd, value, len);
    }

    /** Not critical: with the transition to native and back that a call that may block needs. */
    @Benchmark
    public long getsockoptRawTransition() throws Throwable {
        return Loops.getsockopts(GETSOCKOPT_ERRNO, CALLS, capture, fd, value, len);
    }

    /** Without errno capture (and not critical): what capturing it costs. */
    @Benchmark
    public long getsockoptRawNoErrno() throws Throwable {
        return Loops.getsockopts(GETSOCKOPT_PLAIN, CALLS, capture, fd, value, len);
    }

    @Benchmark
    public long getsockoptConfined() throws IOException {
        return Loops.getInts(confined, CALLS);
    }

    @Benchmark
    public long sendWrapper() throws IOException {
        return Loops.sends(a, one, CALLS);
    }

    @Benchmark
    public long sendConfined() throws IOException {
        return Loops.sends(confined, one, CALLS);
    }

    @Benchmark
    public long recvConfined() throws IOException {
        return Loops.recvs(confined, one, CALLS);
    }

    @Benchmark
    public long sendRaw() throws Throwable {
        return Loops.sendsOrRecvs(SEND, CALLS, capture, fd, one, Raw.MSG_NOSIGNAL);
    }

    @Benchmark
    public long recvWrapper() throws IOException {
        return Loops.recvs(a, one, CALLS);
    }

    @Benchmark
    public long recvRaw() throws Throwable {
        return Loops.sendsOrRecvs(RECV, CALLS, capture, fd, one, 0);
    }

    /**
     * What a call on a shared socket does that a confined one skips, alone: FdRef's uncontended
     * enter and exit, a compare-and-set that claims a direction and an atomic add that frees it.
     * The floor of the shared rows over the confined ones.
     */
    @Benchmark
    public int claimAndRelease() {
        int sum = 0;
        for (int i = 0; i < CALLS; i++) {
            if (!directions.enter(FdRef.READ)) {
                throw new IllegalStateException("closed");
            }
            directions.exit(FdRef.READ);
            sum++;
        }
        return sum;
    }
}
