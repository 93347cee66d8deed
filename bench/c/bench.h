/*
 * What the C baselines of scripts/bench.sh share: the clock, failure, CPU pinning, and the
 * percentile line that every latency program prints, in the same format as the Java drivers.
 */
#ifndef BENCH_H
#define BENCH_H

#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static inline void die(const char *what) {
    perror(what);
    exit(1);
}

/* Keeps the calling thread on one CPU. */
static inline void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

/* Sorts the n times t and prints: KIND IMPL p50_ns p99_ns p999_ns ops_per_s */
static inline void print_latency(const char *kind, const char *impl, long long *t, long n, long long total_ns) {
    qsort(t, n, sizeof *t, cmp_ll);
    printf("%s %s %lld %lld %lld %.0f\n", kind, impl, t[n / 2], t[n * 99 / 100], t[n * 999 / 1000],
           n * 1e9 / total_ns);
}

#endif
