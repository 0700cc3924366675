#pragma once

// `gale top NAME [--interval SECS] [--once]`: a live view of a submitted
// topology's components, redrawn every interval until `q` (or SIGINT,
// SIGTERM). The terminal is put in raw mode and on the alternate screen
// while it runs and restored on every way out. With --once, or when stdout
// is not a terminal, prints one frame after one interval and exits.

#include <string>

#include "state/state_manager.h"

namespace gale::cli {

inline constexpr double kTopMinIntervalSecs = 0.2;
inline constexpr double kTopMaxIntervalSecs = 3600;

struct TopOptions {
  double interval_secs = 1;  // within [kTopMinIntervalSecs, kTopMaxIntervalSecs]
  bool once = false;
};

// Exit codes as `gale status`: kExitNoTopology (with the same message) when
// there is no topology `name` or it goes away while shown.
int Top(const state::StateManager& sm, const std::string& name, const TopOptions& options);

}  // namespace gale::cli
