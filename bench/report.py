"""Writes docs/BENCHMARKS.md from the results of one run of scripts/bench.sh.

    python3 bench/report.py RESULTS_DIR > docs/BENCHMARKS.md

RESULTS_DIR holds: latency (KIND IMPL p50 p99 p999 per_s timed, one line per measurement), bulk
(bulk-SIZE IMPL MB_per_s), paired and paired-busy (KIND IMPL SEQ p50 p99 per_s, from bench/jmh's
Paired), paired-bulk (bulk-SIZE IMPL SEQ MB_per_s, from bench/jmh's PairedBulk), jmh.json (JMH's
results with -prof gc) and meta (key=value).
Every figure is the median of the runs; every ratio is to the C baseline of the same run.
"""
import datetime
import json
import math
import os
import platform
import statistics
import sys

out_dir = sys.argv[1]
meta = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(out_dir, "meta")) if "=" in line)


def rows(name):
    return [line.split() for line in open(os.path.join(out_dir, name)) if line.strip()]


latency = {}
for kind, impl, *values in rows("latency"):
    latency.setdefault((kind, impl), []).append([float(v) for v in values])
# The measurements in one process, in blocks in the order they ran: {(kind, impl): {seq: [figures]}},
# where a block of C ran before and after every block of the others.
paired = {}
for name in ("paired", "paired-busy"):
    if os.path.exists(os.path.join(out_dir, name)):
        for kind, impl, seq, *values in rows(name):
            paired.setdefault((kind, impl), {})[int(seq)] = [float(v) for v in values]
paired_bulk = {}
if os.path.exists(os.path.join(out_dir, "paired-bulk")):
    for kind, impl, seq, mbs in rows("paired-bulk"):
        paired_bulk.setdefault((int(kind[5:]), impl), {})[int(seq)] = [float(mbs)]


def c_of(impl):
    """The C baseline an implementation is compared with: c-busy for the busy-poll variants, else c."""
    return "c-busy" if impl.endswith("-busy") else "c"


def c_ratios(blocks, key, i):
    """The sorted ratios of figure i of key's blocks to the mean of the C blocks on either side; None if not run."""
    a, c = blocks.get(key), blocks.get((key[0], c_of(key[1])))
    if not a or not c:
        return None
    return sorted(v[i] / ((c[s - 1][i] + c[s + 1][i]) / 2) for s, v in a.items() if s - 1 in c and s + 1 in c)


def relative(blocks, key, base, i):
    """key's figure i as a ratio to base's, through their ratios to the C blocks beside each: C cancels out."""
    a, b = c_ratios(blocks, key, i), c_ratios(blocks, base, i)
    return None if a is None or b is None else middle(a)[0] / middle(b)[0]


def block_median(blocks, key, i):
    return statistics.median(v[i] for v in blocks[key].values())


def middle(r):
    """The median of sorted ratios, and the first and third quartiles."""
    return r[len(r) // 2], r[len(r) // 4], r[len(r) * 3 // 4]
bulk = {}
for kind, impl, mbs in rows("bulk"):
    bulk.setdefault((int(kind[5:]), impl), []).append(float(mbs))


def lat(kind, impl):
    """Median p50, p99, p99.9, rate and rounds timed of the runs, or None where it did not run."""
    runs = latency.get((kind, impl))
    return None if not runs else [statistics.median(r[i] for r in runs) for i in range(5)]


def cut_short():
    """How many measurements the time bound cut, of how many, and the implementations whose median it cut."""
    wanted = {"netlink-getlink": int(meta["dumps"])}
    cut = sum(r[4] < wanted.get(k, int(meta["rounds"])) for (k, i), runs in latency.items() for r in runs)
    total = sum(len(runs) for runs in latency.values())
    median_cut = [f"{k} {i}" for (k, i), runs in sorted(latency.items())
                  if statistics.median(r[4] for r in runs) < wanted.get(k, int(meta["rounds"]))]
    return cut, total, median_cut


def mbs(size, impl):
    return statistics.median(bulk[(size, impl)]) if (size, impl) in bulk else None


def iteration_medians(histograms):
    """The median of each iteration of a sample-mode benchmark, from JMH's histograms."""
    medians = []
    for fork in histograms:
        for iteration in fork:
            total = sum(count for _, count in iteration)
            seen = 0
            for value, count in sorted(iteration):
                seen += count
                if 2 * seen >= total:
                    medians.append(value)
                    break
    return medians


jmh = {}
for name in ("jmh-calls.json", "jmh-alloc.json"):
    for b in json.load(open(os.path.join(out_dir, name))):
        key = b["benchmark"].split(".", 1)[1]
        primary = b["primaryMetric"]
        norm = b["secondaryMetrics"].get("gc.alloc.rate.norm", {})
        # Bytes per op: the median of the iterations but the last of each fork, which also counts
        # what the harness allocates as the fork ends (about 0.2 B/op here against 0.01 before).
        per_iteration = [v for fork in norm.get("rawData", []) for v in (fork[:-1] if len(fork) > 1 else fork)]
        alloc = statistics.median(per_iteration) if per_iteration else float("nan")
        if b["mode"] == "sample":
            # ns/op: the median sample, which preemption on a shared machine leaves alone; its
            # error, half the spread of the iterations' medians.
            medians = iteration_medians(primary["rawDataHistogram"])
            spread = (max(medians) - min(medians)) / 2 if medians else float("nan")
            jmh[key] = (float(primary["scorePercentiles"]["50.0"]), spread, alloc)
        else:
            # JMH writes "NaN" for an error it cannot compute, such as that of too few iterations.
            jmh[key] = (float(primary["score"]), float(primary["scoreError"]), alloc)


def ns(name):
    return jmh[name][0] if name in jmh else float("nan")


def diff(a, b):
    """a - b in ns/op, and the errors of both added."""
    (sa, ea, _), (sb, eb, _) = jmh[a], jmh[b]
    return sa - sb, (0 if math.isnan(ea) else ea) + (0 if math.isnan(eb) else eb)


def na(v):
    return "n/a" if v is None or math.isnan(v) else f"{v:.2f}"


def x(v):
    s = na(v)
    return s if s == "n/a" else s + "x"


def met(ok):
    return "**yes**" if ok else "no"


# ------------------------------------------------------------------------------ the machine

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ticks = float(meta["ticks_per_second"])
seconds = max(1, int(meta["measured_seconds"]))
others = int(meta["others_ticks"]) / ticks / seconds
steal = int(meta["steal_ticks"]) / ticks / seconds
load = (f"the rest of the machine used {others:.2f} CPUs on average while the suite ran (user and "
        f"system time of all processes less the suite's own), and the hypervisor stole {steal:.2f}")
if others > 0.25:
    load += (". **Other work was running**, so the figures are noisier than on an idle machine; the "
             "ratios, measured side by side and interleaved, are what to read")

print("# Benchmarks\n")
print("Produced by `scripts/bench.sh`: every implementation measured side by side in one run, the runs")
print("interleaved (each implementation once per run, in an order that rotates), each figure the median")
print(f"of {meta['runs']} runs, and every ratio to the C baseline of the same run. Absolute times are")
print("those of this machine and load only; compare ratios.\n")
print(f"- Machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}")
print(f"- Load: {load}.")
print(f"- Date: {datetime.date.today()}; the run took {int(meta['total_seconds']) // 60} min "
      f"{int(meta['total_seconds']) % 60} s, builds included.")
print(f"- Command: `{meta['command']}`")
cut, total, median_cut = cut_short()
if cut:
    print(f"- The 2 s bound of a timed part cut {cut} of the {total} latency measurements short of their rounds"
          + (f"; in the median, those of {', '.join(median_cut)}" if median_cut else "")
          + ". The `timed` columns say how many rounds the median run timed.")
print(f"- {meta['java']}; {meta['gcc']}; JMH 1.37, `{meta['jmh_calls']}` for the per-call benchmarks and "
      f"`{meta['jmh_alloc']}` for allocation\n")
print("Implementations: `c` is bench/c, compiled with gcc -O2. `panama` is this library calling from")
print("native memory (`MemorySegment`), `panama-heap` from a `byte[]`, `panama-confined` from native memory")
print("with each socket confined to the thread that uses it (`Sock.confine()`), which spares each call the")
print("atomic claim of a direction. `nio` is JDK NIO's `SocketChannel`")
print("(a Unix domain socket path or TCP) with a direct buffer, `nio-heap` with a heap buffer. `junixsocket`")
print("is junixsocket 2.10.1's `AFUNIXSocketPair` channels, `jnr` is jnr-unixsocket 0.38.23's")
print("`UnixSocketChannel.pair()`, both with a direct buffer. `ffm`, in the measurements in one process,")
print("is the floor of any FFM binding: send(2) and recv(2) (sendto(2) and recvfrom(2) for unix-dgram-path)")
print("by raw `invokeExact` of handles linked as the library links them, on the library's sockets, with")
print("nothing around them. `ffm-flags`, on Unix seqpacket and datagram sockets, is the same with the")
print("library's flags and linkage there: sends with MSG_DONTWAIT by a critical downcall, receives with")
print("MSG_TRUNC.\n")

# ------------------------------------------------------------------------------ targets

targets = []


def target(what, goal, measured, ok):
    targets.append((what, goal, measured, ok))


def ratio(kind, impl, i, base="c"):
    a, b = lat(kind, impl), lat(kind, base)
    return None if a is None or b is None else a[i] / b[i]


def worst(values):
    return max(values) if values and None not in values else None


def pair(kind, impl, i=0, base=None):
    """The median of the blocks' ratios to base's in one process: p50 (i=0), p99 (1) or msgs/s (2); None if not run."""
    if base is not None and base != c_of(impl):
        return relative(paired, (kind, impl), (kind, base), i)
    r = c_ratios(paired, (kind, impl), i)
    return None if r is None else middle(r)[0]


# The round-trip targets are judged on the paired measurement, C and the library in one process,
# each block of the library between two of C, where there is one: between separate processes,
# even C's own p50 moves by more
# than the 5% to be judged (see the section on it).
stream_impls = ("panama", "panama-heap")
p50s = [pair("unix-stream", i) for i in stream_impls]
p99s = [pair("unix-stream", i, 1) for i in stream_impls]
sep50 = [ratio("unix-stream", i, 0) for i in stream_impls]
sep99 = [ratio("unix-stream", i, 1) for i in stream_impls]
target("AF_UNIX stream round trip", "p50 ≤ 1.05x C, p99 ≤ 1.10x C",
       f"paired in one process: p50 {x(p50s[0])} (heap {x(p50s[1])}, confined "
       f"{x(pair('unix-stream', 'panama-confined'))}, raw FFM downcalls {x(pair('unix-stream', 'ffm'))}), p99 {x(p99s[0])} (heap {x(p99s[1])}); "
       f"separate processes: p50 {x(sep50[0])} (heap {x(sep50[1])}), p99 {x(sep99[0])} (heap {x(sep99[1])})",
       worst(p50s) is not None and worst(p50s) <= 1.05 and worst(p99s) <= 1.10)
def judged(paired_values, separate_values, show):
    """The figures a target is judged on, the paired ones where they ran, and the text that shows them
    (with the separate-process ones beside): show renders a list of figures."""
    if None in paired_values:
        return separate_values, show(separate_values)
    return paired_values, (f"paired in one process: {show(paired_values)}; "
                           f"separate processes: {show(separate_values)}")


vs_nio, vs_nio_text = judged([pair("unix-stream", i, 2, "nio") for i in stream_impls],
                             [ratio("unix-stream", i, 3, "nio") for i in stream_impls],
                             lambda v: f"{x(v[0])} (heap {x(v[1])})")
# C's own msgs/s over NIO's, in one process: the most that the target can be met by on this host.
nio_of_c = pair("unix-stream", "nio", 2)
if nio_of_c:
    vs_nio_text += f"; C itself, in one process: {x(1 / nio_of_c)}"
target("AF_UNIX stream vs NIO", "msgs/s ≥ 1.05x NIO", vs_nio_text, None not in vs_nio and min(vs_nio) >= 1.05)
ahead = []
for peer in ("junixsocket", "jnr"):
    a, b = pair("unix-stream", peer, 0, "panama"), pair("unix-stream", "panama", 2, peer)
    if a is None or b is None:
        p, q = lat("unix-stream", "panama"), lat("unix-stream", peer)
        a, b = (q[0] / p[0], p[3] / q[3]) if p and q else (None, None)
    if a is not None:
        ahead.append((peer, a, b))
target("AF_UNIX stream vs peers", "ahead of junixsocket and jnr-unixsocket",
       ("paired in one process: " if pair("unix-stream", "jnr") is not None else "")
       + "; ".join(f"{peer}'s p50 is {x(a)} ours, our msgs/s {x(b)} theirs" for peer, a, b in ahead),
       len(ahead) == 2 and all(a > 1 and b > 1 for _, a, b in ahead))
other_kinds = ("unix-seqpacket", "unix-dgram", "unix-dgram-path", "tcp4", "tcp6")
others_p50 = {k: pair(k, "panama") for k in other_kinds}
target("SEQPACKET, DGRAM and TCP (v4 and v6) round trips", "p50 ≤ 1.05x C",
       "paired in one process: " + ", ".join(f"{k} {x(v)}" for k, v in others_p50.items())
       + " (confined sockets: "
       + ", ".join(f"{k} {x(pair(k, 'panama-confined'))}" for k in other_kinds
                   if pair(k, 'panama-confined') is not None)
       + "; raw FFM downcalls, the floor: "
       + ", ".join(f"{k} {x(pair(k, 'ffm'))}" for k in other_kinds if pair(k, 'ffm') is not None)
       + "); separate processes: "
       + ", ".join(f"{k} {x(ratio(k, 'panama', 0))}" for k in other_kinds),
       all(v is not None and v <= 1.05 for v in others_p50.values()))
(busy,), busy_text = judged([pair("unix-stream", "panama-busy")],
                            [ratio("unix-stream", "panama-busy", 0, "c-busy")], lambda v: x(v[0]))
target("Busy-poll variant", "p50 ≤ 1.03x C", "AF_UNIX stream, " + busy_text, busy is not None and busy <= 1.03)
c64 = mbs(65536, "c")
native64 = mbs(65536, "panama") / c64
heap64 = mbs(65536, "panama-heap") / c64
heap_nio64 = mbs(65536, "panama-heap") / mbs(65536, "nio-heap")
# Judged, as the round trips are, on C and the library in one process where that ran.
pb_native = c_ratios(paired_bulk, (65536, "panama"), 0)
pb_heap = c_ratios(paired_bulk, (65536, "panama-heap"), 0)
hn = relative(paired_bulk, (65536, "panama-heap"), (65536, "nio-heap"), 0)
if pb_native and pb_heap and hn:
    n, n1, n3 = middle(pb_native)
    h, h1, h3 = middle(pb_heap)
    # C's own throughput over NIO heap's: the most that 1.25x NIO heap can be met by on this host.
    pb_nio_heap = c_ratios(paired_bulk, (65536, "nio-heap"), 0)
    c_nio = f" (C itself {x(1 / middle(pb_nio_heap)[0])})" if pb_nio_heap else ""
    target("Bulk 64 KiB from native memory", "≥ 0.95x C throughput",
           f"paired in one process: {x(n)} (middle half {n1:.2f} to {n3:.2f}); separate processes: {x(native64)}",
           n >= 0.95)
    target("Bulk 64 KiB from heap byte[]", "≥ 0.90x C and ≥ 1.25x NIO heap",
           f"paired in one process: {x(h)} C (middle half {h1:.2f} to {h3:.2f}), {x(hn)} NIO heap{c_nio}; "
           f"separate processes: {x(heap64)} C, {x(heap_nio64)} NIO heap", h >= 0.90 and hn >= 1.25)
else:
    target("Bulk 64 KiB from native memory", "≥ 0.95x C throughput", x(native64), native64 >= 0.95)
    target("Bulk 64 KiB from heap byte[]", "≥ 0.90x C and ≥ 1.25x NIO heap",
           f"{x(heap64)} C, {x(heap_nio64)} NIO heap", heap64 >= 0.90 and heap_nio64 >= 1.25)
paths = ["send", "recv", "sendTo", "recvFrom", "sendmsg", "recvmsg"]
kinds = ["Array", "Direct", "Segment"]
allocs = {(p, k): jmh.get(f"Alloc.{p}{k}", (0, 0, float("nan")))[2] for p in paths for k in kinds}
floor = jmh.get("Alloc.baseline", (0, 0, float("nan")))[2]
# What the harness allocates is spread over the operations of an iteration: a few hundredths of a
# byte when the machine is quiet, more when the thread gets little CPU. Where that floor reaches
# the threshold itself, paths are judged by what they add to it.
over_floor = not floor < 0.1
allocating = [f"{p}({k.lower()}) {v:.1f} B" for (p, k), v in allocs.items()
              if not (v - (floor if over_floor else 0)) < 0.1]
target("Allocation on send, recv, sendTo, recvFrom, sendmsg/recvmsg (no control data)",
       "0 B/op (gc.alloc.rate.norm < 0.1)",
       ("all below 0.1 B/op" if not allocating else "allocating: " + ", ".join(allocating))
       + (f" (judged above the harness's own {floor:.2f} B/op)" if over_floor else ""),
       not allocating)
for kind, suffix in (("a shared socket", "Wrapper"), ("a confined socket (`Sock.confine()`)", "Confined")):
    wrapped = {call: diff(f"EmptyCall.{call}{suffix}", f"EmptyCall.{call}Raw") for call in ("getsockopt", "send", "recv")}
    target(f"Each wrapper over a raw invokeExact, {kind}", "≤ 2 ns added",
           ", ".join(f"{k} {d:+.0f} ± {e:.0f} ns" for k, (d, e) in wrapped.items()) + " (empty C functions)"
           + (f"; the claim and release of a direction alone, two atomic instructions, cost "
              f"{ns('EmptyCall.claimAndRelease'):.0f} ns" if suffix == "Wrapper" and "EmptyCall.claimAndRelease" in jmh else ""),
           all(d <= 2 for d, _ in wrapped.values()))

print("## Targets\n")
print("| target | goal | measured | met |")
print("|---|---|---|---|")
for what, goal, measured, ok in targets:
    print(f"| {what} | {goal} | {measured} | {met(ok)} |")

# ------------------------------------------------------------------------------ latency


def latency_table(kinds_impls, base):
    print("| workload | implementation | p50 ns | p99 ns | p99.9 ns | msgs/s | p50 / C | p99 / C | msgs/s / C | timed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, impls in kinds_impls:
        c = lat(kind, base)
        for impl in impls:
            v = lat(kind, impl)
            if v is None:
                continue
            print(f"| {kind} | {impl} | {v[0]:.0f} | {v[1]:.0f} | {v[2]:.0f} | {v[3]:.0f} | "
                  f"{v[0] / c[0]:.2f} | {v[1] / c[1]:.2f} | {v[3] / c[3]:.2f} | {v[4]:.0f} |")


impls = ["c", "panama", "panama-heap", "nio", "junixsocket", "jnr"]
print(f"\n## Ping-pong, one CPU\n")
print(f"1-byte ping-pong between two threads of one process, {meta['rounds']} round trips after a warm-up,")
print("the whole process pinned to CPU 0 (`taskset -c 0`), blocking calls. Lower is better, but for msgs/s.")
print("C warms up for a tenth of its rounds; the Java drivers for as many rounds as they time, or 1 s,")
print("so that the JIT, which shares the one CPU, is done compiling before the timing starts.")
print("`panama-heap` runs over AF_UNIX stream only, the others wherever they have the socket kind.")
print("`unix-dgram-path` is two datagram sockets bound to")
print("paths: each send names the destination (sendto), each receive learns the sender (recvfrom), and")
print("the echo answers whoever sent, as a datagram server does.")
print("`timed` is the median number of round trips timed: each measurement stops after 2 s (and each")
print("warm-up after 1 s) even if it has not made all its rounds, so that load cannot stretch the suite.\n")
kinds_all = ("unix-stream", "unix-seqpacket", "unix-dgram", "unix-dgram-path", "tcp4", "tcp6")
latency_table([(k, impls) for k in kinds_all], "c")

if paired:
    print("\n## C, the library and the peers in one process\n")
    print("The same ping-pong, C's (bench/c/pingpong.c built as a shared library) and the Java ones in one")
    print(f"process pinned to CPU 0 (bench/jmh's `Paired`), in blocks of {meta['paired_rounds']} round trips after 1 s of")
    print(f"warm-up: {meta['paired_blocks']} blocks of each Java implementation, in an order that rotates from round to")
    print("round, with a block of C before and after every one of them. C runs on the calling thread with an")
    print("echo thread of its own; the Java implementations as above. Each ratio to C is the median over the")
    print("blocks of the ratio of a block's p50 (or p99, or msgs/s) to the mean of the two C blocks on either")
    print("side of it, so that a drift of the machine's speed cancels out; the middle half is that of the p50")
    print("ratios. A ratio between two Java implementations is that of their ratios to C. `C alone` is the")
    print("median p50 of the C program's separate runs above, for comparison. The round-trip, NIO and peer")
    print("targets are judged on these, where they ran here: between separate processes, even C's own p50")
    print("moved by more than the 5% to be judged, as the spread column shows (the lowest and highest p50 of")
    print("C's runs above, as a ratio). The `-busy` rows are the busy-poll variant of the section below,")
    print("measured the same way but unpinned, each thread pinning itself: the timing thread to CPU 0, every")
    print("echo to CPU 1; only the implementation being measured spins, the others' receives sleep between")
    print("looks (C's `c-busy` is their baseline).\n")
    print("| workload | implementation | C p50 ns | p50 ns | p50 / C | middle half | p99 / C | msgs/s / C | blocks "
          "| C alone p50 ns | spread of C's own runs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (kind, impl) in paired:
        if impl == c_of(impl):
            continue
        r50, q1, q3 = middle(c_ratios(paired, (kind, impl), 0))
        runs = [r[0] for r in latency.get((kind, c_of(impl)), [])]
        spread = f"{max(runs) / min(runs):.2f}" if runs else "n/a"
        alone = f"{statistics.median(runs):.0f}" if runs else "n/a"
        print(f"| {kind} | {impl} | {block_median(paired, (kind, c_of(impl)), 0):.0f} | "
              f"{block_median(paired, (kind, impl), 0):.0f} | {r50:.2f} | {q1:.2f} to {q3:.2f} | "
              f"{pair(kind, impl, 1):.2f} | {pair(kind, impl, 2):.2f} | {len(paired[(kind, impl)])} | {alone} | {spread} |")
if paired and any(impl == "ffm" for _, impl in paired):
    print("\n### What the library adds to the FFM floor\n")
    print("The same blocks, read as the library's share: `ffm` makes C's system calls, with C's flags, by raw")
    print("downcalls, so `ffm / C` is what any binding made with the FFM API pays before it does anything,")
    print("and `library / ffm` what the library's own code adds to a round trip. A shared socket's calls each")
    print("claim and free a direction with two atomic instructions (the compare-and-set and add of")
    print("`EmptyCall.claimAndRelease` below), four calls to a round trip; confined sockets skip them. On Unix")
    print("datagram and seqpacket sockets the library also sends with MSG_DONTWAIT through a critical downcall,")
    print("so that close can wake a sender where shutdown(2) would not, and receives with MSG_TRUNC, so that")
    print("no message is cut silently; `ffm-flags` is the floor with those flags and that linkage, so")
    print("`library / ffm-flags` is what the library's Java code alone adds there. Each send and receive")
    print("also makes one call the floor does not: the library's send0 and recv0 are compiled apart from")
    print("their callers, so that no depth of the caller's code makes them allocate (see Allocation per")
    print("call). Where the middle half of a row above is wide, so is the noise in these ratios.\n")
    print("| workload | ffm / C | ffm-flags / C | library / C | library / ffm | library / ffm-flags | confined / C |")
    print("|---|---|---|---|---|---|---|")
    for kind in kinds_all:
        floor_, lib = pair(kind, "ffm"), pair(kind, "panama")
        if floor_ is None or lib is None:
            continue
        conf, flags = pair(kind, "panama-confined"), pair(kind, "ffm-flags")
        print(f"| {kind} | {floor_:.2f} | {na(flags)} | {lib:.2f} | {lib / floor_:.2f} | "
              f"{na(None if flags is None else lib / flags)} | {na(conf)} |")
print("\n## Busy-poll, two CPUs\n")
print("The same ping-pong with each thread pinned to a CPU of its own (0 and 1) and spinning on a")
print("non-blocking receive: `recv(MSG_DONTWAIT)` in C, the library's `recv` on a socket in non-blocking")
print("mode (it returns `Sock.WOULD_BLOCK` for `EAGAIN`), and a channel in non-blocking mode for NIO,")
print("junixsocket and jnr.\n")
latency_table([("unix-stream", [i + "-busy" for i in impls])], "c-busy")

# ------------------------------------------------------------------------------ bulk



def size_label(size):
    return f"{size // 1024} KiB" if size < 1 << 20 else f"{size >> 20} MiB"


print("\n## Bulk transfer\n")
print(f"Writes of the size shown over a Unix stream pair, {meta['mib_small']} MiB timed for 1 KiB writes and")
print(f"{meta['mib_large']} MiB for the others, drained by a second thread into a 1 MiB native buffer (a direct")
print("buffer for NIO), both threads on CPU 0. A quarter of that volume goes first, untimed; the Java")
print("side goes on warming up for at least 0.5 s, so that the JIT, which shares the one CPU, is done")
print("compiling. Higher is better.\n")
print("| write size | implementation | MB/s | / C | / NIO heap |")
print("|---|---|---|---|---|")
for size in sorted({s for s, _ in bulk}):
    c, nh = mbs(size, "c"), mbs(size, "nio-heap")
    for impl in ["c", "panama", "panama-heap", "nio", "nio-heap"]:
        v = mbs(size, impl)
        if v is not None:
            print(f"| {size_label(size)} | {impl} | {v:.0f} | {v / c:.2f} | {v / nh:.2f} |")
if paired_bulk:
    print("\nThe same transfers, C's (`pingpong_bulk` of bench/c/pingpong.c as a shared library) and the Java")
    print(f"ones in one process pinned to CPU 0 (bench/jmh's `PairedBulk`), after 1 s of warm-up per write size:")
    print(f"{meta['paired_bulk_blocks']} blocks of each Java implementation, in an order that rotates from round to round,")
    print("with a block of C before and after every one of them. Each block is a new connection: a quarter of")
    print("the volume untimed, then the volume timed (" + ", ".join(
        f"{int(v.split(':')[1])} MiB for {size_label(int(v.split(':')[0]))} writes" for v in meta["paired_bulk"].split())
        + "). Each ratio to C is the median over the blocks of a block's throughput to the mean of the")
    print("two C blocks on either side; the middle half is of those ratios; `/ NIO heap` is the ratio of the")
    print("two implementations' ratios to C. The bulk targets are judged on these.\n")
    print("| write size | implementation | C MB/s | MB/s | / C | middle half | / NIO heap | blocks |")
    print("|---|---|---|---|---|---|---|---|")
    for (size, impl) in paired_bulk:
        if impl == "c":
            continue
        rc, q1, q3 = middle(c_ratios(paired_bulk, (size, impl), 0))
        rnh = relative(paired_bulk, (size, impl), (size, "nio-heap"), 0)
        print(f"| {size_label(size)} | {impl} | {block_median(paired_bulk, (size, 'c'), 0):.0f} | "
              f"{block_median(paired_bulk, (size, impl), 0):.0f} | {rc:.2f} | {q1:.2f} to {q3:.2f} | {rnh:.2f} "
              f"| {len(paired_bulk[(size, impl)])} |")

# ------------------------------------------------------------------------------ netlink

print("\n## Netlink dump\n")
print(f"An RTM_GETLINK dump of this machine's links over one NETLINK_ROUTE socket, {meta['dumps']} dumps")
print("after a warm-up, pinned to CPU 0: C parsing each reply into the fields of `RtnlLink`, against")
print("`RouteNetlink.links()`. Lower is better, but for dumps/s.\n")
print("| implementation | p50 ns | p99 ns | p99.9 ns | dumps/s | p50 / C | dumps/s / C | timed |")
print("|---|---|---|---|---|---|---|---|")
c = lat("netlink-getlink", "c")
for impl in ["c", "panama"]:
    v = lat("netlink-getlink", impl)
    if v is not None:
        print(f"| {impl} | {v[0]:.0f} | {v[1]:.0f} | {v[2]:.0f} | {v[3]:.0f} | {v[0] / c[0]:.2f} | {v[3] / c[3]:.2f} "
              f"| {v[4]:.0f} |")

# ------------------------------------------------------------------------------ JMH

print("\n## Per-call cost\n")
print("JMH (bench/jmh), one thread, not pinned. Each sample times a loop of calls, and the figure is")
print("the median sample in ns per call, ± half the spread of the iterations' medians: the mean would")
print("also count the time the thread was preempted on this shared machine. The raw side is an")
print("`invokeExact` of a downcall handle linked as the library links it (`captureCallState(\"errno\")`,")
print("and `Linker.Option.critical(true)` for the calls that cannot block: getsockopt and MSG_DONTWAIT receives),")
print("making the same calls with the same arguments and checks.\n")
print("`EmptyCall` replaces getsockopt, send and recv, under the library and under the raw handles alike,")
print("with the empty C functions of bench/c/empty_calls.c, so that no system call hides the difference.")
print("`CallCost` makes the real system calls.\n")
print("| operation | library ns | raw invokeExact ns | added by the library | library B/op |")
print("|---|---|---|---|---|")
for label, a, b in [("empty getsockopt, `Sock.getInt`", "EmptyCall.getsockoptWrapper", "EmptyCall.getsockoptRaw"),
                    ("empty send, `Sock.send(MemorySegment)`", "EmptyCall.sendWrapper", "EmptyCall.sendRaw"),
                    ("empty recv, `Sock.recv(MemorySegment)`", "EmptyCall.recvWrapper", "EmptyCall.recvRaw"),
                    ("empty getsockopt, confined socket", "EmptyCall.getsockoptConfined", "EmptyCall.getsockoptRaw"),
                    ("empty send, confined socket", "EmptyCall.sendConfined", "EmptyCall.sendRaw"),
                    ("empty recv, confined socket", "EmptyCall.recvConfined", "EmptyCall.recvRaw"),
                    ("getsockopt(SO_TYPE), `Sock.getInt`", "CallCost.getsockoptWrapper", "CallCost.getsockoptRaw"),
                    ("1-byte send + recv on a Unix stream pair", "CallCost.sendRecvWrapper", "CallCost.sendRecvRaw"),
                    ("the same on a confined pair", "CallCost.sendRecvConfined", "CallCost.sendRecvRaw"),
                    ("1-byte sendTo + recvFrom between Unix datagram sockets bound to paths",
                     "CallCost.sendToRecvFromWrapper", "CallCost.sendToRecvFromRaw"),
                    ("an empty non-blocking receive (`recv` in non-blocking mode; EAGAIN)",
                     "CallCost.pollEmptyWrapper", "CallCost.pollEmptyRaw"),
                    ("the same through `recvmsg` with `MsgFlags.DONTWAIT`, against a raw recv",
                     "CallCost.pollEmptyRecvmsgWrapper", "CallCost.pollEmptyRaw"),
                    ("the same, against a raw recvmsg on a msghdr made once",
                     "CallCost.pollEmptyRecvmsgWrapper", "CallCost.pollEmptyRecvmsgRaw")]:
    if a in jmh and b in jmh:
        d, e = diff(a, b)
        print(f"| {label} | {ns(a):.0f} ± {jmh[a][1]:.0f} | {ns(b):.0f} ± {jmh[b][1]:.0f} | {d:+.0f} ± {e:.0f} ns "
              f"| {jmh[a][2]:.1f} |")
for label, a, b in [("Capturing errno costs", "EmptyCall.getsockoptRawTransition", "EmptyCall.getsockoptRawNoErrno"),
                    ("`Linker.Option.critical` saves", "EmptyCall.getsockoptRawTransition", "EmptyCall.getsockoptRaw")]:
    if a in jmh and b in jmh:
        d, e = diff(a, b)
        print(f"\n{label} {d:+.0f} ± {e:.0f} ns a call (raw empty getsockopt, with and without).", end="")
if "EmptyCall.claimAndRelease" in jmh:
    print(f"\nA shared socket's claim and release of a direction alone, the compare-and-set and atomic add "
          f"on one uncontended word that the confined rows skip (`EmptyCall.claimAndRelease`), cost "
          f"{ns('EmptyCall.claimAndRelease'):.0f} ± {jmh['EmptyCall.claimAndRelease'][1]:.0f} ns a call.", end="")
    print(" On a shared socket some full fence per call cannot be avoided by a library that never uses a")
    print("closed or reused descriptor: a call must publish that it is in flight and then see whether close")
    print("has begun, a store and then a load that x86 reorders unless a locked instruction or a fence is")
    print("between them. A membarrier(2) on the closing side could stand for that fence, but only if the")
    print("compiler keeps the store before the load, and Java has no ordering weaker than a full fence that")
    print("promises it; a scheme resting on what C2 happens to do would not be safe. `Sock.confine()` is the")
    print("way to the bound: a confined socket's calls need no claim.", end="")
print()

print("\n## Allocation per call\n")
print("JMH `-prof gc` (`Alloc`): `gc.alloc.rate.norm` in bytes per operation, the median of the")
print("iterations but the last, which also counts what JMH allocates as the fork ends. Each operation is")
print("one 1-byte library call; the other end is fed or drained with raw downcalls that allocate nothing.")
print("send, recv, sendmsg and recvmsg run on a Unix stream pair, sendTo and recvFrom on UDP over")
print("127.0.0.1. sendmsg and recvmsg pass no control data (`List.of()`, `ControlSpec.NONE`) and a buffer")
print("array made once. Results are consumed as their length only, so a result object counts only where")
print("escape analysis cannot remove it. JMH calls from 1 or 2 calls below the method it compiles; the test")
print("AllocationDeepTest calls from 12 below, and finds nothing allocated there either. Before send0 and")
print("recv0 were compiled apart, a caller 3 or more calls deep allocated 40 bytes a call: the slice of")
print("the capture segment that every errno-capturing downcall makes lay deeper than C2 inlines.\n")
print("| call | byte[] | direct ByteBuffer | native MemorySegment |")
print("|---|---|---|---|")
for p in paths:
    print(f"| {p} | " + " | ".join(f"{allocs[(p, k)]:.2f}" for k in kinds) + " |")
print(f"\nFor scale, `baseline`, the raw feed and drain without a library call, measured {floor:.2f} B/op:")
print("what the harness itself allocates, spread over the operations of an iteration. `Sock.getInt`")
print(f"(`EmptyCall.getsockoptWrapper`) measured {jmh.get('EmptyCall.getsockoptWrapper', (0, 0, float('nan')))[2]:.1f} B/op.")
