package io.github.panamasockets.address;

import io.github.panamasockets.Family;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random addresses round-trip through encode, decode, print and parse; random bytes given to the
 * decoder give an address or the library's own exception, never anything else.
 */
class PropertyTest {
    private static final long SEED = 0x5EED_50C4L;

    private static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            // Bias towards the bytes that matter: NUL, '\\', '@', '/', ASCII, and high bytes.
            int pick = r.nextInt(8);
            b[i] = switch (pick) {
                case 0 -> 0;
                case 1 -> '\\';
                case 2 -> (byte) "@/.:[]%x".charAt(r.nextInt(8));
                default -> (byte) r.nextInt(256);
            };
        }
        return b;
    }

    static Sockaddr randomAddress(SplittableRandom r) {
        return switch (r.nextInt(7)) {
            case 0 -> {
                byte[] b = randomBytes(r, 1 + r.nextInt(SockaddrUnix.MAX_PATHNAME));
                for (int i = 0; i < b.length; i++) {
                    if (b[i] == 0) {
                        b[i] = 'n';
                    }
                }
                yield SockaddrUnix.pathname(b);
            }
            case 1 -> SockaddrUnix.abstractName(randomBytes(r, r.nextInt(SockaddrUnix.MAX_ABSTRACT_NAME + 1)));
            case 2 -> SockaddrUnix.unnamed();
            case 3 -> new SockaddrInet4(randomBytes(r, 4), r.nextInt(65536));
            case 4 -> new SockaddrInet6(randomBytes(r, 16), r.nextInt(65536), r.nextInt(0x100000),
                    r.nextBoolean() ? 0 : r.nextInt());
            case 5 -> new SockaddrNetlink(r.nextInt(), r.nextInt());
            default -> new SockaddrOther(Family.of(r.nextBoolean() ? 17 : 100 + r.nextInt(60000)),
                    randomBytes(r, r.nextInt(SockaddrOther.MAX_DATA + 1)));
        };
    }

    @Test
    void randomAddressesRoundTrip() {
        SplittableRandom r = new SplittableRandom(SEED);
        MemorySegment buf = MemorySegment.ofArray(new byte[Sockaddr.MAX_LENGTH]);
        for (int i = 0; i < 100_000; i++) {
            Sockaddr a = randomAddress(r);
            int len = a.encode(buf);
            assertEquals(a.encodedLength(), len);
            Sockaddr decoded = Sockaddr.decode(buf, len);
            assertEquals(a, decoded, "decode(encode(a)) for " + a);
            assertEquals(a.hashCode(), decoded.hashCode());
            assertEquals(a, Sockaddr.parse(a.toString()), "parse(toString()) for " + a);
        }
    }

    @Test
    void decoderFuzzGivesOnlyTheLibrarysOwnException() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        int[] families = {Family.UNSPEC.value(), Family.UNIX.value(), Family.INET.value(),
                Family.INET6.value(), Family.NETLINK.value(), Family.PACKET.value()};
        byte[] backing = new byte[256];
        MemorySegment seg = MemorySegment.ofArray(backing);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 1_000_000; i++) {
            for (int k = 0; k < backing.length; k++) {
                backing[k] = (byte) r.nextInt(256);
            }
            int family = r.nextInt(4) == 0 ? r.nextInt(65536) : families[r.nextInt(families.length)];
            seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) family);
            if (family == Family.INET6.value() && r.nextBoolean()) {
                backing[4] &= 0x0F;              // often a valid flow label, to reach deeper
            }
            int length = r.nextInt(257);
            try {
                Sockaddr a = Sockaddr.decode(seg, length);
                decoded++;
                // What decodes must re-encode and decode equal. Only a pathname without its NUL and
                // an RFC 2133 IPv6 address (no scope id) come back longer than they came in.
                assertTrue(a.encodedLength() <= length || a instanceof SockaddrUnix.Pathname
                        || a instanceof SockaddrInet6, "encoded length " + a.encodedLength() + " > decoded " + length);
                assertEquals(a, Sockaddr.decode(a.toBytes()));
            } catch (InvalidSockaddrException expected) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("family " + family + " length " + length + ": " + e, e);
            }
        }
        assertTrue(decoded > 100_000 && rejected > 100_000, decoded + " decoded, " + rejected + " rejected");
    }
}
