#pragma once

#include <string>
#include <vector>

#include "gale/config.h"
#include "gale/value.h"

namespace gale {

// A user-defined stream grouping (Flux `grouping: {type: CUSTOM,
// customClass: Name}`), registered with GALE_REGISTER_GROUPING. One object
// exists per emitting task and stream; it runs on that task's thread. Unlike
// the built-in groupings it sees the decoded values.
class CustomGrouping {
 public:
  virtual ~CustomGrouping() = default;
  // `target_tasks` are the task ids of the subscribing component, ascending.
  // `args` holds the grouping's `args` list under the key "args".
  virtual void Prepare(const std::string& /*source_component*/, const std::string& /*stream*/,
                       const std::vector<int>& /*target_tasks*/, const Config& /*args*/) {}
  // Task ids (from target_tasks) that receive this tuple; may be empty.
  virtual std::vector<int> ChooseTasks(int source_task, const Values& values) = 0;
};

}  // namespace gale
