#include "task/task_metrics.h"

#include <map>
#include <utility>

namespace gale::task {
namespace {

metrics::StreamCounters Read(const StreamMetrics &m) {
  metrics::StreamCounters c;
  c.emitted = m.emitted.Get();
  c.transferred = m.transferred.Get();
  c.executed = m.executed.Get();
  c.acked = m.acked.Get();
  c.failed = m.failed.Get();
  return c;
}

void Add(const std::vector<metrics::StreamStats> &earlier,
         std::vector<metrics::StreamStats> *now) {
  std::map<std::pair<std::string, std::string>, const metrics::StreamCounters *>
      by_name;
  for (const metrics::StreamStats &s : earlier)
    by_name[{s.component, s.stream}] = &s.counters;
  for (metrics::StreamStats &s : *now) {
    auto it = by_name.find({s.component, s.stream});
    if (it != by_name.end())
      s.counters = s.counters.Plus(*it->second);
  }
}

} // namespace

void StreamsOf(const plan::TopologyPlan &plan, std::int32_t task_id,
               const TaskMetrics &m, metrics::TaskSnapshot *snapshot) {
  snapshot->outputs.clear();
  snapshot->inputs.clear();
  const plan::ComponentInfo &component = plan.component_of(task_id);
  for (const plan::StreamInfo &s : plan.streams()) {
    metrics::StreamStats st{s.meta.component, s.meta.stream, {}};
    if (s.index < m.streams.size())
      st.counters = Read(m.streams[s.index]);
    if (s.component == component.index) {
      st.counters.executed = st.counters.acked = st.counters.failed = 0;
      snapshot->outputs.push_back(st);
    }
    for (const plan::Subscription &sub : s.subscribers) {
      if (sub.target_component != component.index)
        continue;
      st.counters.emitted = st.counters.transferred = 0;
      snapshot->inputs.push_back(std::move(st));
      break;
    }
  }
  if (component.tick_freq_secs > 0) {
    metrics::StreamStats tick{
        std::string(kSystemComponent), std::string(kTickStream), {}};
    tick.counters.executed = m.tick.executed.Get();
    snapshot->inputs.push_back(std::move(tick));
  }
}

void AddStreams(const metrics::TaskSnapshot &earlier,
                metrics::TaskSnapshot *snapshot) {
  Add(earlier.outputs, &snapshot->outputs);
  Add(earlier.inputs, &snapshot->inputs);
}

} // namespace gale::task
