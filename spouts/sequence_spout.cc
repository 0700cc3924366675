#include "spouts/sequence_spout.h"

#include <string>

#include "spouts/spout_support.h"

namespace gale::builtin {
namespace {
constexpr std::string_view kName = "SequenceSpout";
}  // namespace

void SequenceSpout::Open(const Config& config, const TopologyContext& context,
                         SpoutOutputCollector& collector) {
  collector_ = &collector;
  count_ =
      static_cast<std::uint64_t>(CheckAtLeast(config, kName, "count", config.GetInt("count"), 0));
  start_ = config.GetInt("start", 1);
  max_replays_ = config.GetInt("max.replays", -1);
  batch_ = CheckAtLeast(config, kName, "batch", config.GetInt("batch", 1), 1);
  int parallelism = context.ComponentParallelism();
  stride_ = parallelism > 0 ? static_cast<std::uint64_t>(parallelism) : 1;
  next_offset_ = static_cast<std::uint64_t>(context.TaskIndex());
}

void SequenceSpout::EmitId(MessageId id) {
  // Callers create the in_flight_ entry first: with acking off the runtime
  // calls Ack(id) from inside Emit (Storm's behaviour).
  collector_->Emit(Values{static_cast<std::int64_t>(id)}, id);
}

void SequenceSpout::NextTuple() {
  for (std::int64_t i = 0; i < batch_; ++i) {
    if (!replay_.empty()) {
      MessageId id = replay_.front();
      replay_.pop_front();
      auto it = in_flight_.find(id);
      if (it == in_flight_.end()) continue;  // acked after it failed
      it->second.queued = false;
      EmitId(id);
      continue;
    }
    if (next_offset_ >= count_) return;
    auto id = static_cast<MessageId>(start_ + static_cast<std::int64_t>(next_offset_));
    next_offset_ += stride_;
    in_flight_.emplace(id, InFlight{});
    EmitId(id);
  }
}

void SequenceSpout::Ack(MessageId id) { in_flight_.erase(id); }

void SequenceSpout::Fail(MessageId id) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end() || it->second.queued) return;
  if (max_replays_ >= 0 && it->second.replays >= max_replays_) {
    in_flight_.erase(it);
    ++dropped_;
    collector_->ReportError(std::string(kName) + ": id " +
                            std::to_string(static_cast<std::int64_t>(id)) + " failed after " +
                            std::to_string(max_replays_) + " replays; dropping it (" +
                            std::to_string(dropped_) + " dropped so far)");
    return;
  }
  ++it->second.replays;
  it->second.queued = true;
  replay_.push_back(id);
}

bool SequenceSpout::Exhausted() const {
  // A failed id stays in in_flight_ until it is acked or dropped.
  return next_offset_ >= count_ && in_flight_.empty();
}

void SequenceSpout::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"id"});
}

GALE_REGISTER_SPOUT(SequenceSpout);

}  // namespace gale::builtin
