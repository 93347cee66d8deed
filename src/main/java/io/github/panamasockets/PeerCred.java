package io.github.panamasockets;

/**
 * The credentials of the process at the other end of a Unix socket, as the kernel recorded them
 * when it connected ({@code struct ucred}, from {@code SO_PEERCRED}; see unix(7)).
 *
 * {@snippet :
 * try (var p = Sock.pair(SockType.STREAM)) {
 *     p.first().peerCredentials()   // ==> PeerCred[pid=1234, uid=1000, gid=1000], this process
 * }
 * }
 *
 * @param pid the peer's process id
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 */
public record PeerCred(int pid, int uid, int gid) {
}
