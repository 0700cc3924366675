#include "spouts/random_sentence_spout.h"

namespace gale::builtin {
namespace {
constexpr std::string_view kName = "RandomSentenceSpout";
}  // namespace

const std::string_view RandomSentenceSpout::kSentences[kSentenceCount] = {
    "the cow jumped over the moon",
    "an apple a day keeps the doctor away",
    "four score and seven years ago",
    "snow white and the seven dwarfs",
    "i am at two with nature",
    "the quick brown fox jumps over the lazy dog",
    "a journey of a thousand miles begins with a single step",
    "to be or not to be that is the question",
    "all that glitters is not gold",
    "the early bird catches the worm",
};

void RandomSentenceSpout::Open(const Config& config, const TopologyContext& context,
                               SpoutOutputCollector& collector) {
  collector_ = &collector;
  rng_ = SplitMix64(static_cast<std::uint64_t>(config.GetInt("seed", 42) + context.TaskIndex()));
  if (config.Has("count")) {
    limit_ =
        static_cast<std::uint64_t>(CheckAtLeast(config, kName, "count", config.GetInt("count"), 0));
  }
  reliable_ = config.GetBool("reliable", true);
  batch_ = CheckAtLeast(config, kName, "batch", config.GetInt("batch", 1), 1);
}

void RandomSentenceSpout::NextTuple() {
  for (std::int64_t i = 0; i < batch_; ++i) {
    if (!replay_.empty()) {
      MessageId id = replay_.front();
      replay_.pop_front();
      auto it = pending_.find(id);
      if (it == pending_.end()) continue;  // acked after it failed
      it->second.queued = false;
      collector_->Emit(Values{std::string(kSentences[it->second.sentence])}, id);
      continue;
    }
    if (limit_ && emitted_ >= *limit_) return;
    ++emitted_;
    std::uint32_t sentence = rng_.Below(static_cast<std::uint32_t>(kSentenceCount));
    Values values{std::string(kSentences[sentence])};
    if (!reliable_) {
      collector_->Emit(std::move(values));
      continue;
    }
    // With acking off the runtime calls Ack(id) from inside Emit (Storm's
    // behaviour), so the entry must exist before the call.
    MessageId id = next_id_++;
    pending_.emplace(id, Pending{sentence, false});
    collector_->Emit(std::move(values), id);
  }
}

void RandomSentenceSpout::Ack(MessageId id) { pending_.erase(id); }

void RandomSentenceSpout::Fail(MessageId id) {
  auto it = pending_.find(id);
  if (it == pending_.end() || it->second.queued) return;
  it->second.queued = true;
  replay_.push_back(id);
}

bool RandomSentenceSpout::Exhausted() const {
  // Every failed sentence is still in pending_ until it is acked.
  return limit_ && emitted_ >= *limit_ && pending_.empty();
}

void RandomSentenceSpout::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"sentence"});
}

GALE_REGISTER_SPOUT(RandomSentenceSpout);

}  // namespace gale::builtin
