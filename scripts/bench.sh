#!/usr/bin/env bash
# Ping-pong latency and bulk throughput of panama-sockets against C and JDK NIO, measured side by
# side in one run.
#
#   scripts/bench.sh [ROUNDS] [RUNS]     (defaults: 200000 rounds, 5 runs)
#
# Every implementation runs on CPU 0 only (taskset -c 0), so a round trip measures the socket
# path rather than a wake-up across CPUs. The runs are interleaved (C, then each Java variant,
# then C again ...), and the median of the runs is reported as a ratio to C's median from the
# same run. Writes docs/BENCHMARKS.md. Needs gcc, taskset and a JDK 25.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-200000}
runs=${2:-5}
source "$root/scripts/find-jdk.sh"
find_jdk

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && mvn -B -q package -DskipTests -DbuildDir="$work/target")
jar=$(ls "$work"/target/panama-sockets-*.jar | grep -v -e sources -e javadoc)
gcc -O2 -Wall -Werror -pthread -o "$work/pingpong" "$root/bench/c/pingpong.c"
"$JDK/bin/javac" -p "$jar" --add-modules io.github.panamasockets -d "$work/cls" "$root/bench/java/PingPong.java"
java=("$JDK/bin/java" --enable-native-access=io.github.panamasockets -p "$jar"
      --add-modules io.github.panamasockets -cp "$work/cls" PingPong)

kinds=(unix-stream unix-seqpacket unix-dgram tcp4 tcp6)
bulks=(bulk-1024 bulk-65536 bulk-1048576)
results=$work/results
bulk_results=$work/bulk
: > "$results"
: > "$bulk_results"
for run in $(seq "$runs"); do
  for bulk in "${bulks[@]}"; do
    taskset -c 0 "$work/pingpong" "$bulk" 2048 >> "$bulk_results"
    for impl in panama panama-heap nio nio-heap; do
      taskset -c 0 "${java[@]}" "$bulk" "$impl" 2048 >> "$bulk_results"
    done
  done
  for kind in "${kinds[@]}"; do
    taskset -c 0 "$work/pingpong" "$kind" "$rounds" | sed 's/^\([^ ]*\) /\1 c /' >> "$results"
    for impl in panama panama-heap nio; do
      [ "$impl" = nio ] && [ "$kind" != unix-stream ] && [ "${kind#tcp}" = "$kind" ] && continue
      taskset -c 0 "${java[@]}" "$kind" "$impl" "$rounds" >> "$results"
    done
  done
  echo "run $run of $runs done" >&2
done

mkdir -p "$root/docs"
python3 - "$results" "$rounds" "$runs" "$bulk_results" > "$root/docs/BENCHMARKS.md" <<'PY'
import statistics, sys, platform, subprocess, datetime
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
med = {}
for kind, impl, p50, p99, p999, mps in rows:
    med.setdefault((kind, impl), []).append((int(p50), int(p99), int(p999), float(mps)))
def m(kind, impl, i):
    return statistics.median(v[i] for v in med[(kind, impl)])
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
print("# Benchmarks\n")
print(f"Ping-pong of 1 byte, {sys.argv[2]} round trips after a warm-up, both ends pinned to CPU 0,")
print(f"median of {sys.argv[3]} interleaved runs. Ratios are to C in the same run (lower is better for")
print("latency, higher for msgs/s). `panama` sends from native memory, `panama-heap` from a `byte[]`.\n")
print(f"- Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} CPUs, Linux {platform.release()}")
print(f"- Date: {datetime.date.today()}")
print(f"- Command: `scripts/bench.sh {sys.argv[2]} {sys.argv[3]}`\n")
print("| workload | implementation | p50 ns | p99 ns | p99.9 ns | msgs/s | p50 / C | p99 / C | msgs/s / C |")
print("|---|---|---|---|---|---|---|---|---|")
for kind in dict.fromkeys(k for k, _ in med):
    c = [m(kind, 'c', i) for i in range(4)]
    for impl in ['c', 'panama', 'panama-heap', 'nio']:
        if (kind, impl) not in med:
            continue
        v = [m(kind, impl, i) for i in range(4)]
        print(f"| {kind} | {impl} | {v[0]:.0f} | {v[1]:.0f} | {v[2]:.0f} | {v[3]:.0f} | "
              f"{v[0]/c[0]:.2f} | {v[1]/c[1]:.2f} | {v[3]/c[3]:.2f} |")
bulk = {}
for line in open(sys.argv[4]):
    if line.strip():
        kind, impl, mbs = line.split()
        bulk.setdefault((kind, impl), []).append(float(mbs))
print("\nBulk transfer over a Unix stream pair, 2 GiB in writes of the size shown, both threads on")
print("CPU 0. `panama` and `nio` write from native memory (a direct buffer for NIO), `-heap` from a")
print("`byte[]` or heap buffer. Higher is better.\n")
print("| write size | implementation | MB/s | / C | / NIO heap |")
print("|---|---|---|---|---|")
for kind in dict.fromkeys(k for k, _ in bulk):
    c = statistics.median(bulk[(kind, 'c')])
    nh = statistics.median(bulk[(kind, 'nio-heap')])
    for impl in ['c', 'panama', 'panama-heap', 'nio', 'nio-heap']:
        v = statistics.median(bulk[(kind, impl)])
        print(f"| {kind[5:]} | {impl} | {v:.0f} | {v/c:.2f} | {v/nh:.2f} |")
PY
cat "$root/docs/BENCHMARKS.md"
