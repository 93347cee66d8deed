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
import java.util.Objects;

/**
 * Control messages to and from their C layout: what cmsg(3)'s CMSG_* macros do, in one place,
 * from the generated layouts of cmsghdr, ucred, in_pktinfo and in6_pktinfo.
 */
final class Messages {
    private Messages() {}

    /** CMSG_ALIGN rounds up to sizeof(size_t), the type of cmsg_len (8 on 64-bit Linux). */
    private static final long ALIGN = cmsghdr.cmsg_len$layout().byteSize();
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
            case Cmsg.Raw r -> r.byteCount();
        };
    }

    /**
     * The caller's control list, copied once: everything after reads the copy, so a list that
     * changes during the call changes nothing.
     */
    @SuppressWarnings("unchecked")
    static List<Cmsg> copy(List<? extends Cmsg> control) {
        if (Objects.requireNonNull(control, "control").isEmpty()) {
            return List.of();
        }
        Object[] all = control.toArray();
        for (int i = 0; i < all.length; i++) {
            if (all[i] == null) {
                throw new NullPointerException("control message " + i + " is null");
            }
            if (!(all[i] instanceof Cmsg)) {
                throw new IllegalArgumentException("control message " + i + " is a " + all[i].getClass().getName()
                        + ", not a Cmsg");
            }
        }
        return (List<Cmsg>) (List<?>) List.of(all);
    }

    /**
     * The control buffer a list needs, after checking every message against the socket's family:
     * what the kernel would refuse with a bare EINVAL, or silently ignore, is refused here by name.
     */
    static long size(List<Cmsg> control, Family family) {
        long total = 0;
        int fds = 0;
        for (int i = 0; i < control.size(); i++) {
            Cmsg c = control.get(i);
            String which = "control message " + i + " (" + name(c) + ")";
            switch (c) {
                case Cmsg.Fds f -> {
                    requireUnix(which, family);
                    fds += f.fds().size();
                }
                case Cmsg.Credentials cr -> requireUnix(which, family);
                case Cmsg.PktInfo pi -> {
                    boolean v6 = pi.address() instanceof SockaddrInet6;
                    if (family.equals(Family.INET) && v6) {
                        throw new IllegalArgumentException(which + " on an AF_INET socket, which ignores IPv6 "
                                + "packet information; use an IPv4 address");
                    }
                    if (!family.equals(Family.INET) && !family.equals(Family.INET6)) {
                        throw new IllegalArgumentException(which + " on an " + family
                                + " socket; packet information is for AF_INET and AF_INET6 sockets");
                    }
                }
                case Cmsg.Raw r -> {
                    if (r.byteCount() > MAX_RAW) {
                        throw new IllegalArgumentException(which + " carries " + r.byteCount()
                                + " bytes; at most " + MAX_RAW);
                    }
                }
            }
            total += space(dataLength(c));
        }
        if (fds > Cmsg.MAX_FDS) {
            throw new IllegalArgumentException(fds + " descriptors in one sendmsg; the kernel passes at most "
                    + Cmsg.MAX_FDS + " (SCM_MAX_FD) per call");
        }
        return total;
    }

    private static void requireUnix(String which, Family family) {
        if (!family.equals(Family.UNIX)) {
            throw new IllegalArgumentException(which + " on an " + family
                    + " socket; descriptors and credentials travel only over AF_UNIX sockets");
        }
    }

    private static String name(Cmsg c) {
        return switch (c) {
            case Cmsg.Fds f -> "SCM_RIGHTS";
            case Cmsg.Credentials cr -> "SCM_CREDENTIALS";
            case Cmsg.PktInfo pi -> pi.address() instanceof SockaddrInet4 ? "IP_PKTINFO" : "IPV6_PKTINFO";
            case Cmsg.Raw r -> "level " + r.level() + ", type " + r.type();
        };
    }

    /**
     * Holds every descriptor of the list open until {@link #release}, so that none can be closed,
     * and its number reused, between encoding it and the kernel taking it. All or none.
     *
     * @throws IllegalStateException if one was closed or handed to a Sock
     */
    static void acquire(List<Cmsg> control) {
        for (int i = 0; i < control.size(); i++) {
            if (control.get(i) instanceof Cmsg.Fds f) {
                for (int j = 0; j < f.fds().size(); j++) {
                    try {
                        f.fds().get(j).acquire();
                    } catch (RuntimeException e) {
                        release(control, i, j);
                        throw new IllegalStateException("control message " + i + " (SCM_RIGHTS), descriptor "
                                + j + ": " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** Ends what {@link #acquire} began. */
    static void release(List<Cmsg> control) {
        release(control, control.size(), 0);
    }

    /** Releases every descriptor before message {@code upTo}, and the first {@code fdsInLast} of it. */
    private static void release(List<Cmsg> control, int upTo, int fdsInLast) {
        for (int i = 0; i <= upTo && i < control.size(); i++) {
            if (control.get(i) instanceof Cmsg.Fds f) {
                int n = i < upTo ? f.fds().size() : fdsInLast;
                for (int j = 0; j < n; j++) {
                    f.fds().get(j).release();
                }
            }
        }
    }

    /** Closes every received descriptor in the list: for a result that cannot be returned. */
    static void close(List<Cmsg> control) {
        for (Cmsg c : control) {
            if (c instanceof Cmsg.Fds f) {
                f.fds().forEach(OwnedFd::close);
            }
        }
    }

    /** The room recvmsg needs for what the caller asked to receive. */
    static long size(ControlSpec spec) {
        return (spec.maxFds() > 0 ? space(4L * spec.maxFds()) : 0)
                + (spec.credentials() ? space(ucred.layout().byteSize()) : 0)
                + (spec.pktInfo() ? space(Math.max(in_pktinfo.layout().byteSize(), in6_pktinfo.layout().byteSize())) : 0)
                + spec.extraBytes();
    }

    /**
     * Writes the messages into {@code dst}, which is {@link #size(List, Family)} bytes; their
     * descriptors are held by {@link #acquire}.
     */
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
                        data.setAtIndex(ValueLayout.JAVA_INT, i, f.fds().get(i).number());
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
                    r.copyTo(data);
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
     * Reads the messages the kernel wrote: {@code length} bytes of {@code src}, from a call that
     * succeeded. Every descriptor found becomes an OwnedFd, even in a message cut short
     * (MSG_CTRUNC), so none is lost; if decoding fails, those already made are closed.
     */
    static List<Cmsg> decode(MemorySegment src, long length) {
        List<Cmsg> out = new ArrayList<>();
        List<OwnedFd> made = new ArrayList<>();
        try {
            decode(src, Math.min(length, src.byteSize()), out, made);
        } catch (RuntimeException | Error e) {
            made.forEach(OwnedFd::close);
            throw e;
        }
        return out;
    }

    private static void decode(MemorySegment src, long length, List<Cmsg> out, List<OwnedFd> made) {
        long off = 0;
        while (off + HEADER <= length) {
            MemorySegment h = src.asSlice(off);
            long clen = cmsghdr.cmsg_len(h);
            if (clen < HEADER || clen > length - off) {
                break;          // the kernel does not write such headers; never read past them
            }
            int level = cmsghdr.cmsg_level(h);
            int type = cmsghdr.cmsg_type(h);
            MemorySegment data = src.asSlice(off + HEADER, clen - HEADER);
            long n = data.byteSize();
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                int first = made.size();
                for (long i = 0; i + 4 <= n; i += 4) {
                    made.add(OwnedFd.received(data.get(ValueLayout.JAVA_INT, i)));
                    if (made.size() - first == Cmsg.MAX_FDS) {      // more than one Fds holds
                        out.add(new Cmsg.Fds(made.subList(first, made.size())));
                        first = made.size();
                    }
                }
                if (made.size() > first) {
                    out.add(new Cmsg.Fds(made.subList(first, made.size())));
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
    }
}
