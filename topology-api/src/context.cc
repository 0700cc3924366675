#include "gale/context.h"

namespace gale {

TopologyContext::TopologyContext(std::shared_ptr<const Layout> layout, std::string component_id,
                                 int task_id, int task_index)
    : layout_(std::move(layout)),
      component_id_(std::move(component_id)),
      task_id_(task_id),
      task_index_(task_index) {}

int TopologyContext::ComponentParallelism() const {
  return static_cast<int>(ComponentTasks(component_id_).size());
}

const std::vector<int>& TopologyContext::ComponentTasks(const std::string& component) const {
  static const std::vector<int> kNone;
  auto it = layout_->component_tasks.find(component);
  return it == layout_->component_tasks.end() ? kNone : it->second;
}

std::vector<std::string> TopologyContext::ComponentIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, tasks] : layout_->component_tasks) ids.push_back(id);
  return ids;
}

}  // namespace gale
