package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrUnix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SCM_CREDENTIALS and SO_PEERCRED name the sending process by its real pid, uid and gid, as
 * /proc reports them: for this process, for a child JVM, and for a python3 peer.
 */
class CredentialsTest {

    /** A process's ids as /proc/PID/status gives them (real uid and gid, which here equal the effective). */
    record Ids(int pid, int uid, int gid) {
        static Ids of(long pid) throws IOException {
            int uid = -1;
            int gid = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                String[] f = line.split("\\s+");
                if (f[0].equals("Uid:")) {
                    assertEquals(f[1], f[2], "real and effective uid differ: the test assumes they do not");
                    uid = Integer.parseInt(f[1]);
                } else if (f[0].equals("Gid:")) {
                    assertEquals(f[1], f[2], "real and effective gid differ: the test assumes they do not");
                    gid = Integer.parseInt(f[1]);
                }
            }
            return new Ids((int) pid, uid, gid);
        }

        Cmsg.Credentials cmsg() {
            return new Cmsg.Credentials(pid, uid, gid);
        }

        PeerCred peerCred() {
            return new PeerCred(pid, uid, gid);
        }
    }

    private static SockType type(String name) {
        return switch (name) {
            case "STREAM" -> SockType.STREAM;
            case "DGRAM" -> SockType.DGRAM;
            default -> SockType.SEQPACKET;
        };
    }

    private static final ControlSpec CREDENTIALS = new ControlSpec(0, true, false, 0);

    @ParameterizedTest(name = "SOCK_{0}")
    @ValueSource(strings = {"STREAM", "DGRAM", "SEQPACKET"})
    void credentialsSentExplicitlyArriveAsTheSendersRealIds(String typeName) throws Exception {
        Ids me = Ids.of(ProcessHandle.current().pid());
        try (var pair = Sock.pair(type(typeName))) {
            pair.second().set(SockOpt.SO_PASSCRED, true);
            assertEquals(3, pair.first().sendmsg(null, List.of(me.cmsg()), 0, "abc".getBytes()));
            MsgResult r = pair.second().recvmsg(CREDENTIALS, 0, new byte[8]);
            assertEquals(3, r.length());
            assertFalse(r.controlTruncated(), r.toString());
            assertEquals(List.of(me.cmsg()), r.control());
        }
    }

    @ParameterizedTest(name = "SOCK_{0}")
    @ValueSource(strings = {"STREAM", "DGRAM", "SEQPACKET"})
    void withSoPasscredTheKernelNamesASenderThatSentNone(String typeName) throws Exception {
        Ids me = Ids.of(ProcessHandle.current().pid());
        try (var pair = Sock.pair(type(typeName))) {
            pair.second().set(SockOpt.SO_PASSCRED, true);
            pair.first().send(new byte[] {1});
            MsgResult r = pair.second().recvmsg(CREDENTIALS, 0, new byte[8]);
            assertEquals(List.of(me.cmsg()), r.control());
        }
    }

    @Test
    void withoutSoPasscredNoCredentialsArrive() throws Exception {
        Ids me = Ids.of(ProcessHandle.current().pid());
        try (var pair = Sock.pair(SockType.DGRAM)) {
            pair.first().sendmsg(null, List.of(me.cmsg()), 0, new byte[] {1});
            MsgResult r = pair.second().recvmsg(CREDENTIALS, 0, new byte[8]);
            assertEquals(List.of(), r.control());
            assertFalse(r.controlTruncated());
        }
    }

    @Test
    void tooLittleRoomIsReportedNotHidden() throws Exception {
        try (var pair = Sock.pair(SockType.DGRAM)) {
            pair.second().set(SockOpt.SO_PASSCRED, true);
            pair.first().send(new byte[] {1});
            MsgResult r = pair.second().recvmsg(ControlSpec.NONE, 0, new byte[8]);
            assertTrue(r.controlTruncated(), "no room for the credentials is MSG_CTRUNC: " + r);
            assertEquals(List.of(), r.control());
        }
    }

    @Test
    void peerCredentialsOfAPairAreThisProcess() throws Exception {
        Ids me = Ids.of(ProcessHandle.current().pid());
        try (var pair = Sock.pair(SockType.STREAM)) {
            assertEquals(me.peerCred(), pair.first().peerCredentials());
            assertEquals(me.peerCred(), pair.second().peerCredentials());
        }
    }

    /**
     * The kernel checks a claim: another process's pid needs CAP_SYS_ADMIN (root in a container
     * may lack it). With it, the claim is delivered; without, EPERM.
     */
    @Test
    void claimingAnotherPidNeedsCapSysAdmin() throws Exception {
        Ids me = Ids.of(ProcessHandle.current().pid());
        Cmsg lie = new Cmsg.Credentials(1, me.uid(), me.gid());
        try (var pair = Sock.pair(SockType.DGRAM)) {
            pair.second().set(SockOpt.SO_PASSCRED, true);
            if (hasCapability(21)) {        // CAP_SYS_ADMIN
                pair.first().sendmsg(null, List.of(lie), 0, new byte[] {1});
                assertEquals(List.of(lie), pair.second().recvmsg(CREDENTIALS, 0, new byte[8]).control());
            } else {
                var e = assertThrows(SyscallException.class, () -> pair.first().sendmsg(null, List.of(lie), 0, new byte[] {1}));
                assertEquals("EPERM", e.errnoName());
            }
            // Whatever the kernel did, what the peer receives next is the truth again.
            pair.first().send(new byte[] {2});
            assertEquals(List.of(me.cmsg()), pair.second().recvmsg(CREDENTIALS, 0, new byte[8]).control());
        }
    }

    private static boolean hasCapability(int bit) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << bit)) != 0;
            }
        }
        return false;
    }

    /** A second JVM, which connects with the JDK's own Unix channel and so sends no credentials itself. */
    private static final String CHILD = """
            import java.net.UnixDomainSocketAddress;
            import java.nio.ByteBuffer;
            import java.nio.channels.SocketChannel;

            public class Child {
                public static void main(String[] args) throws Exception {
                    try (var ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
                        ch.write(ByteBuffer.wrap("child".getBytes()));
                        ch.read(ByteBuffer.allocate(1));     // stay alive until the parent has looked
                    }
                }
            }
            """;

    @Test
    void aChildProcessIsNamedByItsOwnPid(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("Child.java"), CHILD);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path socket = dir.resolve("creds.sock");
        // SO_PASSCRED on the listener: the accepted socket has it from the start, so the child's
        // first bytes cannot arrive before it is set.
        try (var server = Sock.open(Family.UNIX, SockType.STREAM).set(SockOpt.SO_PASSCRED, true)
                .bind(SockaddrUnix.of(socket)).listen()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Process child = new ProcessBuilder(java, source.toString(), socket.toString())
                        .redirectErrorStream(true).start();
                try (var conn = server.accept()) {
                    Sock s = conn.socket();
                    assertTrue(s.get(SockOpt.SO_PASSCRED), "accepted sockets inherit SO_PASSCRED");
                    Ids them = Ids.of(child.pid());
                    assertNotEquals(ProcessHandle.current().pid(), child.pid());
                    assertEquals(them.peerCred(), s.peerCredentials(), "SO_PEERCRED names the child");
                    byte[] buf = new byte[5];
                    MsgResult r = s.recvmsg(CREDENTIALS, MsgFlags.WAITALL, buf);
                    assertEquals("child", new String(buf, 0, (int) r.length()));
                    assertEquals(List.of(them.cmsg()), r.control(), "SCM_CREDENTIALS names the child");
                    s.send(new byte[] {1});
                } finally {
                    String out = new String(child.getInputStream().readAllBytes());
                    assertTrue(child.waitFor(30, TimeUnit.SECONDS), out);
                    assertEquals(0, child.exitValue(), out);
                }
            });
        }
    }

    private static final String PYTHON_PEER = """
            import os, socket, struct, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.connect('\\0' + sys.argv[1])
            s.sendmsg([b'explicit'], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS,
                                       struct.pack('iii', os.getpid(), os.getuid(), os.getgid()))])
            s.send(b'implicit')
            s.recv(1)
            """;

    @Test
    void aPython3PeerSendingScmCredentialsIsNamedByItsOwnPid() throws Exception {
        Path py = PythonFdTest.python();
        assumeTrue(py != null, "python3 is not installed: the python3 SCM_CREDENTIALS peer is skipped");
        String name = "creds-peer-" + ProcessHandle.current().pid();
        try (var server = Sock.open(Family.UNIX, SockType.SEQPACKET).set(SockOpt.SO_PASSCRED, true)
                .bind(SockaddrUnix.abstractName(name)).listen()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Process p = new ProcessBuilder(py.toString(), "-c", PYTHON_PEER, name).redirectErrorStream(true).start();
                try (var conn = server.accept()) {
                    Sock s = conn.socket();
                    Ids them = Ids.of(p.pid());
                    assertEquals(them.peerCred(), s.peerCredentials());
                    for (String expected : new String[] {"explicit", "implicit"}) {
                        ByteBuffer buf = ByteBuffer.allocate(16);
                        MsgResult r = s.recvmsg(CREDENTIALS, 0, buf);
                        assertEquals(expected, new String(buf.array(), 0, buf.position()));
                        assertEquals(List.of(them.cmsg()), r.control(), expected);
                    }
                    s.send(new byte[] {1});
                } finally {
                    String out = new BufferedReader(new InputStreamReader(p.getInputStream())).lines().reduce("", String::concat);
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
                    assertEquals(0, p.exitValue(), out);
                }
            });
        }
    }
}
