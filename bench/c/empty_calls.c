/*
 * C functions named as the socket calls that do nothing, for the EmptyCall benchmarks of
 * bench/jmh: with them, what the library adds to a call is measured against a raw downcall to
 * the same empty function, without a system call's cost and noise on both sides.
 *
 *   gcc -O2 -shared -fPIC -o libemptycalls.so empty_calls.c
 *
 * The benchmark loads the library with System.load before the first socket call, so the
 * library's symbol lookup (the class loader's libraries first, then libc) finds these. Loaded
 * that way, RTLD_LOCAL, they interpose on nothing else in the process.
 */
#include <sys/socket.h>
#include <sys/types.h>

/* What getsockopt leaves in the value, so that a benchmark can tell it reached this function. */
#define EMPTY_CALLS_MAGIC 0x5eb

int getsockopt(int fd, int level, int name, void *value, socklen_t *len) {
    (void) fd, (void) level, (void) name;
    *(int *) value = EMPTY_CALLS_MAGIC;
    *len = sizeof(int);
    return 0;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
    (void) fd, (void) buf, (void) flags;
    return (ssize_t) len;
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    (void) fd, (void) buf, (void) flags;
    return (ssize_t) len;
}
