#!/usr/bin/env bash
# Word-count benchmark: the plain C++ baseline and gale local mode, on the
# same workload (bench/workload.h), one after the other on this machine.
#
# Usage: bench/run.sh [--duration S] [--rate N] [--only REGEX] [--no-build] [--record]
#   --duration S  seconds per run (default 15; the first 2 s are warm-up)
#   --only REGEX  only the runs whose name matches (bash regex), e.g.
#                 '^gale-mp-p2k(-tcp|-plain)?$' ("micro": the micro-benchmarks,
#                 "cpu-gaps": the machine's own CPU gaps);
#                 not with --record
#   --rate N      sentences/s of the fixed-load latency run (default: half the
#                 rate the acking run with max.spout.pending 10000 reached)
#   --no-build    use the existing build/ instead of configuring and building
#   --record      also write the table into bench/RESULTS.md
# Environment: BUILD_DIR (default build), JOBS (default nproc).
#
# Prints a table and writes bench/out/results.json; each run's raw output
# (gale's summary table, per-task stats, timing) stays in bench/out/<run>/.
#
# Per run:
#   words/s   words counted per second, sustained: for gale, the sum over the
#             count tasks of the words each counted after its 2 s warm-up
#             divided by the seconds since (BenchCountBolt's stats files); for
#             the baseline, its own figure after a 1 s warm-up.
#   vs-base   words/s divided by the baseline's.
#   cpu-s     user+sys CPU seconds of the whole process (start-up, warm-up
#             and drain included); cores = cpu-s / wall-s.
#   rss-MB    peak resident set size of the process.
#   lat-*     complete latency of the spout's tuple trees (acking runs only),
#             as printed in gale's summary table; it covers the whole run.
#   lost      tuples emitted (by the spout, by split) that were never
#             executed downstream; 0 unless gale loses tuples or the final
#             drain timed out. A warning is printed if split did not emit
#             exactly 10 words per sentence it executed.

set -euo pipefail

cd "$(dirname "$0")/.."
readonly ROOT="$PWD"
readonly OUT="$ROOT/bench/out"
readonly WARMUP_S=2

duration=15
rate=0
only=""
build=1
record=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --record) record=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$duration" =~ ^[0-9]+$ ]] || (( duration <= WARMUP_S + 1 )); then
  echo "run.sh: --duration wants whole seconds > $((WARMUP_S + 1))" >&2
  exit 2
fi
if ! [[ "$rate" =~ ^[0-9]+$ ]]; then
  echo "run.sh: --rate wants a positive whole number" >&2
  exit 2
fi
readonly rate_given=$rate
if [[ -n "$only" ]] && (( record )); then
  echo "run.sh: --only and --record do not go together (the table would be partial)" >&2
  exit 2
fi

# selected NAME: whether the run NAME is to run (--only).
selected() { [[ -z "$only" || "$1" =~ $only ]]; }

readonly BUILD_DIR="${BUILD_DIR:-build}"
readonly JOBS="${JOBS:-$(nproc)}"
if (( build )); then
  # Only what the benchmark runs, so a broken test elsewhere does not stop it.
  mkdir -p "$BUILD_DIR"
  echo "run.sh: building $BUILD_DIR (log in $BUILD_DIR/bench-build.log)" >&2
  if ! { cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release &&
         cmake --build "$BUILD_DIR" -j "$JOBS" \
           --target gale gale_bench gale_bench_baseline gale_bench_three_hosts \
             gale_bench_cpu_gaps; } \
         >"$BUILD_DIR/bench-build.log" 2>&1
  then
    tail -n 30 "$BUILD_DIR/bench-build.log" >&2
    echo "run.sh: build failed" >&2
    exit 1
  fi
  # The micro-benchmarks exist only where Google Benchmark is installed.
  cmake --build "$BUILD_DIR" -j "$JOBS" --target gale_micro_bench \
    >>"$BUILD_DIR/bench-build.log" 2>&1 || true
fi
readonly GALE="$BUILD_DIR/bin/gale"
readonly BASELINE="$BUILD_DIR/bench/gale_bench_baseline"
readonly PLUGIN="$BUILD_DIR/bench/libgale_bench.so"
readonly THREE_HOSTS="$BUILD_DIR/bench/gale_bench_three_hosts"
readonly CPU_GAPS="$BUILD_DIR/bench/gale_bench_cpu_gaps"
readonly TOPOLOGY="bench/wordcount-bench.yaml"
for f in "$GALE" "$BASELINE" "$PLUGIN" "$CPU_GAPS"; do
  if [[ ! -e "$f" ]]; then
    echo "run.sh: $f is missing; build first (or drop --no-build)" >&2
    exit 1
  fi
done

rm -rf "$OUT"
mkdir -p "$OUT"

# run_timed DIR COMMAND...: runs COMMAND with stdout in DIR/stdout and stderr
# in DIR/stderr, and writes "wall_s cpu_s peak_rss_kb exit_code" to DIR/time.
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e' true 2>/dev/null; then
  run_timed() {
    local dir="$1"; shift
    local rc=0
    /usr/bin/time -f '%e %U %S %M' -o "$dir/time.raw" "$@" \
      >"$dir/stdout" 2>"$dir/stderr" || rc=$?
    # GNU time writes "Command exited with non-zero status N" first then.
    tail -n 1 "$dir/time.raw" |
      awk -v rc="$rc" '{ printf "%s %.2f %s %d\n", $1, $2 + $3, $4, rc }' \
      >"$dir/time"
  }
else
  # No GNU time: CPU from bash's `times` (children's user+sys, before and
  # after; a builtin, so it runs in this shell, not a subshell), peak RSS
  # from VmHWM in /proc, sampled until the process exits.
  children_cpu() {  # FILE holding the output of `times`
    awk 'NR == 2 {
      s = 0
      for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] }
      printf "%.3f\n", s }' "$1"
  }
  run_timed() {
    local dir="$1"; shift
    local start end rc=0 hwm=0 h p
    times >"$dir/times.before"
    start=$(date +%s.%N)
    "$@" >"$dir/stdout" 2>"$dir/stderr" &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      # The process and its children (the command may be a wrapper).
      for p in "$pid" $(cat "/proc/$pid/task/"*/children 2>/dev/null || true); do
        h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
        if [[ -n "$h" ]] && (( h > hwm )); then hwm=$h; fi
      done
      sleep 0.1
    done
    wait "$pid" || rc=$?
    end=$(date +%s.%N)
    times >"$dir/times.after"
    awk -v a="$start" -v b="$end" -v c0="$(children_cpu "$dir/times.before")" \
        -v c1="$(children_cpu "$dir/times.after")" -v m="$hwm" -v rc="$rc" \
      'BEGIN { printf "%.2f %.2f %d %d\n", b - a, c1 - c0, m, rc }' >"$dir/time"
  }
fi

# gale_summary FILE: "key=value ..." from gale's summary table (columns found
# by header name, so added columns do not break it).
gale_summary() {
  awk '
    $1 == "component" { for (i = 1; i <= NF; i++) col[$i] = i; ncol = NF; next }
    # Component rows only: as many fields as the header, a task count.
    ncol == 0 || NF != ncol || $col["tasks"] !~ /^[0-9]+$/ { next }
    {
      id = $1
      emitted[id] = $col["emitted"]; executed[id] = $col["executed"]
      if (id == "sentences") {
        printf "sentences=%s acked=%s failed=%s timed_out=%s ", $col["emitted"], \
          $col["acked"], $col["failed"], $col["timed-out"]
        split("lat-mean lat-p50 lat-p99 lat-p999", names, " ")
        for (k = 1; k <= 4; k++) {
          v = ("" names[k]) in col ? $col[names[k]] : "-"
          sub("ms$", "", v); printf "%s=%s ", names[k], v
        }
      }
      if ("bp-secs" in col) bp += $col["bp-secs"]
    }
    END {
      lost = (emitted["sentences"] - executed["split"]) + \
             (emitted["split"] - executed["count"])
      printf "bp_secs=%.2f split_executed=%s split_emitted=%s lost=%d\n", \
        bp, executed["split"], emitted["split"], lost
    }' "$1"
}

# The table rows and JSON objects of the runs so far; "-" is not applicable.
declare -a rows
baseline_wps=0
json_runs=""

# json_num VALUE: VALUE, or null for "-".
json_num() { if [[ "$1" == "-" ]]; then echo null; else echo "$1"; fi; }

# add_row NAME DESCRIPTION WORDS_PER_S DIR SUMMARY: appends the run to the
# table rows and to the JSON runs.
add_row() {
  local name="$1" desc="$2" wps="$3" dir="$4" summary="$5"
  local wall cpu rss rc
  read -r wall cpu rss rc <"$dir/time"
  local lat_mean=- lat_p50=- lat_p99=- lat_p999=- lost=- bp=- acked=- failed=- timed_out=-
  local kv
  for kv in $summary; do
    case "$kv" in
      lat-mean=*) lat_mean="${kv#*=}" ;;
      lat-p50=*) lat_p50="${kv#*=}" ;;
      lat-p99=*) lat_p99="${kv#*=}" ;;
      lat-p999=*) lat_p999="${kv#*=}" ;;
      lost=*) lost="${kv#*=}" ;;
      bp_secs=*) bp="${kv#*=}" ;;
      acked=*) acked="${kv#*=}" ;;
      failed=*) failed="${kv#*=}" ;;
      timed_out=*) timed_out="${kv#*=}" ;;
    esac
  done
  local ratio
  ratio=$(awk -v a="$wps" -v b="$baseline_wps" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
  rows+=("$(awk -v n="$name" -v w="$wps" -v r="$ratio" -v wall="$wall" -v c="$cpu" \
      -v m="$rss" -v lm="$lat_mean" -v l5="$lat_p50" -v l9="$lat_p99" -v l99="$lat_p999" \
      -v lost="$lost" -v rc="$rc" 'BEGIN {
        printf "%-22s %9.2fM %8.3f %7.1f %7.1f %6.2f %8.0f %9s %9s %9s %9s %5s %3s\n",
          n, w / 1e6, r, wall, c, (wall > 0 ? c / wall : 0), m / 1024, lm, l5, l9, l99, lost,
          rc }')")
  local entry
  entry=$(printf '{"name":"%s","description":"%s","words_per_s":%.0f,"ratio_to_baseline":%s,"wall_s":%s,"cpu_s":%s,"cores":%s,"peak_rss_kb":%s,"complete_latency_ms":{"mean":%s,"p50":%s,"p99":%s,"p999":%s},"acked":%s,"failed":%s,"timed_out":%s,"backpressure_s":%s,"lost":%s,"exit_code":%s}' \
    "$name" "$desc" "$wps" "$ratio" "$wall" "$cpu" \
    "$(awk -v c="$cpu" -v w="$wall" 'BEGIN { printf "%.2f", (w > 0 ? c / w : 0) }')" "$rss" \
    "$(json_num "$lat_mean")" "$(json_num "$lat_p50")" "$(json_num "$lat_p99")" \
    "$(json_num "$lat_p999")" \
    "$(json_num "$acked")" "$(json_num "$failed")" "$(json_num "$timed_out")" \
    "$(json_num "$bp")" "$(json_num "$lost")" "$rc")
  json_runs+="${json_runs:+,
    }$entry"
}

status=0

run_baseline() {
  selected baseline || return 0
  local dir="$OUT/baseline"
  mkdir -p "$dir"
  echo "run.sh: baseline (${duration}s)" >&2
  run_timed "$dir" "$BASELINE" --seconds "$((duration - 1))" --json "$dir/result.json"
  baseline_wps=$(sed -n 's/.*"words_per_s":\([0-9.]*\).*/\1/p' "$dir/result.json")
  if [[ -z "$baseline_wps" ]]; then
    echo "run.sh: baseline failed; see $dir" >&2
    exit 1
  fi
  add_row baseline "plain single-threaded C++ loop (bench/baseline.cc)" \
    "$baseline_wps" "$dir" ""
}

# run_gale NAME DESCRIPTION GALE_ARGS...
run_gale() {
  local name="$1" desc="$2"; shift 2
  selected "$name" || return 0
  local dir="$OUT/$name"
  mkdir -p "$dir"
  echo "run.sh: $name (${duration}s): $*" >&2
  # A hung run is killed a minute after its duration (exit code 124 or 137).
  BENCH_OUT="$dir" run_timed "$dir" timeout --foreground --kill-after=10 "$((duration + 60))" \
    "$GALE" local "$TOPOLOGY" --lib "$PLUGIN" --env-filter --duration "$duration" \
    --quiet "$@"
  local rc
  read -r _ _ _ rc <"$dir/time"
  if (( rc != 0 )); then
    echo "run.sh: $name: gale exited with $rc; see $dir/stderr" >&2
    status=1
  fi
  # Sum over count tasks of words/secs.
  local wps
  wps=$(cat "$dir"/count-*.txt 2>/dev/null | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["secs"] > 0) s += v["words"] / v["secs"]; n++ }
    END { printf "%.0f\n", (n > 0 ? s : 0) }' || true)
  if [[ "$wps" == 0 ]]; then
    echo "run.sh: $name: no count task reported words; see $dir" >&2
    status=1
  fi
  local summary
  summary=$(gale_summary "$dir/stdout")
  if ! awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
            END { exit !(v["split_emitted"] == 10 * v["split_executed"]) }' <<<"$summary"; then
    echo "run.sh: $name: split emitted a word count other than 10 per sentence:" \
      "$summary" >&2
    status=1
  fi
  if [[ "$summary" != *" lost=0"* ]]; then
    echo "run.sh: $name: tuples emitted but never executed: $summary" >&2
    status=1
  fi
  add_row "$name" "$desc" "$wps" "$dir" "$summary"
  last_wps=$wps
}

# run_submit NAME DESCRIPTION GALE_ARGS...: the topology (SUBMIT_TOPOLOGY,
# default the one of the local runs) with `gale submit` as processes
# (topology.workers in GALE_ARGS, default 2 containers), measured for the
# duration, then killed gracefully (the count tasks write their stats in
# Cleanup). CPU is the user+sys time of every process of the topology, read
# from /proc just before the kill; peak RSS the largest of them. Latency
# percentiles come from `gale status --json` (what the spouts published in
# the last second, over the whole run).
run_submit() {
  local name="$1" desc="$2"; shift 2
  selected "$name" || return 0
  local dir="$OUT/$name"
  local state="$dir/st"
  mkdir -p "$dir"
  echo "run.sh: $name (${duration}s): $*" >&2
  local rc=0
  BENCH_OUT="$dir" "$GALE" --state-dir "$state" submit "${SUBMIT_TOPOLOGY:-$TOPOLOGY}" \
    --lib "$PLUGIN" --env-filter -c topology.workers=2 "$@" >"$dir/stdout" 2>"$dir/stderr" || rc=$?
  if (( rc != 0 )); then
    echo "run.sh: $name: submit failed ($rc); see $dir/stderr" >&2
    status=1
    return
  fi
  sleep "$duration"
  "$GALE" --state-dir "$state" status wordcount-bench --json >"$dir/status.json" || rc=$?
  local cpu rss
  cpu=$(topology_cpu "$state" "$dir/status.json")
  rss=$(grep -o '"peak_rss_kb":[0-9]*' "$dir/status.json" | cut -d: -f2 | sort -n | tail -n 1)
  "$GALE" --state-dir "$state" kill wordcount-bench --wait 5 >>"$dir/stdout" 2>>"$dir/stderr" || rc=$?
  echo "$duration $cpu ${rss:-0} $rc" >"$dir/time"
  local wps
  wps=$(cat "$dir"/count-*.txt 2>/dev/null | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["secs"] > 0) s += v["words"] / v["secs"]; n++ }
    END { printf "%.0f\n", (n > 0 ? s : 0) }' || true)
  if [[ "$wps" == 0 ]]; then
    echo "run.sh: $name: no count task reported words; see $dir" >&2
    status=1
  fi
  local spout summary="" key value
  spout=$(grep -o '"id":"sentences"[^}]*' "$dir/status.json" || true)
  local acked
  acked=$(sed -n 's/.*"acked":\([0-9]*\).*/\1/p' <<<"$spout")
  for key in lat-mean:complete_latency_ms lat-p50:complete_latency_p50_ms \
             lat-p99:complete_latency_p99_ms lat-p999:complete_latency_p999_ms; do
    value=$(sed -n "s/.*\"${key#*:}\":\([0-9.]*\).*/\1/p" <<<"$spout")
    if [[ -z "$acked" || "$acked" == 0 || -z "$value" ]]; then value=-; fi
    summary+="${key%%:*}=$value "
  done
  add_row "$name" "$desc" "$wps" "$dir" "${summary}acked=${acked:--}"
  last_wps=$wps
}

# run_three_hosts NAME DESCRIPTION GALE_ARGS...: run_submit on three hosts
# of this machine (network namespaces on a bridge, each with a slurmd; see
# bench/three_hosts.cc) with ZooKeeper state and the Slurm scheduler: the
# master and each of the 3 containers are Slurm jobs, on hosts of their own
# while there are free ones, and their traffic crosses the bridge. Needs
# root; CPU is that of every process of the topology, as for run_submit.
run_three_hosts() {
  local name="$1"
  selected "$name" || return 0
  if (( EUID != 0 )); then
    echo "run.sh: $name needs root (network namespaces, slurmd); not run" >&2
    status=1
    return
  fi
  local dir="$OUT/$name"
  mkdir -p "$dir/cluster"
  local env_line
  coproc HOSTS { "$THREE_HOSTS" "$dir/cluster" 2>"$dir/cluster.log"; }
  if ! read -r -t 120 env_line <&"${HOSTS[0]}" || [[ "$env_line" != GALE_CLUSTER=* ]]; then
    echo "run.sh: $name: the three hosts did not start; see $dir/cluster.log" >&2
    status=1
    return
  fi
  local cluster_file="${env_line%% *}" slurm_conf="${env_line#* }"
  export GALE_CLUSTER="${cluster_file#GALE_CLUSTER=}" SLURM_CONF="${slurm_conf#SLURM_CONF=}"
  run_submit "$@"
  unset GALE_CLUSTER SLURM_CONF
  exec {HOSTS[1]}>&-  # end of input: the hosts go down
  wait "$HOSTS_PID" || true
}

# topology_cpu STATE STATUS_JSON: user+sys CPU seconds so far of every
# process of the submitted topology (status's pids and the scheduler's).
topology_cpu() {
  local cpu=0 pid tick
  tick=$(getconf CLK_TCK)
  for pid in $(grep -o '"pid":[0-9]*' "$2" | cut -d: -f2) \
             $(sed -n 's/^pid=//p' "$1/topologies/wordcount-bench/scheduler" 2>/dev/null); do
    cpu=$(awk -v c="$cpu" -v t="$tick" '{ sub(/^.*\) /, ""); printf "%.2f", c + ($12 + $13) / t }' \
      "/proc/$pid/stat" 2>/dev/null || echo "$cpu")
  done
  echo "$cpu"
}

# run_idle NAME: the submitted word count with a spout that emits one
# sentence and then nothing (rate 0.001/s): after a settling time, the CPU
# each process of the topology uses over IDLE_SECS, as a percentage of one
# core. Printed as its own line and kept in results.json as "idle".
readonly IDLE_SECS=10
idle_json=null
run_idle() {
  local name="$1"
  selected "$name" || return 0
  local dir="$OUT/$name" state="$OUT/$name/st"
  mkdir -p "$dir"
  echo "run.sh: $name (${IDLE_SECS}s after 3 s settling): -c rate=0.001" >&2
  if ! BENCH_OUT="$dir" "$GALE" --state-dir "$state" submit "$TOPOLOGY" --lib "$PLUGIN" \
      --env-filter -c topology.workers=2 -c topology.acking=true -c rate=0.001 \
      >"$dir/stdout" 2>"$dir/stderr"; then
    echo "run.sh: $name: submit failed; see $dir/stderr" >&2
    status=1
    return
  fi
  sleep 3
  "$GALE" --state-dir "$state" status wordcount-bench --json >"$dir/status.json" || true
  local pids pid tick
  tick=$(getconf CLK_TCK)
  pids=$(grep -o '"pid":[0-9]*' "$dir/status.json" | cut -d: -f2 | sort -u)
  pids+=" $(sed -n 's/^pid=//p' "$state/topologies/wordcount-bench/scheduler" 2>/dev/null)"
  declare -A before
  for pid in $pids; do
    before[$pid]=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
  done
  sleep "$IDLE_SECS"
  local max=0 total=0 n=0 ticks pct
  for pid in $pids; do
    ticks=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    pct=$(awk -v a="${before[$pid]}" -v b="$ticks" -v t="$tick" -v s="$IDLE_SECS" \
      'BEGIN { printf "%.2f", 100 * (b - a) / t / s }')
    echo "pid $pid $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null | cut -c1-120): $pct%" >>"$dir/per-process.txt"
    max=$(awk -v a="$max" -v b="$pct" 'BEGIN { print (b > a ? b : a) }')
    total=$(awk -v a="$total" -v b="$pct" 'BEGIN { print a + b }')
    n=$((n + 1))
  done
  "$GALE" --state-dir "$state" kill wordcount-bench --wait 5 >>"$dir/stdout" 2>>"$dir/stderr" || true
  idle_line="idle topology ($n processes, 2 containers): max ${max}% of a core per process, ${total}% in all"
  idle_json="{\"processes\":$n,\"max_core_percent\":$max,\"total_core_percent\":$total}"
}

readonly LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l > 0.5) }'; then
  echo "run.sh: warning: load average is $LOAD_BEFORE; other work on this machine" \
    "skews the results" >&2
fi
# The gaps the machine itself puts in a busy thread's run (hypervisor,
# kernel threads), before anything of gale runs: every tree in flight
# through a process that meets one waits for it (RESULTS.md, "The tail and
# the machine's own gaps").
readonly GAPS_SECS=5
gaps_line="" gaps_json=null
if selected cpu-gaps; then
  echo "run.sh: cpu-gaps (${GAPS_SECS}s, a busy thread on each CPU)" >&2
  mkdir -p "$OUT/cpu-gaps"
  if "$CPU_GAPS" --seconds "$GAPS_SECS" --json "$OUT/cpu-gaps/result.json" \
      >"$OUT/cpu-gaps/stdout" 2>"$OUT/cpu-gaps/stderr"; then
    gaps_line="CPU gaps before the runs: $(tail -n 1 "$OUT/cpu-gaps/stdout")"
    gaps_json=$(cat "$OUT/cpu-gaps/result.json")
  else
    echo "run.sh: cpu-gaps failed; see $OUT/cpu-gaps/stderr" >&2
    status=1
  fi
fi
run_baseline
run_gale gale-ack-off "gale local, acking off" -c topology.acking=false
run_gale gale-ack-on-p1k "gale local, acking on, max.spout.pending 1000" \
  -c topology.acking=true -c topology.max.spout.pending=1000
run_gale gale-ack-on-p10k "gale local, acking on, max.spout.pending 10000" \
  -c topology.acking=true -c topology.max.spout.pending=10000
# Latency at a fixed load: half the saturated acking rate unless --rate.
if (( rate == 0 )); then rate=$(( ${last_wps:-2000000} / 20 )); fi
run_gale "gale-ack-on-rate" \
  "gale local, acking on, max.spout.pending 10000, spout fixed at $rate sentences/s" \
  -c topology.acking=true -c topology.max.spout.pending=10000 -c "rate=$rate"
run_submit gale-mp-ack-off "gale submit, 2 containers, acking off" -c topology.acking=false
run_submit gale-mp-ack-on "gale submit, 2 containers, acking on, max.spout.pending 10000" \
  -c topology.acking=true -c topology.max.spout.pending=10000
# The speed goals: everyday pending limits, latency at half the saturated
# rate, and more tasks than cores.
run_submit gale-mp-p2k "gale submit, 2 containers, acking on, max.spout.pending 2000" \
  -c topology.acking=true -c topology.max.spout.pending=2000
mp_rate=$(( ${last_wps:-2000000} / 20 ))
run_submit gale-mp-p2k-rate \
  "gale submit, 2 containers, acking on, max.spout.pending 2000, spout fixed at $mp_rate sentences/s" \
  -c topology.acking=true -c topology.max.spout.pending=2000 -c "rate=$mp_rate"
# The same two with each container pinned to one CPU (container.cpu.pinning),
# at the same fixed rate as gale-mp-p2k-rate.
run_submit gale-mp-p2k-rate-pinned \
  "gale submit, as gale-mp-p2k-rate, container.cpu.pinning true" \
  -c topology.acking=true -c topology.max.spout.pending=2000 -c "rate=$mp_rate" \
  -c container.cpu.pinning=true
run_submit gale-mp-p2k-pinned \
  "gale submit, 2 containers, acking on, max.spout.pending 2000, container.cpu.pinning true" \
  -c topology.acking=true -c topology.max.spout.pending=2000 -c container.cpu.pinning=true
# The stream managers of one host talk over Unix sockets: gale-mp-p2k over
# TCP as between hosts (CURVE on by default), then over TCP without CURVE.
run_submit gale-mp-p2k-tcp \
  "gale submit, 2 containers, acking on, max.spout.pending 2000, transport.unix.peers false" \
  -c topology.acking=true -c topology.max.spout.pending=2000 -c transport.unix.peers=false
run_submit gale-mp-p2k-plain \
  "gale submit, 2 containers, acking on, max.spout.pending 2000, TCP, security.curve false" \
  -c topology.acking=true -c topology.max.spout.pending=2000 -c transport.unix.peers=false \
  -c security.curve=false
run_submit gale-mp-p1k "gale submit, 2 containers, acking on, max.spout.pending 1000" \
  -c topology.acking=true -c topology.max.spout.pending=1000
run_submit gale-mp-p50k "gale submit, 2 containers, acking on, max.spout.pending 50000" \
  -c topology.acking=true -c topology.max.spout.pending=50000
SUBMIT_TOPOLOGY=bench/wordcount-bench-4.yaml run_submit gale-mp-4tasks \
  "gale submit, 4 tasks (1 spout, 1 split, 2 count) in 2 containers, acking on, pending 2000"
SUBMIT_TOPOLOGY=bench/wordcount-bench-16.yaml run_submit gale-mp-16tasks \
  "gale submit, 16 tasks (4 spout, 8 split, 4 count) in 4 containers, acking on, pending 2000" \
  -c topology.workers=4
# Across hosts: the acking word count with 3 containers on three hosts.
run_three_hosts gale-3hosts-p2k \
  "gale submit --cluster (Slurm, ZooKeeper), 3 hosts, 3 containers, acking on, pending 2000" \
  -c topology.acking=true -c topology.max.spout.pending=2000 -c topology.workers=3
idle_line=""
run_idle gale-mp-idle

table=$(
  printf "%-22s %10s %8s %7s %7s %6s %8s %9s %9s %9s %9s %5s %3s\n" \
    run words/s vs-base wall-s cpu-s cores rss-MB lat-mean lat-p50 lat-p99 lat-p999 lost rc
  printf '%s\n' "${rows[@]}"
)
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# The clock source moves the figures too: the executors read the clock about
# twice per tuple, and through the vDSO that costs 25 ns on kvm-clock.
clock_source=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)
command="bench/run.sh --duration $duration"
if (( rate_given > 0 )); then command+=" --rate $rate"; fi
if [[ -n "$only" ]]; then command+=" --only '$only'"; fi
date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)

echo "$table"
echo "lat-* in ms; rate run: $rate sentences/s = $((rate * 10)) words/s offered;" \
  "gale-mp-p2k-rate: $mp_rate sentences/s."
if [[ -n "$idle_line" ]]; then echo "$idle_line"; fi
if [[ -n "$gaps_line" ]]; then echo "$gaps_line"; fi

# The per-tuple pieces of the data path, one at a time.
micro=""
if [[ -x "$BUILD_DIR/bench/gale_micro_bench" ]] && selected micro; then
  echo "run.sh: micro-benchmarks" >&2
  "$BUILD_DIR/bench/gale_micro_bench" --benchmark_min_time=0.2 >"$OUT/micro.txt" 2>/dev/null || true
  micro=$(grep '^BM_' "$OUT/micro.txt" || true)
  echo "$micro"
fi

json_escape() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' <<<"$1"; }
cat >"$OUT/results.json" <<EOF
{
  "date": "$date_utc",
  "commit": "$commit",
  "command": "$command",
  "machine": {"nproc": $(nproc), "cpu_model": "$(json_escape "$cpu_model")",
              "load_before": "$LOAD_BEFORE"},
  "duration_s": $duration,
  "warmup_s": $WARMUP_S,
  "rate_sentences_per_s": $rate,
  "mp_rate_sentences_per_s": $mp_rate,
  "idle": $idle_json,
  "cpu_gaps": $gaps_json,
  "runs": [
    $json_runs
  ]
}
EOF
echo "run.sh: wrote $OUT/results.json" >&2

if (( record )); then
  results="$ROOT/bench/RESULTS.md"
  block=$(
    echo '<!-- results:begin (written by bench/run.sh --record) -->'
    echo "Date: $date_utc, commit $commit. Machine: $(nproc) CPUs, $cpu_model,"
    echo "kernel $(uname -r), clock source $clock_source;"
    echo "load average before the run: $LOAD_BEFORE."
    echo "Command: \`$command --record\`"
    echo
    echo '```'
    echo "$table"
    echo '```'
    echo
    echo "lat-* in ms. gale-ack-on-rate offered $rate sentences/s, gale-mp-p2k-rate $mp_rate"
    echo "sentences/s (half the saturated rate of the run before it)."
    if [[ -n "$idle_line" ]]; then echo "Idle ${idle_line#idle }."; fi
    if [[ -n "$gaps_line" ]]; then echo "${gaps_line} (\`gale_bench_cpu_gaps\`)."; fi
    if [[ -n "$micro" ]]; then
      echo
      echo "Micro-benchmarks (\`$BUILD_DIR/bench/gale_micro_bench\`, Google Benchmark):"
      echo
      echo '```'
      echo "$micro"
      echo '```'
    fi
    echo '<!-- results:end -->'
  )
  if [[ -f "$results" ]] && grep -q '<!-- results:begin' "$results"; then
    BLOCK="$block" awk '
      /<!-- results:begin/ { print ENVIRON["BLOCK"]; skip = 1; next }
      /<!-- results:end/ { skip = 0; next }
      !skip { print }' "$results" >"$results.tmp"
    mv "$results.tmp" "$results"
  else
    printf '# Benchmark results\n\n%s\n' "$block" >>"$results"
  fi
  echo "run.sh: updated $results" >&2
fi
exit "$status"
