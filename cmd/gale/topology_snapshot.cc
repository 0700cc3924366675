#include "topology_snapshot.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "launch/transport_keys.h"
#include "records/key_values.h"
#include "records/state_records.h"
#include "transport/curve.h"
#include "transport/zmq_util.h"
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

Result<records::Reply> RequestTmaster(const StateManager& sm, const std::string& name,
                                      const std::string& command) {
  auto tm = sm.ReadAliveRecord<records::MasterLocation>(name, "tmaster");
  if (!tm.ok() && tm.status().code() == ErrorCode::kUnavailable) return tm.status();
  if (!tm.ok()) {
    return NotFound("topology '" + name + "' has no live topology master (" +
                    tm.status().message() + ")");
  }
  // With security.curve on the master admits only the topology's client
  // key, which only the topology's owner can read.
  auto keys = sm.ReadRecord<records::CurveKeys>(name, launch::kKeysRecord);
  if (!keys.ok() && keys.status().code() != ErrorCode::kNotFound) {
    return Status(keys.status().code(), "the keys of topology '" + name +
                                            "' are unusable: " + keys.status().message());
  }
  zmq::socket_t s = transport::MakeSocket(zmq::socket_type::dealer);
  try {
    if (keys.ok()) transport::SecureClient(s, *keys);
    s.connect(tm->endpoint);
  } catch (const zmq::error_t& e) {
    return IoError("cannot connect to the topology master of '" + name + "' at " +
                   tm->endpoint + ": " + e.what());
  }
  transport::TrySend(s, records::Encode(records::Request{command}));
  zmq::pollitem_t item{static_cast<void*>(s), 0, ZMQ_POLLIN, 0};
  transport::Poll(&item, 1, std::chrono::milliseconds(5000));
  auto bytes = transport::TryRecv(s);
  if (!bytes) return IoError("the topology master of '" + name + "' did not answer");
  auto reply = records::DecodeControl(*bytes);
  if (!reply.ok()) return reply.status();
  const auto* r = std::get_if<records::Reply>(&*reply);
  if (r == nullptr) return ProtocolError("the topology master of '" + name + "' sent no reply");
  return *r;
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
  // With the state in ZooKeeper the tasks may run on other hosts: their
  // latest snapshots are the master's.
  bool from_master = false;
  if (sm.root() != sm.local_root()) {
    auto reply = RequestTmaster(sm, name, "metrics");
    from_master = reply.ok() && reply->ok;
    if (from_master) {
      for (const std::string& flat : reply->tasks) {
        metrics::TaskSnapshot task;
        if (!metrics::Decode(records::UnflattenSnapshot(flat), &task).ok()) continue;
        if (index.count(task.component)) s.tasks_live++;
        s.tasks.push_back(std::move(task));
      }
      for (const std::string& flat : reply->stmgrs) {
        metrics::StmgrSnapshot stmgr;
        if (metrics::Decode(records::UnflattenSnapshot(flat), &stmgr).ok()) {
          s.stmgrs.push_back(std::move(stmgr));
        }
      }
    }
  }
  for (const std::string& key :
       from_master ? std::vector<std::string>{} : sm.List(name, "metrics").value_or({})) {
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
