#pragma once

// What the local spout instances should be told: whether the topology is
// active and whether backpressure (this container's or any peer's) holds.
// Only the latest state matters. It waits here, per spout, until the
// instance's pipe takes it (never dropped), and goes out before any data.
//
// Thread: the stream manager's thread only.

#include <cstdint>
#include <map>
#include <vector>

namespace gale::stmgr {

enum class SpoutCommand : std::uint8_t { kActivate, kDeactivate, kThrottleOn, kThrottleOff };

class SpoutStateOutbox {
 public:
  explicit SpoutStateOutbox(std::vector<std::int32_t> local_spouts);

  // Replaces whatever waits for each local spout with this state.
  void Post(bool active, bool throttled);

  // Sends what waits, oldest first per spout; `send(task, command)` returns
  // false when the instance cannot take it now.
  template <typename SendFn>
  void Flush(SendFn&& send) {
    for (auto& [task, m] : mail_) {
      while (m.next < m.count && send(task, m.commands[m.next])) ++m.next;
    }
  }

  // Commands not yet taken by `task`, oldest first.
  std::vector<SpoutCommand> Pending(std::int32_t task) const;

 private:
  struct Mail {
    SpoutCommand commands[2] = {};  // activation, then throttle
    std::uint8_t count = 0;
    std::uint8_t next = 0;
  };
  std::map<std::int32_t, Mail> mail_;
};

}  // namespace gale::stmgr
