package io.github.panamasockets.internal.sys;

import io.github.panamasockets.internal.gen.LibC;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every constant the library binds (the {@code --include-constant} lines of headers/includes.txt)
 * has the value gcc gives it on this machine, with glibc's own declarations ({@code _GNU_SOURCE}):
 * macros, enum members such as {@code TCP_LISTEN} and {@code IF_OPER_UP}, and the few the header
 * defines itself for jextract, such as {@code SCM_CREDENTIALS}. The C program is written from the
 * filter, so a constant added there is checked without touching this test.
 */
class ConstantsTest {
    @TempDir
    static Path work;

    /** The constant's name to its generated accessor. */
    private static final Map<String, Method> JAVA = new LinkedHashMap<>();
    /** The constant's name to its value as gcc prints it, as a long long. */
    private static final Map<String, Long> GCC = new HashMap<>();
    private static String skipReason;

    @BeforeAll
    static void compileAndRun() throws Exception {
        for (String name : GccProgram.filtered("--include-constant")) {
            JAVA.put(name, LibC.class.getMethod(name));
        }
        assertFalse(JAVA.isEmpty(), "includes.txt names no constant");

        String gcc = GccProgram.compiler();
        if (gcc == null) {
            skipReason = "no C compiler (gcc or cc) on PATH: the constants were not cross-checked";
            return;
        }
        StringBuilder c = new StringBuilder("""
                #include "panama_sockets.h"
                #include <stdio.h>
                #define CONSTANT(N) printf("%s %lld\\n", #N, (long long) (N))
                int main(void) {
                """);
        JAVA.keySet().forEach(name -> c.append("    CONSTANT(").append(name).append(");\n"));
        c.append("    return 0;\n}\n");
        for (String line : GccProgram.run(gcc, work, "constants", c.toString()).split("\n")) {
            String[] f = line.split(" ");
            GCC.put(f[0], Long.parseLong(f[1]));
        }
    }

    @TestFactory
    List<DynamicTest> generatedConstantsMatchGcc() {
        List<DynamicTest> tests = new ArrayList<>();
        JAVA.forEach((name, accessor) -> tests.add(DynamicTest.dynamicTest(name, () -> {
            assumeTrue(skipReason == null, skipReason);
            Long c = GCC.get(name);
            assertNotNull(c, "gcc printed nothing for " + name);
            Object value = accessor.invoke(null);
            // jextract gives an int constant its 32 bits, so an unsigned one such as EPOLLET (1u << 31)
            // reads as negative: compare the bits.
            if (value instanceof Integer i) {
                assertTrue(c >= Integer.MIN_VALUE && c <= 0xFFFF_FFFFL, name + " is " + c + " in C: more than the 32 bits of its binding");
                assertEquals(c.intValue(), i.intValue(), name);
            } else {
                assertEquals(c, ((Number) value).longValue(), name);
            }
        })));
        return tests;
    }
}
