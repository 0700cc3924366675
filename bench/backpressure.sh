#!/usr/bin/env bash
# Backpressure soak: bench/backpressure.yaml (a fast spout into a bolt that
# sleeps 1 ms per tuple) submitted as processes for DURATION seconds
# (default 600). Every 10 s it samples `gale status --json` and prints the
# spout's emit rate, the bolt's execute rate, trees timed out, backpressure
# time and the largest peak RSS of any process; at the end it writes
# bench/out/backpressure.json. Uses build/ (run `make build` first).
#
# Usage: bench/backpressure.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-600}"
readonly GALE="${BUILD_DIR:-build}/bin/gale"
readonly OUT="bench/out/backpressure"
rm -rf "$OUT"
mkdir -p "$OUT"
state="$OUT/st"
g() { "$GALE" --state-dir "$state" "$@"; }
trap 'g kill bp-soak --force >/dev/null 2>&1 || true' EXIT

g submit bench/backpressure.yaml >&2
field() {  # JSON COMPONENT FIELD
  grep -o "\"id\":\"$2\"[^}]*" <<<"$1" | sed -n "s/.*\"$3\":\\([0-9.]*\\).*/\\1/p"
}
start=$(date +%s)
last_emitted=0 last_executed=0 last_t=$start max_rss=0
printf '%6s %12s %12s %10s %10s %9s %9s %8s\n' secs emitted/s executed/s gap timed-out bp-secs episodes rss-MB
while (( $(date +%s) - start < duration )); do
  sleep 10
  s=$(g status bp-soak --json)
  now=$(date +%s)
  emitted=$(field "$s" sentences emitted)
  executed=$(field "$s" slow executed)
  timed_out=$(field "$s" sentences timed_out)
  bp=$(sed -n 's/.*"backpressure":{[^}]*"secs":\([0-9.]*\).*/\1/p' <<<"$s")
  episodes=$(sed -n 's/.*"backpressure":{[^}]*"episodes":\([0-9]*\).*/\1/p' <<<"$s")
  rss=$(grep -o '"peak_rss_kb":[0-9]*' <<<"$s" | cut -d: -f2 | sort -n | tail -n 1)
  (( rss > max_rss )) && max_rss=$rss
  awk -v t=$((now - start)) -v e="$emitted" -v le="$last_emitted" -v x="$executed" \
      -v lx="$last_executed" -v dt=$((now - last_t)) -v to="$timed_out" -v bp="$bp" \
      -v ep="$episodes" -v r="$rss" 'BEGIN {
    printf "%6d %12.0f %12.0f %10d %10d %9.1f %9d %8.1f\n", t, (e - le) / dt, (x - lx) / dt,
      e - x, to, bp, ep, r / 1024 }'
  last_emitted=$emitted last_executed=$executed last_t=$now
  echo "$s" >"$OUT/last-status.json"
done
cat >"$OUT/../backpressure.json" <<JSON
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "duration_s": $duration,
 "emitted": $emitted, "executed": $executed, "timed_out": $timed_out,
 "backpressure_s": $bp, "episodes": $episodes, "max_peak_rss_kb": $max_rss,
 "command": "bench/backpressure.sh $duration"}
JSON
g kill bp-soak --wait 5 >&2
trap - EXIT
echo "peak RSS of any process: $((max_rss / 1024)) MB; written $OUT/../backpressure.json" >&2
