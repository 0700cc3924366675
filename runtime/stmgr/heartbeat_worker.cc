#include "stmgr/heartbeat_worker.h"

#include <utility>

#include "common/process.h"
#include "metrics/report.h"
#include "records/state_records.h"

namespace gale::stmgr {

std::string ReadMasterEndpoint(const state::StateManager& sm, const std::string& topology) {
  auto tm = sm.ReadAliveRecord<records::MasterLocation>(topology, "tmaster");
  return tm.ok() ? tm->endpoint : std::string();
}

HeartbeatWorker::HeartbeatWorker(state::StateManager* sm, std::string topology, int container)
    : sm_(sm),
      topology_(std::move(topology)),
      record_key_("metrics/stmgr-" + std::to_string(container)),
      writer_(sm, topology_, "stmgr"),
      thread_([this] { Loop(); }) {}

HeartbeatWorker::~HeartbeatWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void HeartbeatWorker::Post(HeartbeatInput input) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    input_ = std::move(input);
  }
  wake_.notify_one();
}

std::optional<HeartbeatOutput> HeartbeatWorker::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(done_, std::nullopt);
}

void HeartbeatWorker::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || input_.has_value(); });
    if (stop_) return;
    HeartbeatInput input = std::move(*input_);
    input_.reset();
    lock.unlock();
    HeartbeatOutput output = Process(std::move(input));
    lock.lock();
    done_ = std::move(output);
  }
}

HeartbeatOutput HeartbeatWorker::Process(HeartbeatInput input) {
  metrics::StmgrSnapshot& s = input.stmgr;
  s.peak_rss_kb = PeakRssKb();
  s.rss_kb = RssKb();
  s.cpu_ms = CpuMs();
  std::vector<std::string> tasks;
  tasks.reserve(input.tasks.size());
  for (const metrics::TaskSnapshot& t : input.tasks) tasks.push_back(metrics::Encode(t));
  HeartbeatOutput out;
  out.reports = metrics::EncodeReports(s, tasks);
  // Rewritten every second: a failed write (a full disk) is logged, at most
  // once per 10 s, and the next one tries again.
  (void)writer_.WriteOnce(record_key_, metrics::Encode(s));
  out.master_endpoint = ReadMasterEndpoint(*sm_, topology_);
  return out;
}

}  // namespace gale::stmgr
