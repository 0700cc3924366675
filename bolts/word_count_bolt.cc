#include "bolts/word_count_bolt.h"

namespace gale::builtin {

void WordCountBolt::Prepare(const Config& config, const TopologyContext& context,
                            OutputCollector& collector) {
  collector_ = &collector;
}

void WordCountBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  // Every tuple of one input stream shares one Fields object.
  if (&tuple.Fields() != word_fields_) {
    word_fields_ = &tuple.Fields();
    word_index_ = word_fields_->IndexOf("word").value_or(0);
  }
  const std::string& word = tuple.GetString(word_index_);
  auto it = counts_.find(std::string_view(word));
  if (it == counts_.end()) it = counts_.emplace(word, 0).first;
  std::get<std::string>(out_[0]) = word;
  out_[1] = ++it->second;
  collector_->Emit(tuple, out_);  // out_ is reused: no allocation per emit
  collector_->Ack(tuple);
}

std::int64_t WordCountBolt::CountOf(std::string_view word) const {
  auto it = counts_.find(word);
  return it == counts_.end() ? 0 : it->second;
}

void WordCountBolt::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"word", "count"});
}

GALE_REGISTER_BOLT(WordCountBolt);

}  // namespace gale::builtin
