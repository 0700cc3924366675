#include "bolts/failing_bolt.h"

namespace gale::builtin {

void FailingBolt::Prepare(const Config& config, const TopologyContext& context,
                          OutputCollector& collector) {
  collector_ = &collector;
  fraction_ = GetFraction(config, "FailingBolt", "fail.fraction");
  sampler_ = FractionSampler(TaskSeed(config, context));
  if (config.Has("fail.value")) fail_value_ = config.GetString("fail.value");
  fail_field_ = config.GetString("fail.field", "value");
}

bool FailingBolt::Poisoned(const Tuple& tuple) const {
  if (!fail_value_) return false;
  std::optional<std::size_t> index = tuple.Fields().IndexOf(fail_field_);
  if (!index || *index >= tuple.size()) return false;
  const auto* text = std::get_if<std::string>(&tuple[*index]);
  return text != nullptr && *text == *fail_value_;
}

void FailingBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  if (sampler_.Next(fraction_) || Poisoned(tuple)) {
    ++failed_;
    collector_->Fail(tuple);
    return;
  }
  collector_->Emit(tuple, tuple.GetValues());
  collector_->Ack(tuple);
}

void FailingBolt::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(PassThroughFields(declarer.config(), "FailingBolt"));
}

GALE_REGISTER_BOLT(FailingBolt);

}  // namespace gale::builtin
