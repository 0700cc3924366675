#include "paced_spout.h"

namespace gale::examples {

void PacedSpout::Open(const Config& config, const TopologyContext& context,
                      SpoutOutputCollector& collector) {
  collector_ = &collector;
  std::int64_t interval_ms = config.GetInt("interval.ms", 100);
  if (interval_ms < 0) {
    throw ConfigError(config.owner() + ": property 'interval.ms' must be >= 0, got " +
                      std::to_string(interval_ms));
  }
  interval_ = std::chrono::milliseconds(interval_ms);
  count_ = config.GetInt("count", -1);
  random_.seed(static_cast<std::uint64_t>(config.GetInt("seed", 42) + context.TaskIndex()));
  next_sequence_ = static_cast<std::uint64_t>(context.TaskIndex());
  stride_ = static_cast<std::uint64_t>(std::max(1, context.ComponentParallelism()));
  next_emit_ = Clock::now();
  Configure(config);
}

void PacedSpout::NextTuple() {
  while (!replay_.empty()) {
    MessageId id = replay_.front();
    replay_.pop_front();
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) continue;
    collector_->Emit(it->second, id);
    return;
  }
  if (count_ >= 0 && next_sequence_ >= static_cast<std::uint64_t>(count_)) return;
  Clock::time_point now = Clock::now();
  if (now < next_emit_) return;
  next_emit_ = std::max(next_emit_ + interval_, now);
  const std::uint64_t sequence = next_sequence_;
  next_sequence_ += stride_;
  const MessageId id = sequence + 1;
  Values values = Make(sequence);
  in_flight_.emplace(id, values);
  collector_->Emit(std::move(values), id);
}

void PacedSpout::Ack(MessageId id) { in_flight_.erase(id); }

void PacedSpout::Fail(MessageId id) {
  if (in_flight_.count(id) > 0) replay_.push_back(id);
}

bool PacedSpout::Exhausted() const {
  return count_ >= 0 && next_sequence_ >= static_cast<std::uint64_t>(count_) && in_flight_.empty();
}

}  // namespace gale::examples
