#pragma once

#include <cstdint>

#include "bolts/bolt_support.h"
#include "gale/gale.h"

namespace gale::builtin {

// Forwards every input but never acks a fraction of it, so those trees time
// out (topology.message.timeout.secs) and their spouts replay them.
//
// Pass-through: forwards the input values unchanged on the default stream,
// anchored to the input, and declares the output fields listed in property
// `fields` (strings, default a single field `id`); the input should carry
// that many values. Tick tuples are acked and ignored.
//
// Properties:
//   forget.fraction  double  in [0, 1], default 0.
//   seed             int     default 42; task i decides with seed + i.
class ForgetfulBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Double("forget.fraction", 0.0, "share of tuples never acked, 0 to 1")
        .Range(0, 1)
        .Int("seed", 42, "task i decides with seed + i")
        .Range(-kMaxBoltSeed, kMaxBoltSeed)
        .Declare("fields", ConfigType::kList, "output field names");
  }

  std::uint64_t forgotten() const { return forgotten_; }

 private:
  OutputCollector* collector_ = nullptr;
  double fraction_ = 0;
  FractionSampler sampler_;
  std::uint64_t forgotten_ = 0;
};

}  // namespace gale::builtin
