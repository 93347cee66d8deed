package io.github.panamasockets.internal.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a C program against headers/panama_sockets.h with gcc, as glibc's own declarations see
 * it ({@code -D_GNU_SOURCE}), runs it and returns what it printed: how the binding tests learn
 * what the C compiler makes of the headers jextract read.
 */
final class GccProgram {
    static final Path HEADERS = Path.of("headers");

    private GccProgram() {}

    /** The symbols headers/includes.txt keeps with one option, such as {@code --include-constant}, in its order. */
    static List<String> filtered(String option) throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(HEADERS.resolve("includes.txt"))) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 2 && words[0].equals(option)) {
                names.add(words[1]);
            }
        }
        return names;
    }

    /** The C compiler on PATH (gcc, else cc), or null. */
    static String compiler() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : new String[] {"gcc", "cc"}) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        return null;
    }

    /** Writes {@code source} to {@code work}, compiles it with warnings as errors, runs it, and returns its output. */
    static String run(String compiler, Path work, String name, String source) throws IOException, InterruptedException {
        Path src = work.resolve(name + ".c");
        Path exe = work.resolve(name);
        Files.writeString(src, source);
        exec(List.of(compiler, "-std=gnu11", "-D_GNU_SOURCE", "-Wall", "-Werror", "-I", HEADERS.toAbsolutePath().toString(),
                "-o", exe.toString(), src.toString()));
        return exec(List.of(exe.toString()));
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
