#!/usr/bin/env python3
"""Which slow trees of a topology began next to another program's CPU time.

Reads the spout's latency log (BenchSentenceSpout `latency.log`: one line
`<ack ns> <latency ns>` per slow tree and per sampled tree, steady clock) and
the machine's context switches over the same time (`perf record -k
CLOCK_MONOTONIC -e sched:sched_switch -a`, then `perf script -F
cpu,time,trace`). A preemption is a stretch of at least --min-preemption-ms
in which a thread outside the topology (not in --topology-tids, not idle, not
perf itself) ran on a CPU. A tree is "near" one when it was emitted from
--before-ms before the preemption began to --after-ms after it ended (at
saturation a tree is in flight for several milliseconds, so one emitted well
before a preemption can still wait for it).

Prints the preemptions, then for each latency threshold the share of all
trees over it, the share of those that were near a preemption, and the share
over it among the trees that were not; then the p99 of all trees and of the
trees not near a preemption. Used by bench/tail_attribution.sh.
"""

import argparse
import bisect
import collections
import re
import sys

SWITCH = re.compile(
    r"\[(\d+)\]\s+([\d.]+):.*?prev_comm=(.*?) prev_pid=(\d+) .*?"
    r"==> next_comm=(.*?) next_pid=(\d+) ")
IDLE_TID = 0
# perf and the command it times.
MEASURING_COMMS = ("perf", "perf-exec", "sleep")


def read_preemptions(path, topology_tids, min_s):
    """[(start s, end s, cpu, comm)] of other threads' stretches on a CPU."""
    running = {}  # cpu -> (since s, tid, comm)
    stretches = []
    first = last = None
    with open(path) as f:
        for line in f:
            m = SWITCH.search(line)
            if not m:
                continue
            cpu, t = int(m.group(1)), float(m.group(2))
            first = t if first is None else first
            last = t
            if cpu in running:
                since, tid, comm = running[cpu]
                foreign = (tid != IDLE_TID and tid not in topology_tids
                           and comm not in MEASURING_COMMS)
                if foreign and t - since >= min_s:
                    stretches.append((since, t, cpu, comm))
            running[cpu] = (t, int(m.group(6)), m.group(5))
    if first is None:
        sys.exit(f"{path}: no sched_switch records")
    return stretches, first, last


def read_latencies(paths, start_s, end_s):
    """[(emit s, latency s)] of the logged trees acked in [start_s, end_s],
    and the log's min_ns and sample_every."""
    trees, min_ns, sample_every = [], None, None
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.startswith("#"):
                    fields = dict(kv.split("=") for kv in line[1:].split())
                    min_ns = int(fields["min_ns"])
                    sample_every = int(fields["sample_every"])
                    continue
                ack_ns, latency_ns = map(int, line.split())
                if start_s <= ack_ns / 1e9 <= end_s:
                    trees.append(((ack_ns - latency_ns) / 1e9, latency_ns / 1e9))
    if min_ns is None:
        sys.exit("no latency log header (# min_ns=... sample_every=...)")
    return trees, min_ns / 1e9, sample_every


def p99(slow_latencies, total):
    """The p99 of `total` trees of which `slow_latencies` are all those over
    the log's threshold; None when the p99 is under that threshold."""
    over = int(total * 0.01)
    ordered = sorted(slow_latencies, reverse=True)
    return ordered[over] if over < len(ordered) else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sched", required=True, help="perf script output")
    parser.add_argument("--latency", required=True, nargs="+", help="latency logs")
    parser.add_argument("--topology-tids", default="",
                        help="file of the topology's thread ids, one per line")
    parser.add_argument("--min-preemption-ms", type=float, default=0.5)
    parser.add_argument("--before-ms", type=float, default=1.0)
    parser.add_argument("--after-ms", type=float, default=5.0)
    args = parser.parse_args()

    tids = set()
    if args.topology_tids:
        with open(args.topology_tids) as f:
            tids = {int(x) for x in f.read().split()}
    stretches, first, last = read_preemptions(args.sched, tids, args.min_preemption_ms / 1e3)
    # Trees acked well inside the traced time, so each one's preemptions
    # were traced.
    start, end = first + 0.05, last - 0.01
    trees, min_s, sample_every = read_latencies(args.latency, start, end)

    by_comm = collections.defaultdict(list)
    for s, e, _, comm in stretches:
        by_comm[comm].append((e - s) * 1e3)

    before, after = args.before_ms / 1e3, args.after_ms / 1e3
    windows = sorted((s - before, e + after) for s, e, _, _ in stretches)
    covered = 0.0
    reach = start
    for lo, hi in windows:
        lo, hi = max(lo, reach), min(hi, end)
        if hi > lo:
            covered += hi - lo
            reach = hi

    starts = [lo for lo, _ in windows]

    def near(emit_s):
        i = bisect.bisect_right(starts, emit_s)
        return any(windows[j][0] <= emit_s <= windows[j][1] for j in range(max(0, i - 8), i))

    slow = [(e, l, near(e)) for e, l in trees if l >= min_s]
    sampled_fast = [(e, l) for e, l in trees if l < min_s]
    fast_near = sum(1 for e, _ in sampled_fast if near(e))
    total = len(slow) + len(sampled_fast) * sample_every
    total_near = sum(1 for *_, n in slow if n) + fast_near * sample_every
    total_far = total - total_near
    print(f"trees acked: about {total}; emitted near a preemption ({args.before_ms:g} ms "
          f"before to {args.after_ms:g} ms after): about {total_near} ({100 * covered / (end - start):.1f}% "
          f"of the time)")
    for ms in (1, 2, 3, 5):
        if ms / 1e3 < min_s or not total:
            continue
        over = [t for t in slow if t[1] >= ms / 1e3]
        over_near = sum(1 for *_, n in over if n)
        print(f"  over {ms} ms: {100 * len(over) / total:.2f}% of all trees, "
              f"{100 * over_near / max(1, len(over)):.0f}% of them near a preemption; "
              f"{100 * (len(over) - over_near) / max(1, total_far):.2f}% of the trees not near one")
    all_p99 = p99([l for _, l, _ in slow], total)
    far_p99 = p99([l for _, l, n in slow if not n], total_far)

    def fmt(v):
        return f"{v * 1e3:.2f} ms" if v is not None else f"under {min_s * 1e3:g} ms"

    print(f"p99: {fmt(all_p99)} over all trees, {fmt(far_p99)} over the trees not near a preemption")


if __name__ == "__main__":
    main()
