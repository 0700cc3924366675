#include "bolts/forgetful_bolt.h"

namespace gale::builtin {

void ForgetfulBolt::Prepare(const Config& config, const TopologyContext& context,
                            OutputCollector& collector) {
  collector_ = &collector;
  fraction_ = GetFraction(config, "ForgetfulBolt", "forget.fraction");
  sampler_ = FractionSampler(TaskSeed(config, context));
}

void ForgetfulBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  collector_->Emit(tuple, tuple.GetValues());
  if (sampler_.Next(fraction_)) {
    ++forgotten_;
    return;
  }
  collector_->Ack(tuple);
}

void ForgetfulBolt::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(PassThroughFields(declarer.config(), "ForgetfulBolt"));
}

GALE_REGISTER_BOLT(ForgetfulBolt);

}  // namespace gale::builtin
