#pragma once

#include <string>

#include "gale/gale.h"

namespace gale::builtin {

// Splits a text field on whitespace and emits field `word` once per word,
// anchored to the input, then acks the input. Tick tuples are acked and
// ignored.
//
// Properties:
//   field  string  the input field to split; default the first field.
class SplitSentenceBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.String("field", "", "input field to split; default the first");
  }

 private:
  OutputCollector* collector_ = nullptr;
  Values word_{std::string()};  // reused for every emitted word
  std::string field_;  // empty: the first field
};

}  // namespace gale::builtin
