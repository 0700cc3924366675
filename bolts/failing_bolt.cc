#include "bolts/failing_bolt.h"

namespace gale::builtin {

void FailingBolt::Prepare(const Config& config, const TopologyContext& context,
                          OutputCollector& collector) {
  collector_ = &collector;
  fraction_ = GetFraction(config, "FailingBolt", "fail.fraction");
  sampler_ = FractionSampler(TaskSeed(config, context));
}

void FailingBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  if (sampler_.Next(fraction_)) {
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
