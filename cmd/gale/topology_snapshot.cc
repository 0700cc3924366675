#include "topology_snapshot.h"

#include <cstdio>

namespace gale::cli {

using state::KeyValues;
using state::StateManager;

void Error(const std::string& m) { std::fprintf(stderr, "gale: %s\n", m.c_str()); }

int PidOf(const StateManager& sm, const std::string& name, const std::string& key) {
  auto kv = sm.ReadKv(name, key);
  if (!kv) return 0;
  try {
    return std::stoi(kv->GetOr("pid", "0"));
  } catch (...) {
    return 0;
  }
}

std::uint64_t U64(const KeyValues& kv, const std::string& key) {
  try {
    return std::stoull(kv.GetOr(key, "0"));
  } catch (...) {
    return 0;
  }
}

bool SchedulerAlive(const StateManager& sm, const std::string& name) {
  return state::ProcessAlive(PidOf(sm, name, "scheduler"));
}

Snapshot TakeSnapshot(const StateManager& sm, const std::string& name) {
  Snapshot s;
  std::map<std::string, std::size_t> index;
  if (auto packing = sm.ReadKv(name, "packing")) {
    for (const std::string& entry : packing->GetAll("task")) {
      // "<task> <container> <component>"
      auto last = entry.rfind(' ');
      std::string component = entry.substr(last + 1);
      if (!index.count(component)) {
        index[component] = s.components.size();
        s.components.push_back({});
        s.components.back().id = component;
      }
      s.components[index[component]].tasks++;
      s.tasks_total++;
    }
  }
  for (const std::string& key : sm.List(name, "metrics")) {
    auto kv = sm.ReadKv(name, "metrics/" + key);
    if (!kv) continue;
    if (key.rfind("stmgr-", 0) == 0) {
      s.queued_bytes += U64(*kv, "queued_bytes");
      s.stmgrs[std::stoi(key.substr(6))] = *kv;
      continue;
    }
    std::string component = kv->GetOr("component", "");
    if (!index.count(component)) continue;
    Totals& t = s.components[index[component]];
    t.kind = kv->GetOr("kind", "");
    t.emitted += U64(*kv, "emitted");
    t.executed += U64(*kv, "executed");
    t.acked += U64(*kv, "acked");
    t.failed += U64(*kv, "failed");
    t.timed_out += U64(*kv, "timed_out");
    t.complete_ns += U64(*kv, "complete_ns");
    t.execute_ns += U64(*kv, "execute_ns");
    t.execute_samples += U64(*kv, "execute_samples");
    t.user_errors += U64(*kv, "user_errors");
    t.throttled_ns += U64(*kv, "throttled_ns");
    t.pending += static_cast<std::int64_t>(U64(*kv, "pending"));
    bool drained = kv->GetOr("drained", "0") == "1";
    t.drained = t.drained && drained;
    if (t.kind == "spout") s.spouts_drained = s.spouts_drained && drained;
    // Not `executed`: tick tuples keep it moving in an idle topology.
    s.progress += U64(*kv, "emitted") + U64(*kv, "acked") + U64(*kv, "failed");
    s.tasks_reporting++;
  }
  return s;
}

}  // namespace gale::cli
