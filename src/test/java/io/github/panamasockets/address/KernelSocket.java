package io.github.panamasockets.address;

import io.github.panamasockets.Errno;
import io.github.panamasockets.Family;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A bare kernel socket for the address tests, made through the generated bindings and the
 * native-call layer: enough to bind an address and ask the kernel for it back.
 */
final class KernelSocket implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
    private final int fd;

    KernelSocket(Family family, int type, int protocol) {
        fd = Syscalls.socket(capture, family.value(), type | LibC.SOCK_CLOEXEC(), protocol);
        if (fd < 0) {
            int errno = Syscalls.errno(capture);
            arena.close();
            throw new IllegalStateException("socket(" + family + "): " + Errno.describe(errno));
        }
    }

    static KernelSocket dgram(Family family) {
        return new KernelSocket(family, LibC.SOCK_DGRAM(), 0);
    }

    KernelSocket setIntOption(int level, int name, int value) {
        MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
        check("setsockopt", Syscalls.setsockopt(capture, fd, level, name, v, 4), null);
        return this;
    }

    KernelSocket bind(Sockaddr address) {
        MemorySegment buf = arena.allocate(Sockaddr.MAX_LENGTH);
        int len = address.encode(buf);
        check("bind", Syscalls.bind(capture, fd, buf, len), address);
        return this;
    }

    Sockaddr localAddress() {
        MemorySegment buf = arena.allocate(Sockaddr.MAX_LENGTH);
        MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) buf.byteSize());
        check("getsockname", Syscalls.getsockname(capture, fd, buf, len), null);
        return Sockaddr.decode(buf, len.get(ValueLayout.JAVA_INT, 0));
    }

    private void check(String call, int result, Sockaddr address) {
        if (result < 0) {
            throw new IllegalStateException(call + (address == null ? "" : " " + address) + ": "
                    + Errno.describe(Syscalls.errno(capture)));
        }
    }

    @Override
    public void close() {
        Syscalls.close(capture, fd);
        arena.close();
    }
}
