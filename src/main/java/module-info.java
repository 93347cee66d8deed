/**
 * Linux sockets on the Foreign Function and Memory API: every address family's {@code sockaddr} as
 * a record, and the system calls behind them, with no JNI and no native library of its own.
 *
 * <p>{@link io.github.panamasockets.address} holds the addresses. The module needs native access:
 * run with {@code --enable-native-access=io.github.panamasockets} (on the module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (on the class path).
 */
module io.github.panamasockets {
    exports io.github.panamasockets;
    exports io.github.panamasockets.address;
    exports io.github.panamasockets.netlink;
}
