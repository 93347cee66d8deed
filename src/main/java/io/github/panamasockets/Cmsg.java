package io.github.panamasockets;

import io.github.panamasockets.address.Sockaddr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A control message, the ancillary data that
 * <a href="https://man7.org/linux/man-pages/man2/sendmsg.2.html">sendmsg(2)</a> and recvmsg(2)
 * carry beside the bytes; see cmsg(3). The library lays them out ({@code CMSG_SPACE}, alignment)
 * from the generated layouts, so callers never do.
 *
 * {@snippet :
 * pair.first().sendmsg(null, java.util.List.of(Cmsg.fds(OwnedFd.borrow(0))), 0,
 *         java.nio.ByteBuffer.wrap("here is stdin".getBytes()));
 * }
 */
public sealed interface Cmsg permits Cmsg.Fds, Cmsg.Credentials, Cmsg.PktInfo, Cmsg.Raw {

    /** The most descriptors one {@code SCM_RIGHTS} message carries on Linux ({@code SCM_MAX_FD}). */
    int MAX_FDS = 253;

    /**
     * {@return an {@code SCM_RIGHTS} message passing these descriptors}
     *
     * {@snippet :
     * Cmsg.fds(OwnedFd.borrow(sock.fd()))
     * }
     *
     * @param fds the descriptors, 1 to {@value #MAX_FDS}
     * @throws IllegalArgumentException if there are none or too many
     * @throws NullPointerException if an element is null
     */
    static Fds fds(OwnedFd... fds) {
        return new Fds(List.of(fds));
    }

    /**
     * File descriptors ({@code SCM_RIGHTS}; unix(7)). Received ones are owned by the caller, who
     * must close each or hand it to a {@link Sock}.
     *
     * {@snippet :
     * ((Cmsg.Fds) got.control().get(0)).fds().forEach(OwnedFd::close);
     * }
     *
     * @param fds the descriptors
     */
    record Fds(List<OwnedFd> fds) implements Cmsg {
        /**
         * Copies and checks the list.
         *
         * @throws IllegalArgumentException if it is empty or longer than {@value Cmsg#MAX_FDS}
         * @throws NullPointerException if it or an element is null
         */
        public Fds {
            fds = List.copyOf(fds);
            if (fds.isEmpty() || fds.size() > MAX_FDS) {
                throw new IllegalArgumentException("SCM_RIGHTS carries 1 to " + MAX_FDS + " descriptors, not " + fds.size());
            }
        }
    }

    /**
     * The sender's process and user ({@code SCM_CREDENTIALS}; unix(7)). The receiver sees them
     * only with {@link SockOpt#SO_PASSCRED} on; the kernel checks what a sender claims.
     *
     * {@snippet :
     * new Cmsg.Credentials((int) ProcessHandle.current().pid(), 1000, 1000)
     * }
     *
     * @param pid the process id
     * @param uid the user id
     * @param gid the group id
     */
    record Credentials(int pid, int uid, int gid) implements Cmsg {
    }

    /**
     * Packet information ({@code IP_PKTINFO}, {@code IPV6_PKTINFO}; ip(7), ipv6(7)). Received (with
     * {@link SockOpt#IP_PKTINFO} or {@link SockOpt#IPV6_RECVPKTINFO} on), it says where a datagram
     * was addressed and on which interface it arrived; sent, it chooses the source address and
     * interface of the datagram.
     *
     * {@snippet :
     * ((Cmsg.PktInfo) got.control().get(0)).address()   // ==> 127.0.0.1:0
     * }
     *
     * @param address received: the datagram's destination; sent: the source to use (the port is 0)
     * @param interfaceIndex the interface index; 0 for any
     */
    record PktInfo(Sockaddr address, int interfaceIndex) implements Cmsg {
        /**
         * Checks the address and the interface index.
         *
         * @throws IllegalArgumentException if it is not an IPv4 or IPv6 address, or the index is
         *         negative
         * @throws NullPointerException if {@code address} is null
         */
        public PktInfo {
            Objects.requireNonNull(address, "address");
            if (!(address instanceof io.github.panamasockets.address.SockaddrInet4)
                    && !(address instanceof io.github.panamasockets.address.SockaddrInet6)) {
                throw new IllegalArgumentException("packet information is for IPv4 and IPv6, not " + address.family());
            }
            if (interfaceIndex < 0) {
                throw new IllegalArgumentException("interface index " + interfaceIndex + " is negative; 0 means any");
            }
        }
    }

    /**
     * Any other control message, as its level, type and data; sent as it is.
     *
     * {@snippet :
     * new Cmsg.Raw(1, 1, new byte[] {0, 0, 0, 0})   // SOL_SOCKET, SCM_RIGHTS with fd 0
     * }
     *
     * @param level the {@code cmsg_level}
     * @param type the {@code cmsg_type}
     * @param data the data after the header
     */
    record Raw(int level, int type, byte[] data) implements Cmsg {
        /**
         * Copies the data.
         *
         * @throws NullPointerException if {@code data} is null
         */
        public Raw {
            data = Objects.requireNonNull(data, "data").clone();
        }

        /** {@return a copy of the data} */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The data's length, without a copy. */
        int byteCount() {
            return data.length;
        }

        /** Writes the data at the start of {@code dst}. */
        void copyTo(MemorySegment dst) {
            MemorySegment.copy(data, 0, dst, ValueLayout.JAVA_BYTE, 0, data.length);
        }

        /**
         * {@return whether {@code o} has the same level, type and data}
         *
         * @param o the object to compare with
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && r.level == level && r.type == type && Arrays.equals(r.data, data);
        }

        /** {@return a hash of the three} */
        @Override
        public int hashCode() {
            return (level * 31 + type) * 31 + Arrays.hashCode(data);
        }

        /** {@return the level, type and data in hex} */
        @Override
        public String toString() {
            return "Raw[level=" + level + ", type=" + type + ", data=" + java.util.HexFormat.of().formatHex(data) + "]";
        }
    }
}
