package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An address of a family this library does not model, such as {@code AF_PACKET} or
 * {@code AF_UNSPEC}: the family number and the bytes that follow the family field, kept as they
 * are, so that decoding never fails merely because a family is unknown.
 *
 * <p>{@link #data()} returns a copy, and {@code equals} compares the bytes.
 *
 * {@snippet :
 * import io.github.panamasockets.address.*;
 * var u = new SockaddrOther(io.github.panamasockets.Family.UNSPEC, new byte[0]);   // ==> AF_UNSPEC:
 * u.encodedLength()                            // ==> 2
 * }
 *
 * @param family the {@code sa_family} value, other than the modelled families
 *        ({@code AF_UNIX}, {@code AF_INET}, {@code AF_INET6}, {@code AF_NETLINK})
 * @param data the bytes after the family field, at most 126
 */
public record SockaddrOther(Family family, byte[] data) implements Sockaddr {

    /** The most data bytes: {@code sockaddr_storage} less the family field. */
    public static final int MAX_DATA = 126;

    /**
     * Validates and copies the data.
     *
     * @throws InvalidSockaddrException if the family is a modelled family, or the data is longer
     *         than {@value #MAX_DATA} bytes
     * @throws NullPointerException if {@code family} or {@code data} is null
     */
    public SockaddrOther {
        Family f = Objects.requireNonNull(family, "family");
        data = Objects.requireNonNull(data, "data").clone();
        if (f.equals(Family.UNIX) || f.equals(Family.INET) || f.equals(Family.INET6)
                || f.equals(Family.NETLINK)) {
            throw new InvalidSockaddrException(f + " addresses are modelled by their own record;"
                    + " use Sockaddr.decode to read raw bytes of that family");
        }
        if (data.length > MAX_DATA) {
            throw new InvalidSockaddrException("address data is " + data.length
                    + " bytes; sockaddr_storage holds " + MAX_DATA + " after the family");
        }
    }

    byte[] raw() {
        return data;
    }

    /** {@return a copy of the bytes after the family field} */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** {@return 2 for the family plus the data} */
    @Override
    public int encodedLength() {
        return Codec.FAMILY_SIZE + data.length;
    }

    /**
     * {@inheritDoc}
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public SocketAddress toSocketAddress() {
        throw new UnsupportedOperationException("java.net has no form for " + this);
    }

    /**
     * {@return whether {@code o} has the same family and bytes}
     *
     * @param o the object to compare with
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof SockaddrOther a && family.equals(a.family) && Arrays.equals(data, a.data);
    }

    /** {@return a hash of the family and bytes} */
    @Override
    public int hashCode() {
        return family.value() * 31 + Arrays.hashCode(data);
    }

    /** {@return the family's C name, a colon, and the data in hex, such as {@code AF_PACKET:0003}} */
    @Override
    public String toString() {
        return family + ":" + HexFormat.of().formatHex(data);
    }
}
