#include "spouts/sequence_spout.h"

#include <string>

#include "spouts/spout_support.h"

namespace gale::builtin {
namespace {
constexpr std::string_view kSequenceSpout = "SequenceSpout";
}  // namespace

void SequenceSpout::Open(const Config& config, const TopologyContext& context,
                         SpoutOutputCollector& collector) {
  collector_ = &collector;
  count_ =
      static_cast<std::uint64_t>(CheckAtLeast(config, kSequenceSpout, "count", config.GetInt("count"), 0));
  start_ = config.GetInt("start", 1);
  max_replays_ = config.GetInt("max.replays", -1);
  batch_ = CheckAtLeast(config, kSequenceSpout, "batch", config.GetInt("batch", 1), 1);
  int parallelism = context.ComponentParallelism();
  stride_ = parallelism > 0 ? static_cast<std::uint64_t>(parallelism) : 1;
  next_offset_ = static_cast<std::uint64_t>(context.TaskIndex());
}

void SequenceSpout::EmitId(MessageId id) {
  // Callers record the id in in_flight_ first: with acking off the runtime
  // acks it right after NextTuple (Storm's behaviour).
  collector_->Emit(Values{static_cast<std::int64_t>(id)}, id);
}

void SequenceSpout::NextTuple() {
  for (std::int64_t i = 0; i < batch_; ++i) {
    MessageId id;
    const std::int64_t* replays;
    if (in_flight_.NextReplay(&id, &replays)) {
      EmitId(id);
      continue;
    }
    if (next_offset_ >= count_) return;
    id = static_cast<MessageId>(start_ + static_cast<std::int64_t>(next_offset_));
    next_offset_ += stride_;
    in_flight_.Add(id, 0);
    EmitId(id);
  }
}

void SequenceSpout::Ack(MessageId id) { in_flight_.Ack(id); }

void SequenceSpout::Fail(MessageId id) {
  std::int64_t* replays = in_flight_.FailedPayload(id);
  if (replays == nullptr) return;
  if (max_replays_ >= 0 && *replays >= max_replays_) {
    in_flight_.Drop(id);
    ++dropped_;
    collector_->ReportError(std::string(kSequenceSpout) + ": id " +
                            std::to_string(static_cast<std::int64_t>(id)) + " failed after " +
                            std::to_string(max_replays_) + " replays; dropping it (" +
                            std::to_string(dropped_) + " dropped so far)");
    return;
  }
  ++*replays;
  in_flight_.Queue(id);
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
