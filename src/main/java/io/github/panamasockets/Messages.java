package io.github.panamasockets;

import io.github.panamasockets.address.SockaddrInet4;
import io.github.panamasockets.address.SockaddrInet6;
import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.cmsghdr;
import io.github.panamasockets.internal.gen.in6_pktinfo;
import io.github.panamasockets.internal.gen.in_pktinfo;
import io.github.panamasockets.internal.gen.ucred;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Control messages to and from their C layout: what cmsg(3)'s CMSG_* macros do, in one place,
 * from the generated layouts of cmsghdr, ucred, in_pktinfo and in6_pktinfo.
 */
final class Messages {
    private Messages() {}

    /** cmsg data is aligned to size_t. */
    private static final long ALIGN = ValueLayout.ADDRESS.byteSize();
    private static final long HEADER = align(cmsghdr.layout().byteSize());
    private static final int SOL_SOCKET = LibC.SOL_SOCKET();
    private static final int SCM_RIGHTS = LibC.SCM_RIGHTS();
    private static final int SCM_CREDENTIALS = LibC.SCM_CREDENTIALS();
    private static final int SOL_IP = LibC.SOL_IP();
    private static final int SOL_IPV6 = LibC.SOL_IPV6();
    private static final int IP_PKTINFO = LibC.IP_PKTINFO();
    private static final int IPV6_PKTINFO = LibC.IPV6_PKTINFO();
    /** The most data one Raw message may carry here. */
    static final int MAX_RAW = 65536;

    static long align(long n) {
        return (n + ALIGN - 1) & -ALIGN;
    }

    /** CMSG_SPACE: a message with {@code n} data bytes, padding included. */
    static long space(long n) {
        return HEADER + align(n);
    }

    /** CMSG_LEN: the cmsg_len of a message with {@code n} data bytes. */
    static long length(long n) {
        return HEADER + n;
    }

    private static long dataLength(Cmsg c) {
        return switch (c) {
            case Cmsg.Fds f -> 4L * f.fds().size();
            case Cmsg.Credentials cr -> ucred.layout().byteSize();
            case Cmsg.PktInfo pi -> pi.address() instanceof SockaddrInet4
                    ? in_pktinfo.layout().byteSize() : in6_pktinfo.layout().byteSize();
            case Cmsg.Raw r -> r.data().length;
        };
    }

    /** The control buffer a list needs; checks every message first. */
    static long size(List<Cmsg> control) {
        long total = 0;
        for (Cmsg c : control) {
            if (c == null) {
                throw new NullPointerException("a control message is null");
            }
            if (c instanceof Cmsg.Raw r && r.data().length > MAX_RAW) {
                throw new IllegalArgumentException("a raw control message of " + r.data().length
                        + " bytes; at most " + MAX_RAW);
            }
            if (c instanceof Cmsg.Fds f) {
                for (OwnedFd fd : f.fds()) {
                    fd.fd();        // throws if it was closed or handed over
                }
            }
            total += space(dataLength(c));
        }
        return total;
    }

    /** The room recvmsg needs for what the caller asked to receive. */
    static long size(ControlSpec spec) {
        return (spec.maxFds() > 0 ? space(4L * spec.maxFds()) : 0)
                + (spec.credentials() ? space(ucred.layout().byteSize()) : 0)
                + (spec.pktInfo() ? space(Math.max(in_pktinfo.layout().byteSize(), in6_pktinfo.layout().byteSize())) : 0)
                + spec.extraBytes();
    }

    /** Writes the messages into {@code dst}, which is {@link #size(List)} bytes. */
    static void encode(List<Cmsg> control, MemorySegment dst) {
        dst.fill((byte) 0);
        long off = 0;
        for (Cmsg c : control) {
            long n = dataLength(c);
            MemorySegment h = dst.asSlice(off);
            MemorySegment data = dst.asSlice(off + HEADER, n);
            cmsghdr.cmsg_len(h, length(n));
            switch (c) {
                case Cmsg.Fds f -> {
                    header(h, SOL_SOCKET, SCM_RIGHTS);
                    for (int i = 0; i < f.fds().size(); i++) {
                        data.setAtIndex(ValueLayout.JAVA_INT, i, f.fds().get(i).fd());
                    }
                }
                case Cmsg.Credentials cr -> {
                    header(h, SOL_SOCKET, SCM_CREDENTIALS);
                    ucred.pid(data, cr.pid());
                    ucred.uid(data, cr.uid());
                    ucred.gid(data, cr.gid());
                }
                case Cmsg.PktInfo pi -> {
                    if (pi.address() instanceof SockaddrInet4 v4) {
                        header(h, SOL_IP, IP_PKTINFO);
                        in_pktinfo.ipi_ifindex(data, pi.interfaceIndex());
                        MemorySegment.copy(v4.address(), 0, data, ValueLayout.JAVA_BYTE, in_pktinfo.ipi_spec_dst$offset(), 4);
                    } else {
                        header(h, SOL_IPV6, IPV6_PKTINFO);
                        MemorySegment.copy(((SockaddrInet6) pi.address()).address(), 0, data, ValueLayout.JAVA_BYTE,
                                in6_pktinfo.ipi6_addr$offset(), 16);
                        in6_pktinfo.ipi6_ifindex(data, pi.interfaceIndex());
                    }
                }
                case Cmsg.Raw r -> {
                    header(h, r.level(), r.type());
                    MemorySegment.copy(r.data(), 0, data, ValueLayout.JAVA_BYTE, 0, r.data().length);
                }
            }
            off += space(n);
        }
    }

    private static void header(MemorySegment h, int level, int type) {
        cmsghdr.cmsg_level(h, level);
        cmsghdr.cmsg_type(h, type);
    }

    /**
     * Reads the messages the kernel wrote: {@code length} bytes of {@code src}. Every descriptor
     * found becomes an OwnedFd, even in a message cut short, so none is lost.
     */
    static List<Cmsg> decode(MemorySegment src, long length) {
        List<Cmsg> out = new ArrayList<>();
        long off = 0;
        while (off + HEADER <= length) {
            MemorySegment h = src.asSlice(off);
            long clen = cmsghdr.cmsg_len(h);
            if (clen < HEADER || off + clen > length) {
                break;          // the kernel does not write such headers; never read past them
            }
            int level = cmsghdr.cmsg_level(h);
            int type = cmsghdr.cmsg_type(h);
            MemorySegment data = src.asSlice(off + HEADER, clen - HEADER);
            long n = data.byteSize();
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                List<OwnedFd> fds = new ArrayList<>();
                for (long i = 0; i + 4 <= n; i += 4) {
                    fds.add(OwnedFd.received(data.get(ValueLayout.JAVA_INT, i)));
                }
                if (!fds.isEmpty()) {
                    out.add(new Cmsg.Fds(fds));
                }
            } else if (level == SOL_SOCKET && type == SCM_CREDENTIALS && n >= ucred.layout().byteSize()) {
                out.add(new Cmsg.Credentials(ucred.pid(data), ucred.uid(data), ucred.gid(data)));
            } else if (level == SOL_IP && type == IP_PKTINFO && n >= in_pktinfo.layout().byteSize()) {
                byte[] a = data.asSlice(in_pktinfo.ipi_addr$offset(), 4).toArray(ValueLayout.JAVA_BYTE);
                out.add(new Cmsg.PktInfo(new SockaddrInet4(a, 0), in_pktinfo.ipi_ifindex(data)));
            } else if (level == SOL_IPV6 && type == IPV6_PKTINFO && n >= in6_pktinfo.layout().byteSize()) {
                byte[] a = data.asSlice(in6_pktinfo.ipi6_addr$offset(), 16).toArray(ValueLayout.JAVA_BYTE);
                out.add(new Cmsg.PktInfo(SockaddrInet6.of(a, 0), in6_pktinfo.ipi6_ifindex(data)));
            } else {
                out.add(new Cmsg.Raw(level, type, data.toArray(ValueLayout.JAVA_BYTE)));
            }
            off += align(clen);
        }
        return out;
    }
}
