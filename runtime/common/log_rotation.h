#pragma once

// Size cap and rotation of a process's own log: the file Spawn
// (common/process.h) opened its stdout and stderr on, which also holds what
// user code prints. Once the log is past `max_bytes`, Rotate renames
// <log>.N-1 to <log>.N, ..., <log> to <log>.1 (the oldest beyond
// `max_files` is overwritten) and points stdout and stderr at a fresh <log>
// with dup2(2), so every later write, from any thread and any library, lands
// in the new file.
//
//   <log>      being written
//   <log>.1    the previous one, each at least max_bytes
//   ...
//   <log>.N    the oldest kept (N = max_files)
//
// MaybeRotate checks (one fstat) at most once per `interval`, from a loop the
// process runs anyway, never per tuple; a log can exceed its cap by what the
// process writes within one interval. Nothing happens when stderr is not the
// file at `path` (a role started by hand on a terminal).
//
// Thread-safety: one thread calls MaybeRotate and Rotate.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace gale {

struct LogRotationOptions {
  std::string path;                 // "" turns rotation off
  std::int64_t max_bytes = 64 << 20;
  int max_files = 3;                // rotated files kept besides <log>
  std::chrono::milliseconds interval{1000};
};

class LogRotation {
 public:
  using Clock = std::chrono::steady_clock;
  LogRotation() = default;  // off
  explicit LogRotation(LogRotationOptions options) : options_(std::move(options)) {}

  // Rotates when `interval` has passed since the last check and the log is
  // past its cap; true if it rotated. Failures are logged once per kind.
  bool MaybeRotate(Clock::time_point now = Clock::now());
  // Checks now; true if the log was past its cap and was rotated.
  Result<bool> Rotate();

  const LogRotationOptions& options() const { return options_; }

 private:
  LogRotationOptions options_;
  Clock::time_point next_check_{};
  bool failure_logged_ = false;
};

}  // namespace gale
