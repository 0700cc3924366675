#!/usr/bin/env bash
# Complete latency of the submitted word count against the offered rate:
# where the p99 leaves a bound, and how busy the machine is by then.
#
# Usage: bench/latency_sweep.sh RATE... [--seconds S] [--warmup S]
#                                       [-c KEY=VALUE ...]
#   RATE          sentences/s the spout is held at; "0" runs it as fast as
#                 it can; a fraction such as "0.5x" is that share of the
#                 rate the first "0" run of the same sweep reached
#   --seconds S   how long each rate is measured (default 10)
#   --warmup S    seconds after submit left out of the window (default 4)
#   -c KEY=VALUE  more configuration for `gale submit`
# Environment: BUILD_DIR (default build; needs gale and gale_bench built,
# e.g. by bench/run.sh), OUT (default bench/out/sweep).
#
# Each rate submits bench/wordcount-bench.yaml as 2 containers with acking on
# and max.spout.pending 2000 (gale-mp-p2k of bench/run.sh), the spout logging
# every tree (BenchSentenceSpout `latency.log`, `latency.log.min.ms` 0). The
# percentiles are over the trees acked inside the window, so start-up and
# shutdown are left out (bench/run.sh reports whole runs); `cores` is the
# CPU of every process of the topology over the same window. Prints the
# gaps gale_bench_cpu_gaps finds in 3 s, then one line per rate.

set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }
seconds=10
warmup=4
rates=()
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    -c) extra+=(-c "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *)
      if [[ "$1" =~ ^[0-9]+$ ]]; then
        rates+=("$1"); shift
      elif [[ "$1" =~ ^0?\.[0-9]+x$|^1x$ ]]; then
        if [[ " ${rates[*]} " != *" 0 "* ]]; then
          echo "latency_sweep.sh: $1 needs a run at rate 0 before it" >&2
          exit 2
        fi
        rates+=("$1"); shift
      else
        echo "latency_sweep.sh: '$1' is neither a rate nor an option (see --help)" >&2
        exit 2
      fi ;;
  esac
done
if (( ${#rates[@]} == 0 )); then usage >&2; exit 2; fi
for n in "$seconds" "$warmup"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "latency_sweep.sh: '$n' is not a whole number of seconds > 0" >&2; exit 2; }
done
bench_need latency_sweep.sh python3:python3
bench_paths latency_sweep.sh bench/out/sweep

state=""
kill_topology() {
  [[ -n "$state" ]] || return 0
  "$GALE" --state-dir "$state" kill wordcount-bench --wait 10 >>"$OUT/stdout" 2>&1 || true
  state=""
}
trap kill_topology EXIT

# Inside the window nothing is started: on a small virtual machine a new
# process (a python3 start-up above all) stalls the topology for up to a
# second. The window is found from bash's own clock, set beside the
# steady clock the spout logs by one python3 call before the submit; the
# waits are `read -t` on a descriptor that never has data; the CPU is read
# from /proc with builtins, into variables (a command substitution forks).
exec {never}<> <(:)
wait_s() { read -r -t "$1" -u "$never" _ || true; }
# now_us VAR: microseconds of the wall clock.
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
readonly TICK="$(getconf CLK_TCK)"
# cpu_ticks VAR: CPU ticks (user + system) of the processes in pids.
cpu_ticks() {
  local total=0 pid line f
  for pid in "${pids[@]}"; do
    [[ -r "/proc/$pid/stat" ]] && read -r line <"/proc/$pid/stat" || continue
    read -ra f <<<"${line##*) }"
    total=$((total + f[11] + f[12]))
  done
  printf -v "$1" '%s' "$total"
}

# How much of the CPUs the machine itself takes away just now (see
# bench/cpu_gaps.cc): the tail depends on it as much as on gale.
if [[ -x "$BUILD_DIR/bench/gale_bench_cpu_gaps" ]]; then
  echo "before the runs: $("$BUILD_DIR/bench/gale_bench_cpu_gaps" --seconds 3 | tail -n 1)"
fi
saturated=""
printf '%-10s %10s %7s %8s %8s %8s %8s %9s\n' offered trees/s cores mean-ms p50-ms p99-ms \
  p999-ms "over-2ms"
for spec in "${rates[@]}"; do
  rate="$spec"
  if [[ "$spec" == *x ]]; then
    rate=$(awk -v f="${spec%x}" -v s="$saturated" 'BEGIN { printf "%d", f * s }')
  fi
  dir="$OUT/rate-$spec"
  mkdir -p "$dir"
  state="$dir/st"
  mono_ns=$(python3 -c 'import time; print(time.monotonic_ns())')
  now_us start_us
  BENCH_OUT="$dir" "$GALE" --state-dir "$state" submit bench/wordcount-bench.yaml \
    --lib "$PLUGIN" --env-filter -c topology.workers=2 -c topology.acking=true \
    -c topology.max.spout.pending=2000 -c rate="$rate" \
    -c latency.log="$dir/latency-{task}.txt" -c latency.log.min.ms=0 "${extra[@]}" \
    >>"$OUT/stdout" 2>&1 || { echo "latency_sweep.sh: submit failed; see $OUT/stdout" >&2; exit 1; }
  # The processes, early in the warm-up: what this starts settles before the
  # window.
  "$GALE" --state-dir "$state" status wordcount-bench --json >"$dir/status.json"
  mapfile -t pids < <(grep -o '"pid":[0-9]*' "$dir/status.json" | cut -d: -f2 | sort -u)
  wait_s "$warmup"
  now_us from_us
  cpu_ticks ticks_from
  wait_s "$seconds"
  now_us to_us
  cpu_ticks ticks_to
  kill_topology
  from_ns=$((mono_ns + (from_us - start_us) * 1000))
  to_ns=$((mono_ns + (to_us - start_us) * 1000))
  cpu_from=$(awk -v t="$ticks_from" -v h="$TICK" 'BEGIN { print t / h }')
  cpu_to=$(awk -v t="$ticks_to" -v h="$TICK" 'BEGIN { print t / h }')
  line=$(python3 - "$from_ns" "$to_ns" "$cpu_from" "$cpu_to" "$dir"/latency-*.txt <<'EOF'
import sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
cores = (float(sys.argv[4]) - float(sys.argv[3])) / ((hi - lo) / 1e9)
lat = []
for path in sys.argv[5:]:
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            ack, ns = line.split()
            if lo <= int(ack) < hi:
                lat.append(int(ns))
if not lat:
    sys.exit("no tree was acked inside the window")
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1e6
over = sum(1 for v in lat if v > 2_000_000) / len(lat)
print("%d %.2f %.3f %.3f %.3f %.3f %.2f%%" % (
    len(lat) / ((hi - lo) / 1e9), cores, sum(lat) / len(lat) / 1e6, q(0.5), q(0.99), q(0.999),
    100 * over))
EOF
  ) || { echo "latency_sweep.sh: rate $spec: no latency in the window; see $dir" >&2; exit 1; }
  read -r per_s cores mean p50 p99 p999 over <<<"$line"
  printf '%-10s %10s %7s %8s %8s %8s %8s %9s\n' "$spec" "$per_s" "$cores" "$mean" "$p50" "$p99" \
    "$p999" "$over"
  if [[ "$spec" == 0 && -z "$saturated" ]]; then saturated="$per_s"; fi
done
trap - EXIT
