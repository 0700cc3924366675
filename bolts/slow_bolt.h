#pragma once

#include <cstdint>

#include "bolts/bolt_support.h"
#include "gale/gale.h"

namespace gale::builtin {

// Sleeps before forwarding and acking each input: a slow consumer for
// backpressure tests.
//
// Pass-through: forwards the input values unchanged on the default stream,
// anchored to the input, and declares the output fields listed in property
// `fields` (strings, default a single field `id`); the input should carry
// that many values. Tick tuples are acked and ignored.
//
// Properties (at most one of the two; default 1 ms):
//   sleep.us  int  microseconds per tuple, 0 .. one hour.
//   sleep.ms  int  milliseconds per tuple, 0 .. one hour.
class SlowBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Int("sleep.us", 1000, "microseconds per tuple; set this or sleep.ms")
        .Range(0, 3'600'000'000)
        .Declare("sleep.ms", ConfigType::kInt, "milliseconds per tuple; set this or sleep.us")
        .Range(0, 3'600'000)
        .Declare("fields", ConfigType::kList, "output field names");
  }

  std::int64_t sleep_us() const { return sleep_us_; }

 private:
  OutputCollector* collector_ = nullptr;
  std::int64_t sleep_us_ = 1000;
};

}  // namespace gale::builtin
