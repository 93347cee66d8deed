package io.github.panamasockets;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.module.ModuleReader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code import io.github.panamasockets.*} works in jshell: no public type of the library has the
 * simple name of a type in a package jshell imports by default, which would make the name
 * ambiguous there.
 */
class JshellNamesTest {
    /** The packages jshell's DEFAULT startup imports on demand. */
    private static final List<String> JSHELL_IMPORTS = List.of("java.io", "java.math", "java.net", "java.nio.file",
            "java.util", "java.util.concurrent", "java.util.function", "java.util.prefs", "java.util.regex",
            "java.util.stream", "java.lang");

    @Test
    void noPublicTypeNameClashesWithJshellsDefaultImports() throws IOException {
        Module module = Sock.class.getModule();
        List<String> ours = new ArrayList<>();
        try (ModuleReader reader = module.getLayer().configuration().findModule(module.getName()).orElseThrow()
                .reference().open()) {
            reader.list().filter(n -> n.endsWith(".class") && !n.contains("$") && !n.equals("module-info.class"))
                    .map(n -> n.substring(0, n.length() - 6).replace('/', '.'))
                    .filter(n -> module.isExported(n.substring(0, n.lastIndexOf('.'))))
                    .forEach(ours::add);
        }
        assertTrue(ours.size() > 20, "found the library's types: " + ours);
        List<String> clashes = new ArrayList<>();
        for (String type : ours) {
            String simple = type.substring(type.lastIndexOf('.') + 1);
            for (String pkg : JSHELL_IMPORTS) {
                try {
                    Class<?> other = Class.forName(pkg + "." + simple, false, ClassLoader.getSystemClassLoader());
                    if (java.lang.reflect.Modifier.isPublic(other.getModifiers())) {
                        clashes.add(type + " clashes with " + pkg + "." + simple);
                    }
                } catch (ClassNotFoundException expected) {
                    // no clash
                }
            }
        }
        assertEquals(List.of(), clashes);
    }
}
