package io.github.panamasockets.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Helpers for the netlink tests: root detection, running iproute2, reading its JSON, socket inodes. */
final class TestSupport {
    private TestSupport() {}

    static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");     // the effective uid
            }
        }
        return false;
    }

    /** A link name unique to this JVM, psk-<tag><pid>: one that no link of the host has. */
    static String linkName(String tag) {
        String name = "psk-" + tag + ProcessHandle.current().pid();
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    /** Runs a command and returns its standard output; fails on a non-zero exit. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: "
                    + new String(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Whether a command exists on PATH. */
    static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** The inode of a socket descriptor of this process, from /proc/self/fd's "socket:[inode]". */
    static long inodeOf(int fd) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        if (!link.startsWith("socket:[")) {
            throw new IllegalStateException("fd " + fd + " is not a socket: " + link);
        }
        return Long.parseLong(link.substring("socket:[".length(), link.length() - 1));
    }

    // ------------------------------------------------------------------------------ JSON

    /** Parses JSON into maps, lists, strings, numbers (Long or Double), booleans and null. */
    static Object json(String text) {
        Json p = new Json(text);
        p.space();
        Object v = p.value();
        p.space();
        if (p.pos != text.length()) {
            throw p.error("trailing text");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jsonArray(String text) {
        return (List<Map<String, Object>>) json(text);
    }

    private static final class Json {
        final String s;
        int pos;

        Json(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at " + pos + ": "
                    + s.substring(Math.max(0, pos - 20), Math.min(s.length(), pos + 20)));
        }

        void space() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        void expect(char c) {
            space();
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        Object value() {
            space();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    space();
                    if (s.charAt(pos) == '}') {
                        pos++;
                        return m;
                    }
                    while (true) {
                        space();
                        String key = string();
                        expect(':');
                        m.put(key, value());
                        space();
                        char d = s.charAt(pos++);
                        if (d == '}') {
                            return m;
                        }
                        if (d != ',') {
                            throw error("expected , or }");
                        }
                    }
                }
                case '[' -> {
                    pos++;
                    List<Object> l = new ArrayList<>();
                    space();
                    if (s.charAt(pos) == ']') {
                        pos++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        space();
                        char d = s.charAt(pos++);
                        if (d == ']') {
                            return l;
                        }
                        if (d != ',') {
                            throw error("expected , or ]");
                        }
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("true", pos)) {
                        pos += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", pos)) {
                        pos += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", pos)) {
                        pos += 4;
                        return null;
                    }
                    int start = pos;
                    while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                        pos++;
                    }
                    String num = s.substring(start, pos);
                    if (num.isEmpty()) {
                        throw error("unexpected character");
                    }
                    return num.matches("-?\\d+") ? (Object) Long.parseLong(num) : (Object) Double.parseDouble(num);
                }
            }
        }

        String string() {
            if (s.charAt(pos) != '"') {
                throw error("expected string");
            }
            pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
        }
    }
}
