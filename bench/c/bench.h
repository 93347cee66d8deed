/*
 * What the C baselines of scripts/bench.sh share: the clock, failure, CPU pinning, and the timed
 * rounds and percentile line of every latency program, in the same format as the Java drivers.
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

/* The longest warm-up and timed part, as in bench/jmh's Rounds: an idle machine finishes its
 * rounds well before them, and a loaded one cannot stretch the suite without end. */
#define WARMUP_NS 1000000000LL
#define MEASURE_NS 2000000000LL

/* Rounds per call of time_rounds in measure, between which the time bound is checked; as in Rounds. */
#define CHUNK 100

/*
 * Makes rounds from to to - 1 of round(arg), leaving the nanoseconds of each in t, each timed from
 * the end of the one before (the first from now): {@return the time the last ended}
 */
static inline long long time_rounds(void (*round)(void *), void *arg, long long *t, long from, long to,
                                    long long now) {
    for (long i = from; i < to; i++) {
        long long t0 = now;
        round(arg);
        now = now_ns();
        t[i] = now - t0;
    }
    return now;
}

/*
 * Runs round(arg) rounds / 10 times as a warm-up, then up to rounds times timed, and prints:
 * KIND IMPL p50_ns p99_ns p999_ns rounds_per_s rounds_timed
 */
static inline void measure(const char *kind, const char *impl, long rounds, void (*round)(void *), void *arg) {
    long long begun = now_ns();
    for (long i = 0; i < rounds / 10 && now_ns() - begun < WARMUP_NS; i++) round(arg);
    long long *t = malloc(sizeof(long long) * rounds);
    if (t == NULL) die("malloc");
    long n = 0;
    long long start = now_ns(), now = start;
    while (n < rounds && now - start < MEASURE_NS) {
        long end = n + CHUNK < rounds ? n + CHUNK : rounds;
        now = time_rounds(round, arg, t, n, end, now);
        n = end;
    }
    qsort(t, n, sizeof *t, cmp_ll);
    printf("%s %s %lld %lld %lld %.0f %ld\n", kind, impl, t[n / 2], t[n * 99 / 100], t[n * 999 / 1000],
           n * 1e9 / (now - start), n);
    free(t);
}

#endif
