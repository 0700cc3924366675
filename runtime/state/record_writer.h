#pragma once

// Writes state records for a long-running process (the topology master, the
// supervisors, the stream managers and instances) that must keep running
// when the state cannot be written, say on a full disk.
//
// A failed write leaves the previous value of the record in place (the state
// manager never installs an empty or partial record), is logged at most once
// per interval with a count of the failures not logged, and, for Write, is
// kept: Retry() writes the newest kept value of each key again, at most once
// per interval, so the record catches up once space is back. WriteOnce is
// for records rewritten periodically anyway (metrics): nothing is kept.
//
// Single-threaded: one writer per thread that writes.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/rate_limited_log.h"
#include "common/status.h"
#include "state/state_manager.h"

namespace gale::state {

class RecordWriter {
 public:
  using Clock = std::chrono::steady_clock;
  // `sm` must outlive the writer; `logger` names the module logging failures.
  RecordWriter(StateManager* sm, std::string topology, std::string logger,
               std::chrono::milliseconds interval = std::chrono::seconds(1));

  // Writes `key`; on failure logs, keeps the value for Retry and returns the
  // error. A later Write of the same key replaces the kept value.
  Status Write(const std::string& key, std::string bytes);
  template <typename R>
  Status WriteRecord(const std::string& key, const R& record) {
    return Write(key, records::Encode(record));
  }
  // Writes `key`; on failure logs and returns the error, keeping nothing.
  Status WriteOnce(const std::string& key, const std::string& bytes);
  // Drops a kept value (the key was removed or no longer matters).
  void Forget(const std::string& key) { kept_.erase(key); }

  // Writes the kept values again when the interval has passed since the last
  // attempt; true when nothing is kept any more.
  bool Retry(Clock::time_point now = Clock::now());
  // Keys whose last write failed.
  std::size_t pending() const { return kept_.size(); }

 private:
  void LogFailure(const Status& status);

  StateManager* sm_;
  std::string topology_;
  std::string logger_;
  std::chrono::milliseconds interval_;
  std::map<std::string, std::string> kept_;
  Clock::time_point last_attempt_{};
  RateLimiter limiter_;
};

}  // namespace gale::state
