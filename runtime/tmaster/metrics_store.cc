#include "tmaster/metrics_store.h"

namespace gale::tmaster {
namespace {

constexpr std::int64_t kSampleEveryNs = 5'000'000'000;
constexpr std::int64_t kMinuteNs = 60'000'000'000;
constexpr std::int64_t kTenMinutesNs = 10 * kMinuteNs;

// `now` less the same stream's counts in `then` (matched by component and
// stream; a stream `then` lacks counts from zero).
std::vector<metrics::StreamStats> StreamDelta(const std::vector<metrics::StreamStats>& now,
                                              const std::vector<metrics::StreamStats>& then) {
  std::vector<metrics::StreamStats> out = now;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const metrics::StreamStats* earlier = nullptr;
    if (i < then.size() && then[i].component == out[i].component &&
        then[i].stream == out[i].stream) {
      earlier = &then[i];  // the usual case: the plan's order does not change
    } else {
      for (const metrics::StreamStats& t : then) {
        if (t.component == out[i].component && t.stream == out[i].stream) earlier = &t;
      }
    }
    if (earlier != nullptr) out[i].counters = out[i].counters.Minus(earlier->counters);
  }
  return out;
}

}  // namespace

double WindowStats::execute_mean_secs() const {
  return delta.execute_samples > 0 ? static_cast<double>(delta.execute_ns) / 1e9 /
                                         static_cast<double>(delta.execute_samples)
                                   : 0;
}

double WindowStats::complete_mean_secs() const {
  return delta.acked > 0 && delta.complete_ns > 0
             ? static_cast<double>(delta.complete_ns) / 1e9 / static_cast<double>(delta.acked)
             : 0;
}

double WindowStats::capacity() const {
  if (secs <= 0) return 0;
  return static_cast<double>(delta.executed) * execute_mean_secs() / secs;
}

MetricsStore::MetricsStore(std::string topology, std::shared_ptr<const plan::TopologyPlan> plan,
                           std::string host)
    : topology_(std::move(topology)), plan_(std::move(plan)), host_(std::move(host)) {}

void MetricsStore::Add(int container, const metrics::Report& report, std::int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (report.stmgr.container != container) {
    ++malformed_;
    return;
  }
  stmgrs_[container] = {report.stmgr, now_ns};
  for (const metrics::TaskSnapshot& t : report.tasks) {
    if (t.task < 1 || t.task > plan_->max_task_id() || plan_->container_of(t.task) != container ||
        plan_->component_of(t.task).id != t.component) {
      ++malformed_;
      continue;
    }
    tasks_[t.task] = {t, now_ns};
    first_seen_ns_.emplace(t.task, now_ns);
    std::deque<Sample>& history = history_[t.task];
    if (history.empty() || now_ns - history.back().ns >= kSampleEveryNs) {
      history.push_back({now_ns, t.counters, t.outputs, t.inputs});
      // Keep one sample at least ten minutes old, for the ten-minute window.
      while (history.size() > 2 && now_ns - history[1].ns >= kTenMinutesNs) history.pop_front();
    }
  }
}

void MetricsStore::CountMalformed() {
  std::lock_guard<std::mutex> lock(mu_);
  ++malformed_;
}

void MetricsStore::SetActive(bool active) {
  std::lock_guard<std::mutex> lock(mu_);
  active_ = active;
}

void MetricsStore::SetMasterEndpoint(std::string endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  master_endpoint_ = std::move(endpoint);
}

TopologyView MetricsStore::View(std::int64_t now_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  TopologyView v;
  v.topology = topology_;
  v.plan = plan_;
  v.host = host_;
  v.master_endpoint = master_endpoint_;
  v.active = active_;
  v.malformed_reports = malformed_;
  for (const auto& [container, entry] : stmgrs_) {
    v.stmgrs[container] = {entry.first, (now_ns - entry.second) / 1'000'000};
  }
  for (const auto& [task, entry] : tasks_) {
    TaskView& t = v.tasks[task];
    t.snapshot = entry.first;
    t.age_ms = (now_ns - entry.second) / 1'000'000;
    const metrics::TaskCounters& now = entry.first.counters;
    const std::int64_t spans[] = {kMinuteNs, kTenMinutesNs};
    const char* names[] = {"1m", "10m"};
    for (std::size_t w = 0; w < 2; ++w) {
      WindowStats& ws = t.windows[w];
      ws.name = names[w];
      // From the oldest sample inside the window.
      auto history = history_.find(task);
      if (history == history_.end()) continue;
      for (const Sample& s : history->second) {
        if (now_ns - s.ns > spans[w]) continue;
        ws.secs = static_cast<double>(now_ns - s.ns) / 1e9;
        ws.delta = now.Minus(s.counters);
        ws.outputs = StreamDelta(entry.first.outputs, s.outputs);
        ws.inputs = StreamDelta(entry.first.inputs, s.inputs);
        break;
      }
    }
    WindowStats& all = t.windows[2];
    all.name = "all";
    auto first = first_seen_ns_.find(task);
    all.secs = first == first_seen_ns_.end() ? 0 : static_cast<double>(now_ns - first->second) / 1e9;
    all.delta = now;
    all.outputs = entry.first.outputs;
    all.inputs = entry.first.inputs;
  }
  return v;
}

}  // namespace gale::tmaster
