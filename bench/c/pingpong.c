/*
 * The C baseline for scripts/bench.sh: 1-byte ping-pong between two threads of one process,
 * the same workload and structure as the Java side, so that each Java figure can be read as a
 * ratio to this one.
 *
 *   pingpong KIND ROUNDS    KIND: unix-stream unix-seqpacket unix-dgram tcp4 tcp6
 *   pingpong bulk-SIZE MIB  writes of SIZE bytes over a Unix stream pair, MIB mebibytes in all
 *
 * Prints: KIND p50_ns p99_ns p999_ns msgs_per_s, or for bulk: KIND MB_per_s
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

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

static long total_rounds;

static void *echo(void *arg) {
    int fd = *(int *) arg;
    char b;
    for (long i = 0; i < total_rounds; i++) {
        if (recv(fd, &b, 1, 0) != 1) die("echo recv");
        if (send(fd, &b, 1, MSG_NOSIGNAL) != 1) die("echo send");
    }
    return NULL;
}

static long bulk_total;
static size_t bulk_size;

static void *drain(void *arg) {
    int fd = *(int *) arg;
    char *buf = malloc(1 << 20);
    long got = 0;
    while (got < bulk_total) {
        ssize_t n = recv(fd, buf, 1 << 20, 0);
        if (n <= 0) die("drain recv");
        got += n;
    }
    free(buf);
    return NULL;
}

static int bulk(const char *kind, long mib) {
    bulk_size = (size_t) atol(kind + 5);
    bulk_total = mib << 20;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) die("socketpair");
    char *buf = calloc(1, bulk_size);
    pthread_t reader;
    if (pthread_create(&reader, NULL, drain, &fds[1]) != 0) die("pthread_create");
    long long t0 = now_ns();
    for (long sent = 0; sent < bulk_total; ) {
        size_t want = bulk_total - sent < (long) bulk_size ? (size_t) (bulk_total - sent) : bulk_size;
        ssize_t n = send(fds[0], buf, want, MSG_NOSIGNAL);
        if (n < 0) die("bulk send");
        sent += n;
    }
    pthread_join(reader, NULL);
    long long t = now_ns() - t0;
    printf("%s c %.0f\n", kind, bulk_total * 1e3 / t);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strncmp(argv[1], "bulk-", 5) == 0) {
        return bulk(argv[1], atol(argv[2]));
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s KIND ROUNDS\n", argv[0]);
        return 2;
    }
    const char *kind = argv[1];
    long rounds = atol(argv[2]);
    long warmup = rounds / 10;
    int fds[2];
    connected(kind, fds);
    char b = 1;
    total_rounds = warmup + rounds;
    pthread_t echoer;
    if (pthread_create(&echoer, NULL, echo, &fds[1]) != 0) die("pthread_create");
    long long *t = malloc(sizeof(long long) * rounds);
    long long start = 0;
    for (long i = 0; i < warmup + rounds; i++) {
        if (i == warmup) start = now_ns();
        long long t0 = now_ns();
        if (send(fds[0], &b, 1, MSG_NOSIGNAL) != 1) die("send");
        if (recv(fds[0], &b, 1, 0) != 1) die("recv");
        if (i >= warmup) t[i - warmup] = now_ns() - t0;
    }
    long long total = now_ns() - start;
    pthread_join(echoer, NULL);
    qsort(t, rounds, sizeof *t, cmp);
    printf("%s %lld %lld %lld %.0f\n", kind, t[rounds / 2], t[rounds * 99 / 100], t[rounds * 999 / 1000],
           rounds * 1e9 / total);
    return 0;
}
