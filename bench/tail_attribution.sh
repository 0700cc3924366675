#!/usr/bin/env bash
# The slow trees of the submitted word count, set beside the CPU time other
# programs took on this machine at the same moments.
#
# Usage: bench/tail_attribution.sh RATE [--seconds S] [--before-ms MS]
#                                    [--after-ms MS] [-c KEY=VALUE ...]
#   RATE          sentences/s the spout is held at (0: as fast as it can)
#   --seconds S   how long the context switches are traced (default 8),
#                 after 5 s of warm-up
#   --before-ms MS, --after-ms MS
#                 a tree is "near" a preemption when emitted from MS before
#                 it began (default 1) to MS after it ended (default 5)
#   -c KEY=VALUE  more configuration for `gale submit`
# Environment: BUILD_DIR (default build; needs gale and gale_bench built,
# e.g. by bench/run.sh), OUT (default bench/out/tail).
#
# Submits bench/wordcount-bench.yaml as 2 containers with acking on and
# max.spout.pending 2000 (gale-mp-p2k-rate of bench/run.sh), the spout
# logging the complete latency of its slow trees (BenchSentenceSpout
# `latency.log`), traces every context switch of the machine with
# `perf record -e sched:sched_switch -a` (needs root, perf and python3:
# apt-get install linux-perf python3), kills the topology and prints what
# bench/tail_attribution.py finds: which other threads took a CPU for 0.5 ms
# or more, and how many of the slow trees were emitted next to that. A
# stretch in which the hypervisor did not run a CPU at all leaves no trace
# there (see gale_bench_cpu_gaps for how often that happens).

set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }
[[ $# -ge 1 && "$1" =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }
rate="$1"; shift
seconds=8
extra=()
window=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --before-ms|--after-ms) window+=("$1" "$2"); shift 2 ;;
    -c) extra+=(-c "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "tail_attribution.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
bench_need tail_attribution.sh perf:linux-perf python3:python3
bench_paths tail_attribution.sh bench/out/tail
readonly STATE="$OUT/st"

kill_topology() {
  "$GALE" --state-dir "$STATE" kill wordcount-bench --wait 10 >>"$OUT/stdout" 2>&1 || true
}
trap kill_topology EXIT

BENCH_OUT="$OUT" "$GALE" --state-dir "$STATE" submit bench/wordcount-bench.yaml \
  --lib "$PLUGIN" --env-filter -c topology.workers=2 -c topology.acking=true \
  -c topology.max.spout.pending=2000 -c rate="$rate" \
  -c latency.log="$OUT/latency-{task}.txt" "${extra[@]}" >"$OUT/stdout" 2>&1
sleep 5
"$GALE" --state-dir "$STATE" status wordcount-bench --json >"$OUT/status.json"
for pid in $(grep -o '"pid":[0-9]*' "$OUT/status.json" | cut -d: -f2 | sort -u); do
  ls "/proc/$pid/task" 2>/dev/null || true
done >"$OUT/topology-tids.txt"
# The spout's steady clock is CLOCK_MONOTONIC; perf's timestamps follow it.
perf record -q -k CLOCK_MONOTONIC -e sched:sched_switch -a -o "$OUT/sched.data" \
  -- sleep "$seconds" >/dev/null 2>&1
kill_topology
trap - EXIT
perf script -i "$OUT/sched.data" -F cpu,time,trace >"$OUT/sched.txt" 2>/dev/null
shopt -s nullglob
logs=("$OUT"/latency-*.txt)
if (( ${#logs[@]} == 0 )); then
  echo "tail_attribution.sh: the spout wrote no latency log; see $OUT/stdout" >&2
  exit 1
fi
echo "rate $rate sentences/s, $(cat "$OUT"/count-*.txt 2>/dev/null | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if (v["secs"] > 0) s += v["words"] / v["secs"] }
  END { printf "%.2f M words/s counted", s / 1e6 }')"
python3 bench/tail_attribution.py --sched "$OUT/sched.txt" --latency "${logs[@]}" \
  --topology-tids "$OUT/topology-tids.txt" "${window[@]}"
