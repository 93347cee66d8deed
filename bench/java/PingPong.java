import io.github.panamasockets.Family;
import io.github.panamasockets.Sock;
import io.github.panamasockets.SockPair;
import io.github.panamasockets.SockType;
import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * 1-byte ping-pong between two threads, the Java side of scripts/bench.sh; the same workload as
 * bench/c/pingpong.c. Prints: KIND IMPL p50_ns p99_ns p999_ns msgs_per_s
 *
 *   java PingPong KIND IMPL ROUNDS   KIND: unix-stream unix-seqpacket unix-dgram tcp4 tcp6
 *                                    IMPL: panama (direct memory) | panama-heap (byte[]) | nio
 */
public final class PingPong {

    interface End {
        void send() throws IOException;
        void recv() throws IOException;
    }

    public static void main(String[] args) throws Exception {
        if (args[0].startsWith("bulk-")) {
            bulk(Integer.parseInt(args[0].substring(5)), args[1], Long.parseLong(args[2]));
            return;
        }
        String kind = args[0];
        String impl = args[1];
        int rounds = Integer.parseInt(args[2]);
        End[] ends = impl.equals("nio") ? nio(kind) : panama(kind, impl.equals("panama-heap"));
        int warmup = Math.max(rounds / 10, 20_000);
        int total = warmup + rounds;
        Thread echo = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    ends[1].recv();
                    ends[1].send();
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long[] t = new long[rounds];
        long start = 0;
        for (int i = 0; i < total; i++) {
            if (i == warmup) {
                start = System.nanoTime();
            }
            long t0 = System.nanoTime();
            ends[0].send();
            ends[0].recv();
            if (i >= warmup) {
                t[i - warmup] = System.nanoTime() - t0;
            }
        }
        long elapsed = System.nanoTime() - start;
        echo.join();
        Arrays.sort(t);
        System.out.printf("%s %s %d %d %d %.0f%n", kind, impl, t[rounds / 2], t[rounds * 99 / 100],
                t[rounds * 999 / 1000], rounds * 1e9 / elapsed);
    }

    /**
     * Bulk transfer over a Unix stream pair: writes of {@code size} bytes, {@code mib} MiB in all,
     * drained by another thread. Prints: bulk-SIZE IMPL MB_per_s.
     */
    private static void bulk(int size, String impl, long mib) throws Exception {
        if (impl.startsWith("nio")) {
            nioBulk(size, impl.equals("nio-heap"), mib);
            return;
        }
        long total = mib << 20;
        SockPair pair = Sock.pair(SockType.STREAM);
        Thread drain = Thread.ofPlatform().start(() -> {
            try {
                MemorySegment buf = Arena.ofAuto().allocate(1 << 20);
                long got = 0;
                while (got < total) {
                    got += pair.second().recv(buf);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] heap = new byte[size];
        MemorySegment direct = Arena.ofAuto().allocate(size);
        long t0 = System.nanoTime();
        for (long sent = 0; sent < total; ) {
            int want = (int) Math.min(size, total - sent);
            sent += impl.equals("panama-heap") ? pair.first().send(heap, 0, want)
                    : pair.first().send(direct.asSlice(0, want));
        }
        drain.join();
        long t = System.nanoTime() - t0;
        System.out.printf("bulk-%d %s %.0f%n", size, impl, total * 1e3 / t);
        pair.close();
    }

    private static void nioBulk(int size, boolean heap, long mib) throws Exception {
        long total = mib << 20;
        Path dir = Files.createTempDirectory("bulk");
        var address = UnixDomainSocketAddress.of(dir.resolve("s"));
        SocketChannel a;
        SocketChannel b;
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address)) {
            a = SocketChannel.open(address);
            b = server.accept();
        }
        Files.delete(dir.resolve("s"));
        Files.delete(dir);
        Thread drain = Thread.ofPlatform().start(() -> {
            try {
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                long got = 0;
                while (got < total) {
                    buf.clear();
                    got += b.read(buf);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteBuffer src = heap ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
        long t0 = System.nanoTime();
        for (long sent = 0; sent < total; ) {
            src.clear().limit((int) Math.min(size, total - sent));
            sent += a.write(src);
        }
        drain.join();
        long t = System.nanoTime() - t0;
        System.out.printf("bulk-%d %s %.0f%n", size, heap ? "nio-heap" : "nio", total * 1e3 / t);
        a.close();
        b.close();
    }

    private static End[] panama(String kind, boolean heap) throws IOException {
        Sock a;
        Sock b;
        if (kind.startsWith("unix-")) {
            SockType type = switch (kind) {
                case "unix-stream" -> SockType.STREAM;
                case "unix-seqpacket" -> SockType.SEQPACKET;
                default -> SockType.DGRAM;
            };
            SockPair p = Sock.pair(type);
            a = p.first();
            b = p.second();
        } else {
            boolean v6 = kind.equals("tcp6");
            Family f = v6 ? Family.INET6 : Family.INET;
            Sock server = Sock.open(f, SockType.STREAM)
                    .bind(v6 ? SockaddrInet6.loopback(0) : SockaddrInet4.loopback(0)).listen(1);
            a = Sock.open(f, SockType.STREAM).connect(server.localAddress());
            b = server.accept().socket();
            server.close();
        }
        return new End[] {end(a, heap), end(b, heap)};
    }

    private static End end(Sock s, boolean heap) {
        if (heap) {
            byte[] buf = new byte[1];
            return new End() {
                public void send() throws IOException {
                    s.send(buf, 0, 1);
                }

                public void recv() throws IOException {
                    s.recv(buf, 0, 1);
                }
            };
        }
        MemorySegment buf = Arena.ofAuto().allocate(1);
        return new End() {
            public void send() throws IOException {
                s.send(buf);
            }

            public void recv() throws IOException {
                s.recv(buf);
            }
        };
    }

    private static End[] nio(String kind) throws IOException {
        SocketChannel a;
        SocketChannel b;
        if (kind.equals("unix-stream")) {
            Path dir = Files.createTempDirectory("pingpong");
            var address = UnixDomainSocketAddress.of(dir.resolve("s"));
            try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address)) {
                a = SocketChannel.open(address);
                b = server.accept();
            }
            Files.delete(dir.resolve("s"));
            Files.delete(dir);
        } else if (kind.startsWith("tcp")) {
            InetAddress lo = InetAddress.getByName(kind.equals("tcp6") ? "::1" : "127.0.0.1");
            try (var server = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0))) {
                a = SocketChannel.open(server.getLocalAddress());
                b = server.accept();
            }
        } else {
            throw new IllegalArgumentException("NIO has no " + kind);
        }
        return new End[] {nioEnd(a), nioEnd(b)};
    }

    private static End nioEnd(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1);
        return new End() {
            public void send() throws IOException {
                buf.clear();
                c.write(buf);
            }

            public void recv() throws IOException {
                buf.clear();
                c.read(buf);
            }
        };
    }
}
