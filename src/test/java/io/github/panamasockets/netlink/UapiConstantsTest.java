package io.github.panamasockets.netlink;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The few constants the netlink package defines in Java because the generated bindings do not
 * have them yet (NETLINK_LIST_MEMBERSHIPS, the IF_OPER_* states, the TCP_* states) equal the C
 * headers' values, as gcc compiles them on this machine.
 */
class UapiConstantsTest {
    @TempDir
    static Path work;

    private static final Map<String, Integer> JAVA = new LinkedHashMap<>();
    private static final Map<String, Integer> C = new HashMap<>();

    @BeforeAll
    static void compile() throws Exception {
        JAVA.put("NETLINK_LIST_MEMBERSHIPS", NetlinkSocket.NETLINK_LIST_MEMBERSHIPS);
        for (OperState s : List.of(OperState.UNKNOWN, OperState.NOTPRESENT, OperState.DOWN, OperState.LOWERLAYERDOWN,
                OperState.TESTING, OperState.DORMANT, OperState.UP)) {
            JAVA.put(s.toString(), s.value());
        }
        for (TcpState s : List.of(TcpState.ESTABLISHED, TcpState.SYN_SENT, TcpState.SYN_RECV, TcpState.FIN_WAIT1,
                TcpState.FIN_WAIT2, TcpState.TIME_WAIT, TcpState.CLOSE, TcpState.CLOSE_WAIT, TcpState.LAST_ACK,
                TcpState.LISTEN, TcpState.CLOSING)) {
            JAVA.put(s.toString(), s.value());
        }
        if (!TestSupport.onPath("gcc")) {
            return;
        }
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <netinet/tcp.h>
                #include <linux/netlink.h>
                #include <linux/if.h>
                int main(void) {
                """);
        for (String name : JAVA.keySet()) {
            c.append("    printf(\"%s %d\\n\", \"").append(name).append("\", (int) ").append(name).append(");\n");
        }
        c.append("    return 0;\n}\n");
        Path src = work.resolve("uapi.c");
        Path exe = work.resolve("uapi");
        Files.writeString(src, c);
        TestSupport.run("gcc", "-Wall", "-Werror", "-o", exe.toString(), src.toString());
        for (String line : TestSupport.run(exe.toString()).split("\n")) {
            String[] f = line.split(" ");
            C.put(f[0], Integer.parseInt(f[1]));
        }
    }

    @Test
    void javaConstantsEqualTheCHeaders() {
        assumeTrue(!C.isEmpty(), "no gcc on PATH: the constants were not checked against the C headers");
        JAVA.forEach((name, value) -> assertEquals(C.get(name), value, name));
        assertEquals(JAVA.size(), C.size());
    }
}
