#!/usr/bin/env bash
# `make demo-kafka`: the Kafka word count end to end on this machine.
# Starts the test broker (gale kafka-broker) on 127.0.0.1, runs the word
# producer topology for a few seconds, runs kafka-wordcount over what it
# wrote, and prints the ten most frequent words read back from
# `word-counts`. Everything it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
B="${BUILD_DIR:-build}"
GALE="$B/bin/gale"
LIBS=(--lib "$B/spouts/kafka/libgale_kafka_spout.so" --lib "$B/bolts/kafka/libgale_kafka_bolt.so"
      --lib "$B/topologies/ip_fraud/libgale_examples.so")
work=$(mktemp -d)
broker_pid=""
cleanup() {
  if [[ -n "$broker_pid" ]]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/ctl"
exec 3<>"$work/ctl"
"$GALE" kafka-broker --topic words:4 --topic word-counts:2 <&3 >"$work/broker.out" 2>"$work/broker.err" &
broker_pid=$!
for _ in $(seq 50); do
  bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$work/broker.out" | head -n 1)
  [[ -n "$bootstrap" ]] && break
  sleep 0.1
done
if [[ -z "${bootstrap:-}" ]]; then
  echo "demo-kafka: the test broker did not start:" >&2
  cat "$work/broker.err" >&2
  exit 1
fi
echo "demo-kafka: test broker at $bootstrap" >&2

echo "demo-kafka: producing words for 5 s (topologies/word-producer.yaml)" >&2
"$GALE" local topologies/word-producer.yaml "${LIBS[@]}" -c "kafka.bootstrap.servers=$bootstrap" \
  --duration 5 --quiet
echo "demo-kafka: counting them for 15 s (topologies/kafka-wordcount.yaml)" >&2
"$GALE" local topologies/kafka-wordcount.yaml "${LIBS[@]}" -c "kafka.bootstrap.servers=$bootstrap" \
  --duration 15
echo "demo-kafka: latest counts on word-counts:" >&2
if command -v kcat >/dev/null; then
  timeout 20 kcat -C -b "$bootstrap" -t word-counts -e -q -f '%k %s\n' |
    awk '{ c[$1] = $2 } END { for (w in c) print c[w], w }' | sort -rn | head -n 10
fi
echo quit >&3
