package io.github.panamasockets.internal.sys;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every struct and union the library binds (the {@code --include-struct} and
 * {@code --include-union} lines of headers/includes.txt) has the size, alignment and field offsets
 * and sizes that gcc gives it on this machine. The C program is written from the generated
 * layouts, so a field added to the bindings is checked without touching this test. A flexible
 * array member (such as {@code cmsghdr.__cmsg_data}) is checked for its offset.
 */
class LayoutTest {
    private static final String GEN = "io.github.panamasockets.internal.gen.";

    @TempDir
    static Path work;

    /** "struct sockaddr_in" to its generated layout. */
    private static final Map<String, GroupLayout> LAYOUTS = new LinkedHashMap<>();
    /** "struct sockaddr_in.sin_port" to "offset size", and "struct sockaddr_in" to "size align", as gcc says. */
    private static final Map<String, String> GCC = new LinkedHashMap<>();
    private static String skipReason;

    @BeforeAll
    static void compileAndRun() throws Exception {
        for (String kind : List.of("struct", "union")) {
            for (String name : GccProgram.filtered("--include-" + kind)) {
                Class<?> c = Class.forName(GEN + name);
                LAYOUTS.put(kind + " " + name, (GroupLayout) c.getMethod("layout").invoke(null));
            }
        }
        assertFalse(LAYOUTS.isEmpty(), "includes.txt names no struct");

        String gcc = GccProgram.compiler();
        if (gcc == null) {
            skipReason = "no C compiler (gcc or cc) on PATH: the layouts were not cross-checked";
            return;
        }
        StringBuilder c = new StringBuilder("""
                #include "panama_sockets.h"
                #include <stdio.h>
                #include <stddef.h>
                #define FIELD(T, F) printf("%s.%s %zu %zu\\n", #T, #F, offsetof(T, F), sizeof(((T *)0)->F))
                #define FLEXIBLE(T, F) printf("%s.%s %zu 0\\n", #T, #F, offsetof(T, F))
                #define TYPE(T) printf("%s %zu %zu\\n", #T, sizeof(T), _Alignof(T))
                int main(void) {
                """);
        LAYOUTS.forEach((type, layout) -> {
            c.append("    TYPE(").append(type).append(");\n");
            for (MemoryLayout m : layout.memberLayouts()) {
                if (!(m instanceof PaddingLayout) && m.name().isPresent()) {
                    boolean flexible = m instanceof SequenceLayout s && s.elementCount() == 0;
                    c.append(flexible ? "    FLEXIBLE(" : "    FIELD(").append(type).append(", ").append(m.name().get()).append(");\n");
                }
            }
        });
        c.append("    return 0;\n}\n");
        for (String line : GccProgram.run(gcc, work, "layouts", c.toString()).split("\n")) {
            int lastSpace = line.lastIndexOf(' ');
            int space = line.lastIndexOf(' ', lastSpace - 1);
            GCC.put(line.substring(0, space), line.substring(space + 1));
        }
    }

    @TestFactory
    List<DynamicTest> generatedLayoutsMatchGcc() {
        List<DynamicTest> tests = new ArrayList<>();
        LAYOUTS.forEach((type, layout) -> tests.add(DynamicTest.dynamicTest(type, () -> {
            assumeTrue(skipReason == null, skipReason);
            String gccType = GCC.get(type);
            assertNotNull(gccType, "gcc printed nothing for " + type);
            assertEquals(gccType, layout.byteSize() + " " + layout.byteAlignment(),
                    type + ": sizeof and _Alignof");
            for (MemoryLayout m : layout.memberLayouts()) {
                if (m instanceof PaddingLayout || m.name().isEmpty()) {
                    continue;
                }
                String field = type + "." + m.name().get();
                long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(m.name().get()));
                assertEquals(GCC.get(field), offset + " " + m.byteSize(), field + ": offsetof and sizeof");
            }
        })));
        return tests;
    }
}
