#include "bolts/split_sentence_bolt.h"

#include <string_view>

namespace gale::builtin {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

void SplitSentenceBolt::Prepare(const Config& config, const TopologyContext& context,
                                OutputCollector& collector) {
  collector_ = &collector;
  field_ = config.GetString("field", "");
}

void SplitSentenceBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  std::string_view text = field_.empty() ? tuple.GetString(0) : tuple.GetString(field_);
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    std::size_t begin = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > begin) {
      // One Values reused for every word: no allocation per emit.
      std::get<std::string>(word_[0]).assign(text.data() + begin, i - begin);
      collector_->Emit(tuple, word_);
    }
  }
  collector_->Ack(tuple);
}

void SplitSentenceBolt::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"word"});
}

GALE_REGISTER_BOLT(SplitSentenceBolt);

}  // namespace gale::builtin
