#pragma once

// The physical layout of a validated topology: task ids, the stream table
// (each output stream of each component gets a topology-wide index carried in
// every tuple header) and, for each stream, its subscriptions. Immutable once
// built and shared by every task of the process.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gale/context.h"
#include "gale/registry.h"
#include "gale/topology.h"
#include "gale/tuple.h"

namespace gale::plan {

struct Subscription {
  int target_component = 0;            // index into TopologyPlan::components()
  GroupingSpec grouping;
  std::vector<std::int32_t> target_tasks;  // ascending
  std::vector<std::size_t> key_indexes;    // FIELDS: key positions in the stream's fields
};

struct StreamInfo {
  std::uint32_t index = 0;
  int component = 0;                   // emitting component index
  internal::StreamMeta meta;           // component id, stream id, fields
  std::vector<Subscription> subscribers;
  bool has_direct = false;             // some subscriber uses DIRECT
};

struct ComponentInfo {
  int index = 0;
  ComponentKind kind = ComponentKind::kBolt;
  std::string id;
  std::string class_name;
  int parallelism = 1;
  std::vector<std::int32_t> tasks;     // ascending task ids
  Config config;                       // layered: defaults < topology < component < properties
  std::map<std::string, std::uint32_t, std::less<>> streams;  // stream id -> stream index
  bool acking = true;
  double tick_freq_secs = 0;           // 0 = no tick tuples
  SourceLocation where;
};

// Backpressure thresholds for what is queued towards one task (or one remote
// stream manager): above either high mark it starts, below both low marks it
// ends.
struct Watermarks {
  std::size_t high_bytes = 0;
  std::size_t low_bytes = 0;
  std::size_t high_tuples = 0;
  std::size_t low_tuples = 0;

  bool Above(std::size_t bytes, std::size_t tuples) const {
    return bytes > high_bytes || tuples > high_tuples;
  }
  bool Below(std::size_t bytes, std::size_t tuples) const {
    return bytes < low_bytes && tuples < low_tuples;
  }
};

struct TaskInfo {
  std::int32_t task_id = 0;
  int component = 0;
  int task_index = 0;
};

class TopologyPlan {
 public:
  // Builds the plan of a topology that passed topology::ValidateTopology.
  static Result<std::shared_ptr<const TopologyPlan>> Build(const TopologySpec& spec,
                                                           const Registry& registry);

  const std::string& name() const { return name_; }
  const Config& topology_config() const { return topology_config_; }
  const std::vector<ComponentInfo>& components() const { return components_; }
  const std::vector<StreamInfo>& streams() const { return streams_; }
  // Indexed by task id; entry 0 is unused (task ids start at 1).
  const std::vector<TaskInfo>& tasks() const { return tasks_; }
  std::int32_t max_task_id() const { return static_cast<std::int32_t>(tasks_.size()) - 1; }
  const TaskInfo& task(std::int32_t id) const { return tasks_[static_cast<std::size_t>(id)]; }
  const ComponentInfo& component_of(std::int32_t task_id) const {
    return components_[static_cast<std::size_t>(task(task_id).component)];
  }
  const ComponentInfo* FindComponent(std::string_view id) const;
  std::shared_ptr<const TopologyContext::Layout> layout() const { return layout_; }
  // Containers (topology.workers) and the round-robin packing of tasks.
  int workers() const { return workers_; }
  int container_of(std::int32_t task_id) const { return (task_id - 1) % workers_; }
  std::vector<std::int32_t> TasksIn(int container) const;
  const Watermarks& watermarks() const { return watermarks_; }
  // Metadata of tick tuples.
  const internal::StreamMeta& tick_meta() const { return tick_meta_; }

 private:
  std::string name_;
  Config topology_config_;
  std::vector<ComponentInfo> components_;
  std::vector<StreamInfo> streams_;
  std::vector<TaskInfo> tasks_;
  std::shared_ptr<TopologyContext::Layout> layout_;
  internal::StreamMeta tick_meta_;
  int workers_ = 1;
  Watermarks watermarks_;
};

}  // namespace gale::plan
