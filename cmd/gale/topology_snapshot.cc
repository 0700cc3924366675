#include "topology_snapshot.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "records/key_values.h"
#include "scheduler/slurm_scheduler.h"

namespace gale::cli {

using state::KeyValues;
using state::StateManager;

void Error(const std::string& m) { std::fprintf(stderr, "gale: %s\n", m.c_str()); }

RecordedPid PidOf(const StateManager& sm, const std::string& name, const std::string& key) {
  // Every pid record ("scheduler", "pids/...") has a pid field and may have
  // a start field.
  auto text = sm.Read(name, key);
  if (!text.ok()) return {};
  auto kv = records::KeyValues::ParseStrict(*text);
  if (!kv.ok()) return {};
  auto pid = records::ReadInt(*kv, "pid", records::kMinPid, records::kMaxId);
  if (!pid.ok()) return {};
  RecordedPid p{static_cast<int>(*pid), 0};
  if (kv->Count("start") != 0) {
    auto start = records::ReadUint64(*kv, "start");
    if (!start.ok()) return {};
    p.start = *start;
  }
  return p;
}

bool IsTopologyProcess(const RecordedPid& p, const std::string& name) {
  return state::IsTopologyProcess(p.pid, name, p.start);
}

bool SchedulerAlive(const StateManager& sm, const std::string& name) {
  if (scheduler::IsSlurmTopology(sm, name)) {
    return scheduler::SlurmJobsAlive(sm, scheduler::SlurmClient({}), name);
  }
  return IsTopologyProcess(PidOf(sm, name, "scheduler"), name);
}

Snapshot TakeSnapshot(const StateManager& sm, const std::string& name) {
  Snapshot s;
  std::vector<metrics::ComponentRef> components;
  std::map<std::string, std::size_t> index;
  if (auto packing = sm.ReadKv(name, "packing"); packing.ok()) {
    for (const std::string& entry : packing->GetAll("task")) {
      // "<task> <container> <component>"
      auto last = entry.rfind(' ');
      std::string component = entry.substr(last + 1);
      if (!index.count(component)) {
        index[component] = components.size();
        components.push_back({});
        components.back().id = component;
      }
      components[index[component]].tasks++;
    }
  }
  for (const std::string& key : sm.List(name, "metrics").value_or({})) {
    auto text = sm.Read(name, "metrics/" + key);
    if (!text.ok()) continue;
    if (key.rfind("stmgr-", 0) == 0) {
      metrics::StmgrSnapshot stmgr;
      if (metrics::Decode(*text, &stmgr).ok()) s.stmgrs.push_back(std::move(stmgr));
      continue;
    }
    metrics::TaskSnapshot task;
    if (!metrics::Decode(*text, &task).ok()) continue;
    if (index.count(task.component) && state::IsTopologyProcess(task.pid, name)) s.tasks_live++;
    s.tasks.push_back(std::move(task));
  }
  std::sort(s.stmgrs.begin(), s.stmgrs.end(),
            [](const auto& a, const auto& b) { return a.container < b.container; });
  s.metrics = metrics::Aggregate(components, s.tasks, s.stmgrs);
  return s;
}

}  // namespace gale::cli
