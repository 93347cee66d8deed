/*
 * The C baseline for scripts/bench.sh: 1-byte ping-pong between two threads of one process,
 * the same workload and structure as the Java side, so that each Java figure can be read as a
 * ratio to this one.
 *
 *   pingpong KIND ROUNDS [busy]  KIND: unix-stream unix-seqpacket unix-dgram unix-dgram-path
 *                                      tcp4 tcp6
 *   pingpong bulk-SIZE MIB       writes of SIZE bytes over a Unix stream pair, MIB mebibytes timed
 *                                after a warm-up of a quarter of that
 *
 * Built with -DPINGPONG_LIBRARY -shared -fPIC instead, it is the C half of bench/jmh's Paired and
 * PairedBulk: pingpong_open, pingpong_rounds and pingpong_bulk below, and no main.
 *
 * Prints: KIND c p50_ns p99_ns p999_ns msgs_per_s rounds_timed (see measure in bench.h), or for
 * bulk: KIND c MB_per_s
 *
 * unix-dgram-path is two datagram sockets bound to paths in a temporary directory: each send
 * names its destination (sendto), each receive learns its sender (recvfrom), and the echo answers
 * whoever sent, as a datagram server does.
 *
 * With busy, each thread pins itself to a CPU of its own (0 and 1) and spins on recv with
 * MSG_DONTWAIT instead of blocking, and the implementation is printed as c-busy.
 */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <pthread.h>
#include <unistd.h>

/* Two connected sockets of the given kind. */
static void connected(const char *kind, int fds[2]) {
    if (strncmp(kind, "unix-", 5) == 0) {
        int type = strcmp(kind, "unix-stream") == 0 ? SOCK_STREAM
                 : strcmp(kind, "unix-seqpacket") == 0 ? SOCK_SEQPACKET : SOCK_DGRAM;
        if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) < 0) die("socketpair");
        return;
    }
    int v6 = strcmp(kind, "tcp6") == 0;
    int family = v6 ? AF_INET6 : AF_INET;
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *) &ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *) &ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *) &ss, len) < 0 || listen(l, 1) < 0) die("listen");
    if (getsockname(l, (struct sockaddr *) &ss, &len) < 0) die("getsockname");
    fds[0] = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fds[0], (struct sockaddr *) &ss, len) < 0) die("connect");
    fds[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (fds[1] < 0) die("accept");
    close(l);
}

static int busy;

/* unix-dgram-path: the paths bound, and where the first socket sends, the echo's path. */
static int addressed;
static struct sockaddr_un echo_address;
static socklen_t echo_address_len;

static char dir[] = "/tmp/pingpong-XXXXXX";
static char paths[2][sizeof ((struct sockaddr_un *) 0)->sun_path];

static void unlink_paths(void) {
    unlink(paths[0]);
    unlink(paths[1]);
    rmdir(dir);
}

/* Two datagram sockets bound to paths, their lengths as a library encodes them: up to the NUL. */
static void bound(int fds[2]) {
    if (mkdtemp(dir) == NULL) die("mkdtemp");
    atexit(unlink_paths);
    for (int i = 0; i < 2; i++) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path, sizeof a.sun_path, "%s/%c", dir, "ab"[i]);
        strcpy(paths[i], a.sun_path);
        socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
        fds[i] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *) &a, len) < 0) die("bind");
        echo_address = a;
        echo_address_len = len;
    }
    addressed = 1;
}

/* One byte from whoever sends it, whose address is left in from. */
static void recv_from(int fd, char *b, struct sockaddr_un *from, socklen_t *len, const char *what) {
    *len = sizeof *from;
    if (recvfrom(fd, b, 1, 0, (struct sockaddr *) from, len) != 1) die(what);
}

/*
 * With busy, whether a receive that finds nothing spins, or sleeps a millisecond between looks:
 * bench/jmh's Paired lets C's echo spin only while it measures C (see pingpong_spin).
 */
static volatile int spinning = 1;

/* Receives one byte: blocking, or spinning on MSG_DONTWAIT when busy. */
static void recv1(int fd, char *b, const char *what) {
    if (!busy) {
        if (recv(fd, b, 1, 0) != 1) die(what);
        return;
    }
    ssize_t n;
    while ((n = recv(fd, b, 1, MSG_DONTWAIT)) < 0 && errno == EAGAIN) {
        if (spinning) {
            __builtin_ia32_pause();
        } else {
            usleep(1000);
        }
    }
    if (n != 1) die(what);
}

/* Echoes until the process ends: main returns without joining it. */
static void *echo(void *arg) {
    int fd = *(int *) arg;
    char b;
    if (busy) pin_to(1);
    if (addressed) {
        struct sockaddr_un from;
        socklen_t len;
        for (;;) {
            recv_from(fd, &b, &from, &len, "echo recvfrom");
            if (sendto(fd, &b, 1, MSG_NOSIGNAL, (struct sockaddr *) &from, len) != 1) die("echo sendto");
        }
    }
    for (;;) {
        recv1(fd, &b, "echo recv");
        if (send(fd, &b, 1, MSG_NOSIGNAL) != 1) die("echo send");
    }
    return NULL;
}

/* One round trip from the first socket. */
static void round_trip(void *arg) {
    int fd = *(int *) arg;
    char b = 1;
    if (addressed) {
        struct sockaddr_un from;
        socklen_t len;
        if (sendto(fd, &b, 1, MSG_NOSIGNAL, (struct sockaddr *) &echo_address, echo_address_len) != 1) die("sendto");
        recv_from(fd, &b, &from, &len, "recvfrom");
        return;
    }
    if (send(fd, &b, 1, MSG_NOSIGNAL) != 1) die("send");
    recv1(fd, &b, "recv");
}

/* Bulk transfer: the bytes the drain thread is to receive, and the size of each write. */
static long bulk_total;
static size_t bulk_size;

static void *drain(void *arg) {
    int fd = *(int *) arg;
    char *buf = malloc(1 << 20);
    if (buf == NULL) die("malloc");
    long got = 0;
    while (got < bulk_total) {
        ssize_t n = recv(fd, buf, 1 << 20, 0);
        if (n <= 0) die("drain recv");
        got += n;
    }
    free(buf);
    return NULL;
}

/* Sends len bytes from buf in writes of at most bulk_size. */
static void send_all(int fd, const char *buf, long len) {
    for (long sent = 0; sent < len; ) {
        size_t want = len - sent < (long) bulk_size ? (size_t) (len - sent) : bulk_size;
        ssize_t n = send(fd, buf, want, MSG_NOSIGNAL);
        if (n < 0) die("bulk send");
        sent += n;
    }
}

/*
 * Over a new Unix stream pair, sends warmup bytes untimed and then timed bytes, in writes of size
 * bytes, drained by a thread into a 1 MiB buffer: {@return the nanoseconds from the first timed
 * write until the drain has received the last byte}
 */
static long long bulk_run(long size, long warmup, long timed) {
    bulk_size = (size_t) size;
    bulk_total = warmup + timed;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) die("socketpair");
    char *buf = calloc(1, bulk_size);
    if (buf == NULL) die("calloc");
    pthread_t reader;
    if (pthread_create(&reader, NULL, drain, &fds[1]) != 0) die("pthread_create");
    send_all(fds[0], buf, warmup);
    long long t0 = now_ns();
    send_all(fds[0], buf, timed);
    pthread_join(reader, NULL);
    long long t = now_ns() - t0;
    free(buf);
    close(fds[0]);
    close(fds[1]);
    return t;
}

#ifdef PINGPONG_LIBRARY

/*
 * Connects a pair of KIND and starts its echo thread: {@return the fd to time}. unix-dgram-path
 * must come last, since it switches every later round trip to sendto and recvfrom. With
 * busy_poll, the echo pins itself to CPU 1 and every receive spins on MSG_DONTWAIT, this one's
 * too: from then on, for every pair.
 */
int pingpong_open(const char *kind, int busy_poll) {
    if (busy_poll) busy = 1;
    if (addressed) {
        fprintf(stderr, "pingpong_open: %s after unix-dgram-path\n", kind);
        exit(2);
    }
    int *fds = malloc(2 * sizeof *fds);
    if (fds == NULL) die("malloc");
    if (strcmp(kind, "unix-dgram-path") == 0) {
        bound(fds);
    } else {
        connected(kind, fds);
    }
    pthread_t echoer;
    if (pthread_create(&echoer, NULL, echo, &fds[1]) != 0) die("pthread_create");
    return fds[0];
}

/* Makes ROUNDS round trips on fd, leaving the nanoseconds of each in out. */
void pingpong_rounds(int fd, long rounds, long long *out) {
    time_rounds(round_trip, &fd, out, 0, rounds, now_ns());
}

/* With busy: whether receives that find nothing spin (1) or sleep between looks (0). */
void pingpong_spin(int on) {
    spinning = on;
}

/* bulk_run for bench/jmh's Paired: {@return the nanoseconds the timed bytes took} */
long long pingpong_bulk(long size, long warmup, long timed) {
    return bulk_run(size, warmup, timed);
}

#else

/* A quarter of the volume is sent first, untimed, as the Java side warms up. */
static int bulk(const char *kind, long mib) {
    long timed = mib << 20;
    long long t = bulk_run(atol(kind + 5), timed / 4, timed);
    printf("%s c %.0f\n", kind, timed * 1e3 / t);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strncmp(argv[1], "bulk-", 5) == 0) {
        return bulk(argv[1], atol(argv[2]));
    }
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "busy") == 0)) {
        fprintf(stderr, "usage: %s KIND ROUNDS [busy]\n", argv[0]);
        return 2;
    }
    busy = argc == 4;
    const char *kind = argv[1];
    long rounds = atol(argv[2]);
    int fds[2];
    if (strcmp(kind, "unix-dgram-path") == 0) {
        if (busy) {
            fprintf(stderr, "%s: no busy variant\n", kind);
            return 2;
        }
        bound(fds);
    } else {
        connected(kind, fds);
    }
    pthread_t echoer;
    if (pthread_create(&echoer, NULL, echo, &fds[1]) != 0) die("pthread_create");
    if (busy) pin_to(0);
    measure(kind, busy ? "c-busy" : "c", rounds, round_trip, &fds[0]);
    return 0;
}

#endif
