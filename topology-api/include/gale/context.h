#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gale {

// Where a task sits in the topology. Built by the runtime; immutable; safe to
// share between threads.
class TopologyContext {
 public:
  struct Layout {
    std::string topology_name;
    // component id -> its task ids, ascending; task indexes follow that order.
    std::map<std::string, std::vector<int>, std::less<>> component_tasks;
  };

  TopologyContext(std::shared_ptr<const Layout> layout, std::string component_id, int task_id,
                  int task_index);

  const std::string& TopologyName() const { return layout_->topology_name; }
  const std::string& ComponentId() const { return component_id_; }
  // Unique in the topology.
  int TaskId() const { return task_id_; }
  // 0..ComponentParallelism()-1 within the component.
  int TaskIndex() const { return task_index_; }
  int ComponentParallelism() const;
  // Task ids of `component`; empty for an unknown component.
  const std::vector<int>& ComponentTasks(const std::string& component) const;
  std::vector<std::string> ComponentIds() const;

 private:
  std::shared_ptr<const Layout> layout_;
  std::string component_id_;
  int task_id_;
  int task_index_;
};

}  // namespace gale
