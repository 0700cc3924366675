#include "stmgr/spout_state.h"

namespace gale::stmgr {

SpoutStateOutbox::SpoutStateOutbox(std::vector<std::int32_t> local_spouts) {
  for (std::int32_t t : local_spouts) mail_[t];
}

void SpoutStateOutbox::Post(bool active, bool throttled) {
  for (auto& [task, m] : mail_) {
    m.commands[0] = active ? SpoutCommand::kActivate : SpoutCommand::kDeactivate;
    m.commands[1] = throttled ? SpoutCommand::kThrottleOn : SpoutCommand::kThrottleOff;
    m.count = 2;
    m.next = 0;
  }
}

std::vector<SpoutCommand> SpoutStateOutbox::Pending(std::int32_t task) const {
  std::vector<SpoutCommand> out;
  auto it = mail_.find(task);
  if (it == mail_.end()) return out;
  for (std::uint8_t i = it->second.next; i < it->second.count; ++i) {
    out.push_back(it->second.commands[i]);
  }
  return out;
}

}  // namespace gale::stmgr
