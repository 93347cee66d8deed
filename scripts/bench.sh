#!/usr/bin/env bash
# The benchmark suite: panama-sockets against a C baseline, JDK NIO, junixsocket and
# jnr-unixsocket, measured side by side in one run, written to docs/BENCHMARKS.md.
#
#   scripts/bench.sh [--quick] [ROUNDS] [RUNS]
#
#   ROUNDS   ping-pong round trips per measurement after the warm-up (default 200000; quick 20000)
#   RUNS     interleaved runs, of which the median is reported (default 5; quick 2)
#   --quick  a smoke run of a few minutes: fewer rounds and runs, less bulk data, short JMH runs
#
# BENCH_RESULTS=DIR keeps the raw results (one line per measurement, JMH's JSON and log) in DIR.
#
# What runs, each implementation once per run, in an order that rotates from run to run:
#   - 1-byte ping-pong over AF_UNIX stream, seqpacket and datagram pairs, datagram sockets bound
#     to paths (sendto and recvfrom), and TCP over 127.0.0.1 and ::1, the whole process pinned to
#     CPU 0 (taskset -c 0): C (bench/c/pingpong.c), the library from native memory (and over
#     AF_UNIX stream also from byte[]), NIO, junixsocket and jnr-unixsocket, each where it has
#     the socket kind;
#   - the busy-poll variant on two CPUs: each end pinned to a CPU of its own and spinning on a
#     non-blocking receive (MSG_DONTWAIT), over AF_UNIX stream;
#   - bulk transfer over a Unix stream pair in writes of 1 KiB, 64 KiB and 1 MiB, pinned to CPU 0;
#   - an RTM_GETLINK netlink dump, C (bench/c/netlink_dump.c) against RouteNetlink.links(),
#     pinned to CPU 0;
# then, once, the same ping-pong of C, the library and the peers in one process, in alternating
# blocks (bench/jmh's Paired), so that all see the same state of the machine, the library also
# with confined sockets and from byte[], beside raw FFM downcalls with no library around them
# (on Unix seqpacket and datagram sockets also with the library's flags and linkage); the
# same for the busy-poll variant and for the bulk transfer (bench/jmh's PairedBulk); and the JMH
# benchmarks of bench/jmh with -prof gc: the library's calls against raw invokeExact downcalls,
# with real system calls and with empty C functions in their place (bench/c/empty_calls.c), and
# bytes allocated per call on each data path.
#
# The library is built from this checkout into a temporary directory, and the benchmark project
# compiles against that jar; nothing is installed into ~/.m2. Needs gcc, taskset, python3, Maven
# and a JDK 25 (Maven itself may run on an older JDK). On two otherwise idle CPUs a full run took
# 9 min 21 s (12 min 36 s in an earlier run, where C's round trips took twice as long); a quick
# one takes about 5 minutes. Each latency measurement is bounded in time (see bench/jmh's Rounds),
# so load slows a run down only so far.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quick=false
if [ "${1:-}" = --quick ]; then
  quick=true
  shift
fi
if $quick; then
  rounds=${1:-20000}; runs=${2:-2}; dumps=2000; mib_small=32; mib_large=256; paired_rounds=2000; paired_blocks=8
  paired_bulk=(1024:8 65536:64 1048576:64); paired_bulk_blocks=6
  # Shorter, but still long enough for C2 to compile the paths: before it, allocation is counted
  # that escape analysis removes.
  jmh_calls=(-wi 2 -w 500ms -i 2 -r 500ms -f 1)
  jmh_alloc=(-wi 2 -w 500ms -i 2 -r 500ms -f 1)
else
  rounds=${1:-200000}; runs=${2:-5}; dumps=20000; mib_small=128; mib_large=2048; paired_rounds=10000
  paired_blocks=12
  paired_bulk=(1024:32 65536:256 1048576:256); paired_bulk_blocks=24
  jmh_calls=(-wi 1 -w 1s -i 3 -r 1s -f 1)
  jmh_alloc=(-wi 2 -w 1s -i 2 -r 500ms -f 1)
fi
command="scripts/bench.sh$($quick && echo ' --quick' || true) $rounds $runs"
for tool in gcc taskset python3 mvn; do
  command -v "$tool" > /dev/null || { echo "error: $tool is needed" >&2; exit 1; }
done
source "$root/scripts/find-jdk.sh"
find_jdk
began=$(date +%s)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building the library and the benchmarks in $work" >&2
# Maven's output goes to a log, shown only if a build fails.
build() {
  "$@" > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
}
build mvn -B -q -f "$root/pom.xml" package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
    -DbuildDir="$work/lib"
jar=$(ls "$work"/lib/panama-sockets-*.jar | grep -v -e sources -e javadoc)
build mvn -B -q -f "$root/bench/jmh/pom.xml" package dependency:build-classpath -Dpanama.jar="$jar" \
    -DbuildDir="$work/bench" -Dmdep.outputFile="$work/classpath"
classpath="$work/bench/classes:$(cat "$work/classpath")"
gcc -O2 -Wall -Werror -pthread -o "$work/pingpong" "$root/bench/c/pingpong.c"
gcc -O2 -Wall -Werror -pthread -shared -fPIC -DPINGPONG_LIBRARY -o "$work/libpingpong.so" "$root/bench/c/pingpong.c"
gcc -O2 -Wall -Werror -o "$work/netlink_dump" "$root/bench/c/netlink_dump.c"
gcc -O2 -Wall -Werror -shared -fPIC -o "$work/libemptycalls.so" "$root/bench/c/empty_calls.c"
java=("$JDK/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$classpath")

# The load the rest of the machine puts on it while this runs: user and system CPU time of every
# process less that of this script's children, from /proc/stat and /proc/$$/stat (clock ticks),
# and the time the hypervisor took from this machine (steal).
cpu_ticks() { awk '/^cpu / {print $2 + $3 + $4, $9}' /proc/stat; }
own_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }
read -r busy0 steal0 < <(cpu_ticks)
own0=$(own_ticks)
measured=$(date +%s)
echo "built in $(( measured - began )) s" >&2

out=$work/results
mkdir -p "$out"
: > "$out/latency"
: > "$out/bulk"

# measure CMD...: runs one measurement, appending the line it prints to the file named by $sink.
measure() {
  "$@" >> "$sink"
}

# The implementations, rotated by the run number so that none always goes first.
rotate() {
  local n=$1
  shift
  local all=("$@")
  local k=$(( n % ${#all[@]} ))
  echo "${all[@]:k}" "${all[@]:0:k}"
}

# Who runs where. The byte[] variant runs where its target is, AF_UNIX stream; it adds the
# same copy of one byte to every kind. The whole suite has to fit in 15 minutes on two CPUs.
declare -A peers=(
  [unix-stream]="c panama panama-heap nio junixsocket jnr"
  [unix-seqpacket]="c panama junixsocket"
  [unix-dgram]="c panama junixsocket"
  [unix-dgram-path]="c panama"
  [tcp4]="c panama nio"
  [tcp6]="c panama nio"
)
kinds=(unix-stream unix-seqpacket unix-dgram unix-dgram-path tcp4 tcp6)
busy_peers=(c panama nio junixsocket jnr)

for run in $(seq "$runs"); do
  sink=$out/bulk
  for size in 1024 65536 1048576; do
    mib=$([ "$size" = 1024 ] && echo "$mib_small" || echo "$mib_large")
    for impl in $(rotate "$run" c panama panama-heap nio nio-heap); do
      if [ "$impl" = c ]; then
        measure taskset -c 0 "$work/pingpong" "bulk-$size" "$mib"
      else
        measure taskset -c 0 "${java[@]}" bench.Bulk "$size" "$impl" "$mib"
      fi
    done
  done
  sink=$out/latency
  for kind in "${kinds[@]}"; do
    for impl in $(rotate "$run" ${peers[$kind]}); do
      if [ "$impl" = c ]; then
        measure taskset -c 0 "$work/pingpong" "$kind" "$rounds"
      else
        measure taskset -c 0 "${java[@]}" bench.PingPong "$kind" "$impl" "$rounds"
      fi
    done
  done
  for impl in $(rotate "$run" "${busy_peers[@]}"); do
    if [ "$impl" = c ]; then
      measure "$work/pingpong" unix-stream "$rounds" busy
    else
      measure "${java[@]}" bench.PingPong unix-stream "$impl" "$rounds" busy
    fi
  done
  for impl in $(rotate "$run" c panama); do
    if [ "$impl" = c ]; then
      measure taskset -c 0 "$work/netlink_dump" "$dumps"
    else
      measure taskset -c 0 "${java[@]}" bench.NetlinkDump "$dumps"
    fi
  done
  echo "run $run of $runs done ($(( $(date +%s) - began )) s)" >&2
done

echo "C, the library and the peers paired in one process" >&2
# unix-dgram-path last: in C it switches every later round trip to sendto and recvfrom.
taskset -c 0 "${java[@]}" bench.Paired "$work/libpingpong.so" "$paired_rounds" "$paired_blocks" \
    unix-stream+heap+confined+ffm+nio+junixsocket+jnr unix-seqpacket+confined+ffm+ffm-flags+junixsocket \
    unix-dgram+confined+ffm+ffm-flags+junixsocket tcp4+confined+ffm+nio tcp6+confined+ffm+nio \
    unix-dgram-path+confined+ffm \
    > "$out/paired"
echo "the busy-poll variant paired in one process" >&2
# Unpinned: the timing thread pins itself to CPU 0, the echo threads to CPU 1.
"${java[@]}" bench.Paired "$work/libpingpong.so" "$paired_rounds" "$paired_blocks" busy \
    unix-stream+nio+junixsocket+jnr > "$out/paired-busy"
echo "bulk transfer of C and the library paired in one process" >&2
taskset -c 0 "${java[@]}" bench.PairedBulk "$work/libpingpong.so" "$paired_bulk_blocks" "${paired_bulk[@]}" \
    > "$out/paired-bulk"

echo "JMH: per-call cost, then allocation" >&2
BENCH_EMPTY_CALLS="$work/libemptycalls.so" "${java[@]}" org.openjdk.jmh.Main "${jmh_calls[@]}" -prof gc \
    -rf json -rff "$out/jmh-calls.json" 'bench\.(CallCost|EmptyCall)\.' > "$out/jmh-calls.log"
"${java[@]}" org.openjdk.jmh.Main "${jmh_alloc[@]}" -prof gc -rf json -rff "$out/jmh-alloc.json" \
    'bench\.Alloc\.' > "$out/jmh-alloc.log"

read -r busy1 steal1 < <(cpu_ticks)
own1=$(own_ticks)
ended=$(date +%s)
cat > "$out/meta" <<EOF
command=$command
rounds=$rounds
runs=$runs
dumps=$dumps
mib_small=$mib_small
mib_large=$mib_large
paired_rounds=$paired_rounds
paired_blocks=$paired_blocks
paired_bulk=${paired_bulk[*]}
paired_bulk_blocks=$paired_bulk_blocks
jmh_calls=${jmh_calls[*]}
jmh_alloc=${jmh_alloc[*]}
measured_seconds=$(( ended - measured ))
total_seconds=$(( ended - began ))
others_ticks=$(( busy1 - busy0 - (own1 - own0) ))
steal_ticks=$(( steal1 - steal0 ))
ticks_per_second=$(getconf CLK_TCK)
java=$("$JDK/bin/java" -version 2>&1 | head -1)
gcc=$(gcc --version | head -1)
EOF
if [ -n "${BENCH_RESULTS:-}" ]; then
  mkdir -p "$BENCH_RESULTS" && cp -r "$out"/. "$BENCH_RESULTS"/
fi
mkdir -p "$root/docs"
python3 "$root/bench/report.py" "$out" > "$root/docs/BENCHMARKS.md"
cat "$root/docs/BENCHMARKS.md"
echo "wrote docs/BENCHMARKS.md in $(( ended - began )) s" >&2
