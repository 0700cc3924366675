#include "tmaster/metrics_store.h"

namespace gale::tmaster {
namespace {

constexpr std::int64_t kSampleEveryNs = 5'000'000'000;
constexpr std::int64_t kMinuteNs = 60'000'000'000;
constexpr std::int64_t kTenMinutesNs = 10 * kMinuteNs;

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
  }
  if (history_.empty() || now_ns - history_.back().ns >= kSampleEveryNs) SampleLocked(now_ns);
}

void MetricsStore::SampleLocked(std::int64_t now_ns) {
  Sample s;
  s.ns = now_ns;
  for (const auto& [task, entry] : tasks_) s.counters[task] = entry.first.counters;
  history_.push_back(std::move(s));
  // Keep one sample at least ten minutes old, for the ten-minute window.
  while (history_.size() > 2 && now_ns - history_[1].ns >= kTenMinutesNs) history_.pop_front();
}

void MetricsStore::CountMalformed() {
  std::lock_guard<std::mutex> lock(mu_);
  ++malformed_;
}

void MetricsStore::SetActive(bool active) {
  std::lock_guard<std::mutex> lock(mu_);
  active_ = active;
}

TopologyView MetricsStore::View(std::int64_t now_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  TopologyView v;
  v.topology = topology_;
  v.plan = plan_;
  v.host = host_;
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
      // The oldest sample inside the window that knew this task.
      for (const Sample& s : history_) {
        if (now_ns - s.ns > spans[w]) continue;
        auto it = s.counters.find(task);
        if (it == s.counters.end()) continue;
        ws.secs = static_cast<double>(now_ns - s.ns) / 1e9;
        ws.delta = now.Minus(it->second);
        break;
      }
    }
    WindowStats& all = t.windows[2];
    all.name = "all";
    auto first = first_seen_ns_.find(task);
    all.secs = first == first_seen_ns_.end() ? 0 : static_cast<double>(now_ns - first->second) / 1e9;
    all.delta = now;
  }
  return v;
}

}  // namespace gale::tmaster
