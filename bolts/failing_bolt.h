#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bolts/bolt_support.h"
#include "gale/gale.h"

namespace gale::builtin {

// Fails a fraction of its input, and every tuple carrying a chosen value
// (a "poison" record), and forwards and acks the rest.
//
// Pass-through: forwards the input values unchanged on the default stream,
// anchored to the input, and declares the output fields listed in property
// `fields` (strings, default a single field `id`); the input should carry
// that many values. Tick tuples are acked and ignored.
//
// Properties:
//   fail.fraction  double  in [0, 1], default 0.
//   seed           int     default 42; task i decides with seed + i, so a run
//                          fails the same tuples of the same input order.
//   fail.value     string  when set, every tuple whose field `fail.field`
//                          is this string is failed, every time.
//   fail.field     string  default "value".
class FailingBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Double("fail.fraction", 0.0, "share of tuples failed, 0 to 1")
        .Range(0, 1)
        .Int("seed", 42, "task i decides with seed + i")
        .Range(-kMaxBoltSeed, kMaxBoltSeed)
        .Declare("fields", ConfigType::kList, "output field names")
        .Declare("fail.value", ConfigType::kString, "fail every tuple with this value")
        .String("fail.field", "value", "the field fail.value is compared with");
  }

  std::uint64_t failed() const { return failed_; }

 private:
  // The tuple carries fail.value in fail.field.
  bool Poisoned(const Tuple& tuple) const;

  OutputCollector* collector_ = nullptr;
  double fraction_ = 0;
  std::optional<std::string> fail_value_;
  std::string fail_field_;
  FractionSampler sampler_;
  std::uint64_t failed_ = 0;
};

}  // namespace gale::builtin
