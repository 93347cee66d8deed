package io.github.panamasockets;

import io.github.panamasockets.EchoMatrixTest.Case;
import io.github.panamasockets.EchoMatrixTest.Link;
import io.github.panamasockets.EchoMatrixTest.Naming;
import io.github.panamasockets.address.Sockaddr;
import io.github.panamasockets.address.SockaddrUnix;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.sys.Syscalls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Non-blocking mode over the family x type matrix (AF_UNIX stream, seqpacket and datagram; TCP and
 * UDP over 127.0.0.1 and ::1): receives on an empty socket and sends on a full one return
 * {@link Sock#WOULD_BLOCK} and move nothing, accept returns null, a TCP connect is left pending
 * for {@link Sock#finishConnect()}, {@link MsgFlags#DONTWAIT} gives the same answers in blocking
 * mode, and the mode can be switched back. The oracle for the mode is the kernel's own:
 * {@code flags:} in /proc/self/fdinfo, where O_NONBLOCK is 04000. JDK NIO and python3 peers
 * exchange data with a non-blocking socket that waits only in poll.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a hang guard only
class NonBlockingTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    /** O_NONBLOCK in the octal {@code flags:} of /proc/self/fdinfo (asm-generic/fcntl.h). */
    private static final int O_NONBLOCK = 04000;
    private static final int WOULD_BLOCK = Sock.WOULD_BLOCK;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------ helpers

    /** {@return the file status flags the kernel reports for a descriptor}: fdinfo's {@code flags:}, octal */
    static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags: line in /proc/self/fdinfo/" + fd);
    }

    /** {@return whether O_NONBLOCK is set on the socket's descriptor}, by the kernel's account */
    static boolean fdNonBlocking(Sock s) throws IOException {
        return (fdFlags(s.fd()) & O_NONBLOCK) != 0;
    }

    /**
     * Asserts that a recv on {@code s}, on a new platform or virtual thread, waits (in the kernel,
     * or parked) until {@code peer} sends, and then returns what was sent.
     */
    static void assertRecvWaitsForData(Sock s, Sock peer, boolean virtual) throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            CompletableFuture<Object> r = new CompletableFuture<>();
            Thread t = TimeoutTest.builder(virtual).start(() -> r.complete(
                    TimeoutTest.valueOrThrown(() -> s.recv(new byte[8]))));
            PollTest.awaitWaiting(t);
            assertFalse(r.isDone(), s + ": recv waits for data: " + r);
            peer.send(new byte[] {1, 2, 3});
            assertEquals(3, r.get(), s.toString());
        });
    }

    /** One socket of every type each family has, connected to a peer. */
    static Stream<Case> cases() {
        return EchoMatrixTest.allCases().filter(c -> c.naming() == Naming.PAIR || c.naming() == Naming.LOOPBACK);
    }

    /** The cases where a send can find no room: all but UDP, whose receiver drops what does not fit. */
    static Stream<Case> casesThatFill() {
        return cases().filter(c -> c.family().equals(Family.UNIX) || c.stream());
    }

    /** Listeners: Unix stream and seqpacket on an abstract name, TCP on 127.0.0.1 and ::1. */
    static Stream<Case> listeners() {
        return EchoMatrixTest.connectionOrientedCases()
                .filter(c -> c.naming() == Naming.ABSTRACT || c.naming() == Naming.LOOPBACK);
    }

    /** The byte at {@code offset} of an endless pattern in which a byte out of place shows. */
    private static byte patternAt(long offset) {
        return (byte) (offset * 31 + (offset >>> 8));
    }

    private static byte[] pattern(long offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = patternAt(offset + i);
        }
        return b;
    }

    // ------------------------------------------------------------------------------ receive

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void receivesOnAnEmptySocketReturnWouldBlockAndTouchNothing(Case c) throws Exception {
        try (Link l = EchoMatrixTest.link(c, dir); Arena arena = Arena.ofConfined()) {
            Sock s = l.b();
            assertFalse(fdNonBlocking(s), "a new socket is blocking");
            assertTrue(s.setNonBlocking(true).isNonBlocking());
            assertTrue(fdNonBlocking(s), "setNonBlocking(true) set O_NONBLOCK on the descriptor");
            byte[] array = new byte[16];
            Arrays.fill(array, (byte) 7);
            assertEquals(WOULD_BLOCK, s.recv(array));
            assertEquals(WOULD_BLOCK, s.recv(array, 3, 5));
            assertEquals(WOULD_BLOCK, TimeoutTest.onThread(true, () -> s.recv(array)).value(), "on a virtual thread too");
            ByteBuffer heap = ByteBuffer.allocate(16).position(3);
            ByteBuffer direct = ByteBuffer.allocateDirect(16).position(5);
            assertEquals(WOULD_BLOCK, s.recv(heap));
            assertEquals(WOULD_BLOCK, s.recv(direct));
            assertEquals(WOULD_BLOCK, s.recv(arena.allocate(16)));
            assertEquals(WOULD_BLOCK, s.recv(MemorySegment.ofArray(new byte[16])));
            for (Received r : List.of(s.recvFrom(array, 0, 16), s.recvFrom(heap), s.recvFrom(direct),
                    s.recvFrom(arena.allocate(16)))) {
                assertTrue(r.wouldBlock(), r.toString());
                assertEquals(WOULD_BLOCK, r.length());
                assertNull(r.from(), "nobody sent anything");
            }
            ControlSpec want = c.family().equals(Family.UNIX) ? ControlSpec.fds(2) : ControlSpec.NONE;
            for (MsgResult m : List.of(s.recvmsg(want, 0, heap, direct), s.recvmsg(want, 0, array, new byte[4]),
                    s.recvmsg(want, 0, arena.allocate(8), MemorySegment.ofArray(new byte[8])))) {
                assertTrue(m.wouldBlock(), m.toString());
                assertEquals(WOULD_BLOCK, m.length());
                assertEquals(List.of(), m.control());
                assertEquals(List.of(), m.fds());
            }
            assertEquals(3, heap.position(), "a heap buffer's position is left alone");
            assertEquals(5, direct.position(), "a direct buffer's position is left alone");
            byte[] untouched = new byte[16];
            Arrays.fill(untouched, (byte) 7);
            assertArrayEquals(untouched, array, "nothing was written into the array");

            // The same socket receives once something comes.
            byte[] msg = ("to " + c).getBytes();
            assertEquals(msg.length, l.a().send(msg));
            assertEquals(PollEvents.IN, s.poll(PollEvents.IN, HANG_GUARD));
            byte[] got = new byte[msg.length + 8];
            int n = c.stream() ? SocketMatrixTest.recvExactly(s, msg.length).length : s.recv(got);
            assertEquals(msg.length, n);
            assertEquals(WOULD_BLOCK, s.recv(got), "and then nothing again");
        }
    }

    // ------------------------------------------------------------------------------ send

    /** One way to send {@code length} bytes of the pattern from {@code offset}; returns what send returned. */
    private interface Sender {
        long send(Sock s, long offset, int length, Arena arena) throws IOException;
    }

    /** A ByteBuffer send, which must leave the position alone when it would block. */
    private static long sendBuffer(Sock s, ByteBuffer b, boolean msg) throws IOException {
        int before = b.position();
        long n = msg ? s.sendmsg(null, List.of(), 0, b) : s.send(b);
        assertEquals(n == WOULD_BLOCK ? before : before + n, b.position(), "the position moves only by what was sent");
        return n;
    }

    private static final List<Sender> SENDERS = List.of(
            (s, off, len, arena) -> s.send(pattern(off, len)),
            (s, off, len, arena) -> sendBuffer(s, ByteBuffer.wrap(pattern(off, len)), false),
            (s, off, len, arena) -> sendBuffer(s, ByteBuffer.allocateDirect(len).put(pattern(off, len)).flip(), false),
            (s, off, len, arena) -> s.send(arena.allocateFrom(ValueLayout.JAVA_BYTE, pattern(off, len))),
            (s, off, len, arena) -> s.send(MemorySegment.ofArray(pattern(off, len))),
            (s, off, len, arena) -> s.sendmsg(null, List.of(), 0, pattern(off, len)),
            (s, off, len, arena) -> sendBuffer(s, ByteBuffer.wrap(pattern(off, len)), true));

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesThatFill")
    void sendsOnAFullSocketReturnWouldBlockAndEveryByteSentArrivesInOrder(Case c) throws Exception {
        try (Link l = EchoMatrixTest.link(c, dir); Arena arena = Arena.ofConfined()) {
            Sock a = l.a().set(SockOpt.SO_SNDBUF, 4096).setNonBlocking(true);
            Sock b = l.b().set(SockOpt.SO_RCVBUF, 65536);
            int size = c.stream() ? 1000 : 200;
            long sent = 0;
            long received = 0;
            int sends = 0;
            // Each way of sending, in turn, fills the socket until it would block; the peer then
            // receives exactly what was sent, in order, which makes room for the next.
            for (Sender sender : SENDERS) {
                int before = sends;
                for (int i = 0; ; i++) {
                    assertTrue(i < 100_000, c + ": the socket never filled");
                    long n = sender.send(a, sent, size, arena);
                    if (n == WOULD_BLOCK) {
                        break;
                    }
                    assertTrue(n > 0 && n <= size, "sent " + n);
                    assertTrue(c.stream() || n == size, "a message goes whole");
                    sent += n;
                    sends++;
                }
                assertTrue(sends > before, c + ": each kind of send sent something before it would block");
                assertEquals(0, a.poll(PollEvents.OUT, Duration.ZERO), "poll agrees there is no room");
                if (c.stream()) {
                    assertArrayEquals(pattern(received, (int) (sent - received)),
                            SocketMatrixTest.recvExactly(b, (int) (sent - received)));
                } else {
                    byte[] buf = new byte[size + 1];
                    for (long m = received; m < sent; m += size) {
                        assertEquals(size, b.recv(buf), "the message at " + m);
                        assertArrayEquals(pattern(m, size), Arrays.copyOf(buf, size), "the message at " + m);
                    }
                }
                received = sent;
            }
            System.out.printf("%s: %d bytes in %d sends, each of %d kinds of send filling the socket in turn%n", c,
                    sent, sends, SENDERS.size());
            assertEquals(WOULD_BLOCK, b.setNonBlocking(true).recv(new byte[8]), "nothing more was sent");
            assertEquals(size, a.send(pattern(0, size)), "room again once the peer has read");
        }
    }

    // ------------------------------------------------------------------------------ accept

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    void acceptWithNothingPendingReturnsNullAndTheAcceptedSocketBlocks(Case c) throws Exception {
        try (Sock server = Sock.open(c.family(), c.type()).bind(c.address(dir)).listen().setNonBlocking(true)) {
            assertTrue(fdNonBlocking(server));
            assertNull(server.accept(), "no connection is waiting");
            assertNull(server.accept());
            try (Sock client = Sock.open(c.family(), c.type()).connect(server.localAddress())) {
                assertEquals(PollEvents.IN, server.poll(PollEvents.IN, HANG_GUARD), "a connection is waiting");
                try (Accepted a = server.accept()) {
                    assertNotNull(a);
                    assertEquals(client.localAddress(), a.peer());
                    assertNull(server.accept(), "and then none again");
                    Sock conn = a.socket();
                    assertFalse(conn.isNonBlocking(), "the accepted socket is in blocking mode");
                    assertFalse(fdNonBlocking(conn), "without O_NONBLOCK on its descriptor");
                    assertRecvWaitsForData(conn, client, false);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ connect

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"AF_INET", "AF_INET6"})
    void aNonBlockingTcpConnectIsPendingUntilFinishConnect(String familyName) throws Exception {
        Family f = familyName.equals("AF_INET") ? Family.INET : Family.INET6;
        try (Sock server = Sock.open(f, SockType.STREAM).bind(TimeoutTest.loopback(f)).listen();
             Sock client = Sock.open(f, SockType.STREAM).setNonBlocking(true)) {
            assertFalse(client.isConnectPending());
            assertTrue(client.finishConnect(), "no connect pending: nothing to finish");
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                assertTrue(client.connect(server.localAddress()) == client);
                // Linux never completes a non-blocking TCP connect inside connect(2): EINPROGRESS.
                assertTrue(client.isConnectPending(), "connect returned with the handshake under way");
                int r = client.poll(PollEvents.OUT, HANG_GUARD);
                assertEquals(PollEvents.OUT, r, "writable once the handshake is done: " + PollEvents.toString(r));
                assertTrue(client.isConnectPending(), "until finishConnect looks, the connect is pending");
                assertTrue(client.finishConnect(), "POLLOUT came: the outcome is known");
                assertFalse(client.isConnectPending());
                assertTrue(client.finishConnect(), "finishing again is harmless");
                assertEquals(server.localAddress(), client.peerAddress());
                assertTrue(fdNonBlocking(client), "the socket stays in non-blocking mode");
                try (Accepted a = server.accept()) {
                    assertEquals(3, client.send(new byte[] {1, 2, 3}));
                    assertArrayEquals(new byte[] {1, 2, 3}, SocketMatrixTest.recvExactly(a.socket(), 3));
                }
            });
        }
    }

    @Test
    void finishConnectIsFalseWhileTheHandshakeWaits() throws Exception {
        // The listener's accept queue is full, so the kernel drops this SYN: the connect stays in
        // SYN_SENT for at least the first retransmission, a second away.
        List<AutoCloseable> keep = TimeoutTest.tcpFullBacklog(Family.INET);
        try (Sock s = Sock.open(Family.INET, SockType.STREAM).setNonBlocking(true)) {
            s.connect(((Sock) keep.get(0)).localAddress());
            assertTrue(s.isConnectPending());
            assertFalse(s.finishConnect(), "still in progress");
            assertEquals(0, s.poll(PollEvents.OUT, Duration.ofMillis(100)), "not writable while it waits");
            assertFalse(s.finishConnect());
            assertTrue(s.isConnectPending());
            assertThrows(SocketException.class, () -> s.peerAddress(), "not connected yet");
        } finally {
            TimeoutTest.closeAll(keep);
        }
    }

    @Test
    void aRefusedConnectIsAConnectException() throws Exception {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (Family f : List.of(Family.INET, Family.INET6)) {
                // A bound socket that does not listen: the kernel answers a SYN to it with RST.
                try (Sock bound = Sock.open(f, SockType.STREAM).bind(TimeoutTest.loopback(f))) {
                    Sockaddr refused = bound.localAddress();
                    try (Sock s = Sock.open(f, SockType.STREAM).setNonBlocking(true)) {
                        ConnectException e = assertThrows(ConnectException.class, () -> {
                            s.connect(refused);            // may be refused at once, or be left pending
                            while (!s.finishConnect()) {
                                s.poll(PollEvents.OUT, HANG_GUARD);
                            }
                        });
                        assertEquals("ECONNREFUSED", ((SyscallError) e).errnoName(), e.getMessage());
                        assertFalse(s.isConnectPending(), "no connection is pending after the refusal");
                        assertTrue(s.finishConnect());
                    }
                    try (Sock s = Sock.open(f, SockType.STREAM)) {
                        ConnectException e = assertThrows(ConnectException.class, () -> s.connect(refused));
                        assertEquals("ECONNREFUSED", ((SyscallError) e).errnoName());
                        assertFalse(fdNonBlocking(s), "blocking mode again after the connect");
                    }
                }
            }
            // A Unix connect to a name nobody has is refused at once.
            Sockaddr nobody = SockaddrUnix.abstractName("nonblocking-nobody-" + ProcessHandle.current().pid());
            try (Sock s = Sock.open(Family.UNIX, SockType.STREAM).setNonBlocking(true)) {
                assertThrows(ConnectException.class, () -> s.connect(nobody));
                assertFalse(s.isConnectPending());
            }
        });
    }

    @Test
    void aNonBlockingUnixConnectToAFullBacklogCanBeTriedAgain() throws Exception {
        // connect(2): EAGAIN for a non-blocking Unix socket whose listener's backlog is full. No
        // connection was started and nothing timed out: the socket stays open, to try again.
        Sockaddr name = TimeoutTest.unixName();
        List<AutoCloseable> keep = TimeoutTest.unixFullBacklog(name);
        try (Sock s = Sock.open(Family.UNIX, SockType.STREAM).setNonBlocking(true)) {
            SocketException e = assertThrows(SocketException.class, () -> s.connect(name));
            assertInstanceOf(SyscallException.class, e, "a plain failure, not a timeout: " + e);
            assertEquals("EAGAIN", ((SyscallError) e).errnoName());
            assertTrue(s.isOpen(), "the socket stays open");
            assertFalse(s.isConnectPending(), "and no connect was started");
            try (Accepted first = ((Sock) keep.get(0)).accept()) {
                assertNotNull(first);
                s.connect(name);           // room in the backlog now
                assertTrue(s.finishConnect());
                assertEquals(name, s.peerAddress());
            }
        } finally {
            TimeoutTest.closeAll(keep);
        }
    }

    // ------------------------------------------------------------------------------ MSG_DONTWAIT

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void dontWaitOnRecvmsgInBlockingModeReturnsWouldBlock(Case c) throws Exception {
        try (Link l = EchoMatrixTest.link(c, dir)) {
            Sock s = l.b();
            for (boolean virtual : new boolean[] {false, true}) {
                ByteBuffer b = ByteBuffer.allocate(8).position(2);
                Object r = TimeoutTest.onThread(virtual, () -> s.recvmsg(ControlSpec.NONE, MsgFlags.DONTWAIT, b)).value();
                assertTrue(((MsgResult) r).wouldBlock(), c + " virtual " + virtual + ": " + r);
                assertEquals(2, b.position());
            }
            assertFalse(s.isNonBlocking());
            assertFalse(fdNonBlocking(s), "MSG_DONTWAIT leaves the descriptor's mode alone");
            l.a().send(new byte[] {5});
            assertEquals(PollEvents.IN, s.poll(PollEvents.IN, HANG_GUARD));
            assertEquals(1, s.recvmsg(ControlSpec.NONE, MsgFlags.DONTWAIT, new byte[8]).length());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesThatFill")
    void dontWaitOnSendmsgToAFullSocketInBlockingModeReturnsWouldBlock(Case c) throws Exception {
        try (Link l = EchoMatrixTest.link(c, dir)) {
            Sock s = l.a().set(SockOpt.SO_SNDBUF, 4096);
            l.b().set(SockOpt.SO_RCVBUF, 4096);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                byte[] chunk = new byte[c.stream() ? 1000 : 200];
                long n;
                int sends = 0;
                while ((n = s.sendmsg(null, List.of(), MsgFlags.DONTWAIT, chunk)) != WOULD_BLOCK) {
                    assertTrue(n > 0);
                    assertTrue(++sends < 100_000, "never full");
                }
                for (boolean virtual : new boolean[] {false, true}) {
                    ByteBuffer b = ByteBuffer.wrap(chunk);
                    Object r = TimeoutTest.onThread(virtual, () -> s.sendmsg(null, List.of(), MsgFlags.DONTWAIT, b)).value();
                    assertEquals((long) WOULD_BLOCK, r, c + " virtual " + virtual);
                    assertEquals(0, b.position());
                }
                assertFalse(s.isNonBlocking());
                assertFalse(fdNonBlocking(s));
            });
        }
    }

    // ------------------------------------------------------------------------------ switching

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void switchingBackToBlockingModeMakesARecvWaitForData(boolean virtual) throws Exception {
        Case tcp = new Case(Family.INET6, SockType.STREAM, Naming.LOOPBACK);
        Case pair = new Case(Family.UNIX, SockType.SEQPACKET, Naming.PAIR);
        for (Case c : List.of(tcp, pair)) {
            try (Link l = EchoMatrixTest.link(c, dir)) {
                Sock s = l.b().setNonBlocking(true);
                assertEquals(WOULD_BLOCK, s.recv(new byte[8]));
                s.setNonBlocking(false);
                assertFalse(s.isNonBlocking());
                assertFalse(fdNonBlocking(s), "setNonBlocking(false) cleared O_NONBLOCK");
                assertRecvWaitsForData(s, l.a(), virtual);
            }
        }
    }

    @Test
    void oNonBlockIsOnTheDescriptorExactlyWhenTheModeNeedsIt() throws Exception {
        assertEquals(O_NONBLOCK, LibC.O_NONBLOCK(), "the bindings agree with the octal oracle");
        try (Sock server = Sock.open(Family.INET, SockType.STREAM).bind(TimeoutTest.loopback(Family.INET)).listen();
             Sock s = Sock.open(Family.INET, SockType.STREAM)) {
            assertFalse(fdNonBlocking(s));
            s.setNonBlocking(true);
            assertTrue(fdNonBlocking(s));
            s.setNonBlocking(true);
            assertTrue(fdNonBlocking(s), "setting it twice is the same");
            s.setNonBlocking(false);
            assertFalse(fdNonBlocking(s));
            // A blocking connect sets O_NONBLOCK only while it waits (so that close can end it).
            s.connect(server.localAddress());
            assertFalse(fdNonBlocking(s), "cleared again after a blocking connect");
            assertFalse(s.isNonBlocking());
            List<AutoCloseable> full = TimeoutTest.tcpFullBacklog(Family.INET);
            try (Sock waiting = Sock.open(Family.INET, SockType.STREAM)) {
                Sockaddr to = ((Sock) full.get(0)).localAddress();
                CompletableFuture<Object> r = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> r.complete(TimeoutTest.valueOrThrown(
                        () -> waiting.connect(to, HANG_GUARD))));
                for (int i = 0; i < 1000 && !fdNonBlocking(waiting); i++) {
                    Thread.sleep(2);
                }
                assertTrue(fdNonBlocking(waiting), "set while the connect waits");
                assertFalse(r.isDone(), String.valueOf(r));
                waiting.close();
                assertInstanceOf(SockClosedException.class, r.get(), "and close ended the wait");
            } finally {
                TimeoutTest.closeAll(full);
            }
            // A listener's accept with a timeout, or on a virtual thread, needs O_NONBLOCK, and keeps
            // it; the listener is still in blocking mode, and accept still waits.
            assertFalse(fdNonBlocking(server));
            try (Accepted a = server.accept()) {
                assertFalse(fdNonBlocking(server), "a plain blocking accept leaves the listener alone");
                assertFalse(fdNonBlocking(a.socket()));
            }
            server.setReceiveTimeout(Duration.ofMillis(50));
            assertThrows(SyscallTimeoutException.class, server::accept);
            assertTrue(fdNonBlocking(server), "set for good by an accept that must not block");
            assertFalse(server.isNonBlocking(), "the mode the caller sees is unchanged");
            server.setReceiveTimeout(Duration.ZERO);
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                CompletableFuture<Object> r = new CompletableFuture<>();
                Thread t = Thread.ofPlatform().start(() -> r.complete(TimeoutTest.valueOrThrown(server::accept)));
                Thread.sleep(200);
                assertFalse(r.isDone(), "accept still waits: " + r);
                try (Sock client = Sock.open(Family.INET, SockType.STREAM).connect(server.localAddress())) {
                    Accepted a = assertInstanceOf(Accepted.class, r.get());
                    assertEquals(client.localAddress(), a.peer());
                    assertFalse(fdNonBlocking(a.socket()), "its sockets are blocking");
                    a.close();
                }
                t.join();
            });
        }
        try (Sock listener = Sock.open(Family.UNIX, SockType.STREAM).bind(SockaddrUnix.unnamed()).listen()) {
            Object r = TimeoutTest.onThread(true, () -> {
                try (Sock c = Sock.open(Family.UNIX, SockType.STREAM).connect(listener.localAddress());
                     Accepted a = listener.accept()) {
                    return fdNonBlocking(a.socket());
                }
            }).value();
            assertEquals(false, r, "accepted on a virtual thread, still a blocking socket");
            assertTrue(fdNonBlocking(listener), "a virtual thread's accept set it on the listener");
        }
    }

    // ------------------------------------------------------------------------------ blocking-only calls

    @Test
    void callsThatOnlyBlockRefuseNonBlockingMode() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM)) {
            Sock s = pair.first().setNonBlocking(true);
            assertThrows(IllegalBlockingModeException.class, () -> s.sendAll(new byte[4], 0, 4));
            assertThrows(IllegalBlockingModeException.class, () -> s.sendAll(ByteBuffer.allocate(4)));
            assertThrows(IllegalBlockingModeException.class, () -> s.inputStream().read());
            assertThrows(IllegalBlockingModeException.class, () -> s.inputStream().read(new byte[4]));
            assertThrows(IllegalBlockingModeException.class, () -> s.outputStream().write(1));
            assertThrows(IllegalBlockingModeException.class, () -> s.outputStream().write(new byte[4]));
            assertEquals(WOULD_BLOCK, pair.second().setNonBlocking(true).recv(new byte[8]), "nothing was sent");
            pair.second().send(new byte[] {9});
            assertThrows(IllegalBlockingModeException.class, () -> s.inputStream().read(), "even with data there");
            s.setNonBlocking(false);
            s.outputStream().write(new byte[] {1, 2});
            assertEquals(9, s.inputStream().read());
            assertEquals(2, pair.second().recv(new byte[8]));
        }
    }

    // ------------------------------------------------------------------------------ adopt

    @Test
    void adoptingANonBlockingDescriptorPutsItInBlockingMode() throws Exception {
        try (var pair = Sock.pair(SockType.STREAM); Arena arena = Arena.ofConfined()) {
            int fd = AdoptFdTest.dup(pair.first().fd());
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            int flags = Syscalls.fcntl(capture, fd, LibC.F_GETFL(), 0);
            assertEquals(0, Syscalls.fcntl(capture, fd, LibC.F_SETFL(), flags | LibC.O_NONBLOCK()));
            assertTrue((fdFlags(fd) & O_NONBLOCK) != 0);
            try (Sock adopted = Sock.adopt(fd)) {
                assertFalse(adopted.isNonBlocking(), "adopt documents blocking mode");
                assertFalse(fdNonBlocking(adopted), "and clears O_NONBLOCK on the descriptor");
                assertRecvWaitsForData(adopted, pair.second(), false);
                adopted.setNonBlocking(true);
                assertTrue(fdNonBlocking(adopted));
                assertEquals(WOULD_BLOCK, adopted.recv(new byte[8]), "and it can be made non-blocking again");
            }
        }
    }

    // ------------------------------------------------------------------------------ peers

    /**
     * Sends {@code out} on a connected non-blocking stream socket and receives until end of stream,
     * waiting only in poll: sending while there is room, receiving whenever there is data, and
     * shutting down the writing side once everything is sent. {@return every byte received}
     */
    static byte[] exchange(Sock ours, byte[] out) throws IOException {
        assertTrue(ours.isNonBlocking());
        ByteBuffer src = ByteBuffer.wrap(out);
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int wouldBlock = 0;
        int polls = 0;
        boolean shut = false;
        while (true) {
            int r = ours.poll(PollEvents.IN | (src.hasRemaining() ? PollEvents.OUT : 0), HANG_GUARD);
            polls++;
            assertTrue(r != 0, "nothing happened for " + HANG_GUARD);
            if (src.hasRemaining() && (r & PollEvents.OUT) != 0) {
                wouldBlock += ours.send(src) == WOULD_BLOCK ? 1 : 0;
            }
            if (!src.hasRemaining() && !shut) {
                ours.shutdown(Shutdown.WRITE);
                shut = true;
            }
            if ((r & ~PollEvents.OUT) != 0) {
                int n = ours.recv(buf);
                if (n == -1) {
                    break;
                }
                if (n == WOULD_BLOCK) {
                    wouldBlock++;
                } else {
                    in.write(buf, 0, n);
                }
            }
        }
        System.out.printf("exchanged %d bytes each way in %d polls (%d calls would have blocked)%n", out.length,
                polls, wouldBlock);
        return in.toByteArray();
    }

    @Test
    void aNioServerEchoesToOurNonBlockingClient() throws Exception {
        byte[] msg = InteropTest.payload("to a NIO echo server, non-blocking", 600_000);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("::1", 0));
             Sock ours = Sock.open(Family.INET6, SockType.STREAM).setNonBlocking(true)) {
            CompletableFuture<Object> echoed = new CompletableFuture<>();
            Thread nio = Thread.ofPlatform().start(() -> echoed.complete(TimeoutTest.valueOrThrown(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(8192);
                    long total = 0;
                    for (int n; (n = c.read(b)) >= 0; total += n) {
                        b.flip();
                        while (b.hasRemaining()) {
                            c.write(b);
                        }
                        b.clear();
                    }
                    c.shutdownOutput();
                    return total;
                }
            })));
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                ours.connect(Sockaddr.from(server.getLocalAddress()));
                while (!ours.finishConnect()) {
                    ours.poll(PollEvents.OUT, HANG_GUARD);
                }
                assertArrayEquals(msg, exchange(ours, msg), "NIO echoed every byte, in order");
                assertEquals((long) msg.length, echoed.get());
                nio.join();
            });
        }
    }

    @Test
    void python3EchoesToOurNonBlockingClient() throws Exception {
        Path py = InteropTest.python3();
        Path where = dir.resolve("py-nonblocking.sock");
        byte[] msg = InteropTest.payload("to python, non-blocking", 600_000);
        for (String kind : List.of("stream", "tcp")) {
            try (var python = InteropTest.Python.start(py, kind, kind.equals("tcp") ? "127.0.0.1" : where.toString())) {
                assertTimeoutPreemptively(HANG_GUARD, () -> {
                    int port = python.awaitReady();
                    Family f = kind.equals("tcp") ? Family.INET : Family.UNIX;
                    Sockaddr to = kind.equals("tcp") ? io.github.panamasockets.address.SockaddrInet4.loopback(port)
                            : SockaddrUnix.of(where);
                    try (Sock ours = Sock.open(f, SockType.STREAM).setNonBlocking(true)) {
                        ours.connect(to);
                        while (!ours.finishConnect()) {
                            ours.poll(PollEvents.OUT, HANG_GUARD);
                        }
                        assertArrayEquals(msg, exchange(ours, msg), kind + ": python echoed every byte, in order");
                        String peer = python.finish();
                        assertTrue(peer.endsWith(" " + msg.length), "python received every byte: " + peer);
                    }
                });
            }
        }
    }
}
