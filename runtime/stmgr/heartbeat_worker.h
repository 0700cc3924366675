#pragma once

// The slow half of the stream manager's once-a-second heartbeat, on a thread
// of its own: reading where the topology master is (a file, or a ZooKeeper
// round trip), measuring the process (/proc), encoding the metrics reports
// and writing the metrics record. Done on the forwarding thread they held
// it for 0.8-1.9 ms every second on a 2-core host, and every tuple tree in
// flight through the container waited for them.
//
//   forwarding thread                          worker thread
//   heartbeat: Post(counters, task snapshots) ──> process figures, Encode,
//                                                  metrics record, master's
//   next tick:  Take() <────────────────────────── endpoint from its alive entry
//               connect, register, send reports
//
// The forwarding thread keeps the master's socket (a ZeroMQ socket has one
// owner thread): the worker only prepares what goes on it.
//
// Thread-safety: Post and Take from one thread (the stream manager's);
// the worker thread is internal.

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "metrics/snapshot.h"
#include "state/record_writer.h"
#include "state/state_manager.h"

namespace gale::stmgr {

// What the forwarding thread knows at a heartbeat: its counters (the
// process figures are the worker's to fill) and the latest snapshot of each
// local task, queue depths filled in.
struct HeartbeatInput {
  metrics::StmgrSnapshot stmgr;
  std::vector<metrics::TaskSnapshot> tasks;
};

// What the worker made of it.
struct HeartbeatOutput {
  std::string master_endpoint;       // from the alive entry "tmaster"; empty if none
  std::vector<std::string> reports;  // for the master (metrics::EncodeReports)
};

// The master's control endpoint as its alive entry records it; empty when
// there is no live master or the state cannot be read now.
std::string ReadMasterEndpoint(const state::StateManager& sm, const std::string& topology);

class HeartbeatWorker {
 public:
  // `sm` must outlive the worker. Writes metrics/stmgr-<container>.
  HeartbeatWorker(state::StateManager* sm, std::string topology, int container);
  // Finishes the heartbeat under way, if any (one posted and not started is
  // dropped), and joins the thread.
  ~HeartbeatWorker();
  HeartbeatWorker(const HeartbeatWorker&) = delete;
  HeartbeatWorker& operator=(const HeartbeatWorker&) = delete;

  // Hands a heartbeat over; it replaces one the worker has not started.
  void Post(HeartbeatInput input);
  // The outcome of the latest heartbeat finished since the last call.
  std::optional<HeartbeatOutput> Take();

 private:
  void Loop();
  HeartbeatOutput Process(HeartbeatInput input);

  state::StateManager* sm_;
  std::string topology_;
  std::string record_key_;
  state::RecordWriter writer_;  // the worker thread's

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;                    // guarded by mu_
  std::optional<HeartbeatInput> input_;  // guarded by mu_
  std::optional<HeartbeatOutput> done_;  // guarded by mu_
  std::thread thread_;                   // last: starts once the rest is set
};

}  // namespace gale::stmgr
