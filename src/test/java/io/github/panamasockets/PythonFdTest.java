package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Descriptors and credentials cross process boundaries to and from a python3 peer
 * ({@code socket.send_fds}, {@code socket.recv_fds}, SCM_CREDENTIALS); skipped visibly where python3
 * is not installed.
 */
class PythonFdTest {

    private static final String PEER = """
            import os, socket, struct, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect('\\0' + sys.argv[1])
            # 1. send a pipe's read end, with something waiting in the pipe
            r, w = os.pipe()
            os.write(w, b'from python')
            os.close(w)
            socket.send_fds(s, [b'fd'], [r])
            os.close(r)
            # 2. send our credentials explicitly
            s.sendmsg([b'cred'], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS,
                                   struct.pack('iii', os.getpid(), os.getuid(), os.getgid()))])
            # 3. receive a descriptor from Java and read what waits in it
            msg, fds, flags, addr = socket.recv_fds(s, 16, 4)
            print(msg.decode(), os.read(fds[0], 100).decode(), flush=True)
            for fd in fds:
                os.close(fd)
            """;

    /** {@return the python3 on the PATH}, or null */
    static Path python() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, "python3"))) {
                return Path.of(d, "python3");
            }
        }
        return null;
    }

    @Test
    void descriptorsAndCredentialsBothWays() throws Exception {
        Path py = python();
        assumeTrue(py != null, "python3 is not installed: the python3 descriptor exchange is skipped");
        String name = "fd-peer-" + ProcessHandle.current().pid();
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.abstractName(name)).listen()) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                Process p = new ProcessBuilder(py.toString(), "-c", PEER, name).redirectErrorStream(true).start();
                try (var conn = server.accept(); Arena arena = Arena.ofConfined()) {
                    Sock s = conn.socket();
                    s.set(SockOpt.SO_PASSCRED, true);
                    // 1. a pipe from python: read what python left in it (credentials come along too,
                    //    with SO_PASSCRED on, so make room for both)
                    MsgResult got = s.recvmsg(new ControlSpec(1, true, false, 0), 0, ByteBuffer.allocate(2));
                    Cmsg.Fds fds = (Cmsg.Fds) got.control().stream().filter(c -> c instanceof Cmsg.Fds).findFirst().orElseThrow();
                    try (OwnedFd fd = fds.fds().get(0)) {
                        MemorySegment buf = arena.allocate(100);
                        long n = Syscalls.read(arena.allocate(Syscalls.CAPTURE_LAYOUT), fd.fd(), buf, 100);
                        assertEquals("from python", new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                    }
                    // 2. python's credentials: its real pid
                    MsgResult cred = s.recvmsg(new ControlSpec(0, true, false, 0), 0, ByteBuffer.allocate(4));
                    var c = (Cmsg.Credentials) cred.control().get(0);
                    assertEquals(p.pid(), c.pid(), "the python process's pid");
                    assertEquals(s.peerCredentials().uid(), c.uid());
                    assertEquals(p.pid(), s.peerCredentials().pid(), "SO_PEERCRED agrees");
                    // 3. a pipe to python, with something waiting in it
                    MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
                    MemorySegment pipe = arena.allocate(ValueLayout.JAVA_INT, 2);
                    assertEquals(0, Syscalls.pipe2(capture, pipe, LibC.O_CLOEXEC()));
                    int r = pipe.getAtIndex(ValueLayout.JAVA_INT, 0);
                    int w = pipe.getAtIndex(ValueLayout.JAVA_INT, 1);
                    MemorySegment text = arena.allocateFrom("from java");
                    Syscalls.write(capture, w, text, 9);
                    Syscalls.close(capture, w);
                    s.sendmsg(null, List.of(Cmsg.fds(OwnedFd.borrow(r))), 0, ByteBuffer.wrap("java".getBytes()));
                    Syscalls.close(capture, r);
                    String out = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
                    assertEquals("java from java", out);
                }
                assertTrue(p.waitFor(20, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
            });
        }
    }
}
