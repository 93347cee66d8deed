package io.github.panamasockets.address;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Unix socket names as bytes: UTF-8 conversion and the escaped text form. */
final class Names {
    private Names() {}

    /** Encodes a string as UTF-8, refusing unpaired surrogates instead of writing '?'. */
    static byte[] utf8(String s, String what) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new InvalidSockaddrException(what + " is not valid Unicode (unpaired surrogate): "
                    + s.codePoints().mapToObj(c -> String.format("U+%04X", c)).toList());
        }
    }

    /** Decodes UTF-8, refusing bytes that are not UTF-8. */
    static String strictUtf8(byte[] b, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidSockaddrException(what + " is not valid UTF-8: " + escape(b));
        }
    }

    /**
     * The printable form of a name: valid UTF-8 that is not a control character stays as it is,
     * a backslash becomes {@code \\}, and every other byte {@code \xNN}.
     */
    static String escape(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int n = sequenceLength(b, i);
            if (n > 0) {
                int cp = new String(b, i, n, StandardCharsets.UTF_8).codePointAt(0);
                if (cp == '\\') {
                    out.append("\\\\");
                } else if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT
                        || Character.isWhitespace(cp) && cp != ' ') {
                    appendHex(out, b, i, n);
                } else {
                    out.appendCodePoint(cp);
                }
                i += n;
            } else {
                appendHex(out, b, i, 1);
                i++;
            }
        }
        return out.toString();
    }

    private static void appendHex(StringBuilder out, byte[] b, int from, int count) {
        for (int k = from; k < from + count; k++) {
            out.append(String.format("\\x%02x", b[k] & 0xFF));
        }
    }

    /** The length of the well-formed UTF-8 sequence at {@code i}, or 0 if there is none. */
    private static int sequenceLength(byte[] b, int i) {
        int c = b[i] & 0xFF;
        int n;
        int min;
        if (c < 0x80) {
            return 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + n > b.length) {
            return 0;
        }
        int cp = c & (0xFF >> (n + 1));
        for (int k = 1; k < n; k++) {
            int cc = b[i + k] & 0xFF;
            if ((cc & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        return n;
    }

    /** Reverses {@link #escape}: {@code \\} and {@code \xNN} escapes, other text as UTF-8. */
    static byte[] unescape(String s, String what) {
        ByteBuffer out = ByteBuffer.allocate(s.length() * 4);
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                    out.put((byte) '\\');
                    i += 2;
                    continue;
                }
                if (i + 3 < s.length() && s.charAt(i + 1) == 'x'
                        && Character.digit(s.charAt(i + 2), 16) >= 0 && Character.digit(s.charAt(i + 3), 16) >= 0) {
                    out.put((byte) Integer.parseInt(s, i + 2, i + 4, 16));
                    i += 4;
                    continue;
                }
                throw new InvalidSockaddrException("bad escape at character " + i + " of " + what
                        + " \"" + s + "\": use \\\\ for a backslash or \\xNN for a byte");
            }
            int end = i + Character.charCount(s.codePointAt(i));
            out.put(utf8(s.substring(i, end), what));
            i = end;
        }
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }
}
