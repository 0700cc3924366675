#include "state/record_writer.h"

#include "common/log.h"

namespace gale::state {

RecordWriter::RecordWriter(StateManager* sm, std::string topology, std::string logger,
                           std::chrono::milliseconds interval)
    : sm_(sm),
      topology_(std::move(topology)),
      logger_(std::move(logger)),
      interval_(interval),
      limiter_(std::chrono::seconds(10)) {}

void RecordWriter::LogFailure(const Status& status) {
  if (auto suppressed = limiter_.Allow(Clock::now())) {
    Logger(logger_)->error("{}{}", status.message(), SuppressedSuffix(*suppressed));
  }
}

Status RecordWriter::Write(const std::string& key, std::string bytes) {
  Status s = sm_->Write(topology_, key, bytes);
  if (s.ok()) {
    kept_.erase(key);
    return s;
  }
  LogFailure(s);
  kept_[key] = std::move(bytes);
  last_attempt_ = Clock::now();
  return s;
}

Status RecordWriter::WriteOnce(const std::string& key, const std::string& bytes) {
  Status s = sm_->Write(topology_, key, bytes);
  if (!s.ok()) LogFailure(s);
  return s;
}

bool RecordWriter::Retry(Clock::time_point now) {
  if (kept_.empty()) return true;
  if (now - last_attempt_ < interval_) return false;
  last_attempt_ = now;
  for (auto it = kept_.begin(); it != kept_.end();) {
    Status s = sm_->Write(topology_, it->first, it->second);
    if (!s.ok()) {
      LogFailure(s);
      return false;  // the next ones would most likely fail alike
    }
    Logger(logger_)->info("record '{}' of topology '{}' written after an earlier failure",
                          it->first, topology_);
    it = kept_.erase(it);
  }
  return true;
}

}  // namespace gale::state
