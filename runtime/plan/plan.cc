#include "plan/plan.h"

#include "topology/defaults.h"
#include "topology/validate.h"

namespace gale::plan {

const ComponentInfo* TopologyPlan::FindComponent(std::string_view id) const {
  for (const auto& c : components_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::vector<std::int32_t> TopologyPlan::TasksIn(int container) const {
  std::vector<std::int32_t> tasks;
  for (std::int32_t t = 1; t <= max_task_id(); ++t) {
    if (container_of(t) == container) tasks.push_back(t);
  }
  return tasks;
}

Result<std::shared_ptr<const TopologyPlan>> TopologyPlan::Build(const TopologySpec& spec,
                                                                const Registry& registry) {
  auto plan = std::shared_ptr<TopologyPlan>(new TopologyPlan());
  plan->name_ = spec.name;
  plan->topology_config_ = topology::DefaultTopologyConfig();
  plan->topology_config_.MergeFrom(spec.config);
  try {
    const Config& tc = plan->topology_config_;
    plan->workers_ = static_cast<int>(tc.GetInt(topology::kWorkersKey, 1));
    auto get = [&](std::string_view key, std::int64_t fallback) {
      return static_cast<std::size_t>(tc.GetInt(key, fallback));
    };
    plan->watermarks_.high_bytes = get(topology::kBackpressureHighWatermarkBytesKey,
                                       topology::kDefaultBackpressureHighWatermarkBytes);
    plan->watermarks_.low_bytes = get(topology::kBackpressureLowWatermarkBytesKey,
                                      topology::kDefaultBackpressureLowWatermarkBytes);
    plan->watermarks_.high_tuples = get(topology::kBackpressureHighWatermarkTuplesKey,
                                        topology::kDefaultBackpressureHighWatermarkTuples);
    plan->watermarks_.low_tuples = get(topology::kBackpressureLowWatermarkTuplesKey,
                                       topology::kDefaultBackpressureLowWatermarkTuples);
  } catch (const std::exception& e) {
    return InvalidArgument(e.what());
  }
  if (plan->workers_ < 1) return InvalidArgument("topology.workers must be at least 1");
  plan->layout_ = std::make_shared<TopologyContext::Layout>();
  plan->layout_->topology_name = spec.name;
  plan->tick_meta_ = {std::string(kSystemComponent), std::string(kTickStream), Fields{},
                     internal::kNoStreamIndex};
  plan->tasks_.push_back({});  // task id 0 is unused

  std::int32_t next_task = 1;
  for (const auto* list : {&spec.spouts, &spec.bolts}) {
    for (const ComponentSpec& c : *list) {
      ComponentInfo info;
      info.index = static_cast<int>(plan->components_.size());
      info.kind = c.kind;
      info.id = c.id;
      info.class_name = c.class_name;
      info.parallelism = c.parallelism;
      info.where = c.where;
      info.config = topology::LayeredConfig(spec, c);
      try {
        // Acking is a property of the whole topology: a component-level
        // setting would break the trees that cross it.
        info.acking = topology::AckingEnabled(plan->topology_config_);
        info.tick_freq_secs = info.config.GetDouble("topology.tick.tuple.freq.secs", 0);
      } catch (const std::exception& e) {
        return InvalidArgument(e.what());
      }
      for (int i = 0; i < c.parallelism; ++i) {
        info.tasks.push_back(next_task);
        plan->tasks_.push_back({next_task, info.index, i});
        ++next_task;
      }
      plan->layout_->component_tasks[c.id] = info.tasks;

      // The component's declared streams.
      OutputFieldsDeclarer declarer(&info.config);
      try {
        if (c.kind == ComponentKind::kSpout) {
          auto obj = registry.NewSpout(c.class_name);
          if (!obj) return NotFound("spout class '" + c.class_name + "' is not registered");
          obj->DeclareOutputFields(declarer);
        } else {
          auto obj = registry.NewBolt(c.class_name);
          if (!obj) return NotFound("bolt class '" + c.class_name + "' is not registered");
          obj->DeclareOutputFields(declarer);
        }
      } catch (const std::exception& e) {
        return Status(ErrorCode::kUserCode, "component '" + c.id +
                                                "': DeclareOutputFields threw: " + e.what());
      }
      for (const auto& [stream, fields] : declarer.streams()) {
        StreamInfo s;
        s.index = static_cast<std::uint32_t>(plan->streams_.size());
        s.component = info.index;
        s.meta = {c.id, stream, fields, s.index};
        info.streams[stream] = s.index;
        plan->streams_.push_back(std::move(s));
      }
      plan->components_.push_back(std::move(info));
    }
  }

  for (const StreamSpec& s : spec.streams) {
    const ComponentInfo* from = plan->FindComponent(s.from);
    const ComponentInfo* to = plan->FindComponent(s.to);
    if (from == nullptr || to == nullptr) {
      return InvalidArgument("stream " + s.from + " -> " + s.to + ": unknown component");
    }
    auto it = from->streams.find(s.stream_id);
    if (it == from->streams.end()) {
      return InvalidArgument("stream " + s.from + " -> " + s.to + ": '" + s.from +
                             "' declares no stream '" + s.stream_id + "'");
    }
    StreamInfo& stream = plan->streams_[it->second];
    Subscription sub;
    sub.target_component = to->index;
    sub.grouping = s.grouping;
    sub.target_tasks = to->tasks;
    for (const std::string& f : s.grouping.fields) {
      auto idx = stream.meta.fields.IndexOf(f);
      if (!idx) {
        return InvalidArgument("stream " + s.from + " -> " + s.to + ": no field '" + f + "'");
      }
      sub.key_indexes.push_back(*idx);
    }
    if (s.grouping.type == GroupingType::kDirect) stream.has_direct = true;
    stream.subscribers.push_back(std::move(sub));
  }
  return std::shared_ptr<const TopologyPlan>(std::move(plan));
}

}  // namespace gale::plan
