#include "spouts/random_sentence_spout.h"

namespace gale::builtin {
namespace {
constexpr std::string_view kRandomSentenceSpout = "RandomSentenceSpout";
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
        static_cast<std::uint64_t>(CheckAtLeast(config, kRandomSentenceSpout, "count", config.GetInt("count"), 0));
  }
  reliable_ = config.GetBool("reliable", true);
  batch_ = CheckAtLeast(config, kRandomSentenceSpout, "batch", config.GetInt("batch", 1), 1);
}

void RandomSentenceSpout::NextTuple() {
  std::string& text = std::get<std::string>(out_[0]);
  for (std::int64_t i = 0; i < batch_; ++i) {
    MessageId id;
    const std::uint32_t* replayed;
    if (pending_.NextReplay(&id, &replayed)) {
      text = kSentences[*replayed];
      collector_->Emit(out_, id);
      continue;
    }
    if (limit_ && emitted_ >= *limit_) return;
    ++emitted_;
    std::uint32_t sentence = rng_.Below(static_cast<std::uint32_t>(kSentenceCount));
    text = kSentences[sentence];
    if (!reliable_) {
      collector_->Emit(out_);
      continue;
    }
    // Recorded before the emit: with acking off the runtime acks it right
    // after NextTuple (Storm's behaviour).
    id = next_id_++;
    pending_.Add(id, sentence);
    collector_->Emit(out_, id);
  }
}

void RandomSentenceSpout::Ack(MessageId id) { pending_.Ack(id); }

void RandomSentenceSpout::Fail(MessageId id) { pending_.Queue(id); }

bool RandomSentenceSpout::Exhausted() const {
  // Every failed sentence is still in pending_ until it is acked.
  return limit_ && emitted_ >= *limit_ && pending_.empty();
}

void RandomSentenceSpout::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"sentence"});
}

GALE_REGISTER_SPOUT(RandomSentenceSpout);

}  // namespace gale::builtin
