#include "bolts/slow_bolt.h"

#include <chrono>
#include <thread>

namespace gale::builtin {

void SlowBolt::Prepare(const Config& config, const TopologyContext& context,
                       OutputCollector& collector) {
  collector_ = &collector;
  bool has_us = config.Has("sleep.us");
  bool has_ms = config.Has("sleep.ms");
  if (has_us && has_ms) {
    throw ConfigError(DescribeOwner(config, "SlowBolt") +
                      ": set only one of the properties 'sleep.us' and 'sleep.ms'");
  }
  constexpr std::int64_t kHourUs = 3'600'000'000;
  const char* key = has_ms ? "sleep.ms" : "sleep.us";
  std::int64_t scale = has_ms ? 1000 : 1;
  std::int64_t value = config.GetInt(key, 1000 / scale);
  if (value < 0 || value > kHourUs / scale) {
    throw ConfigError(DescribeOwner(config, "SlowBolt") + ": property '" + key +
                      "' must be between 0 and " + std::to_string(kHourUs / scale) +
                      " (one hour), got " + std::to_string(value));
  }
  sleep_us_ = value * scale;
}

void SlowBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  if (sleep_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(sleep_us_));
  collector_->Emit(tuple, tuple.GetValues());
  collector_->Ack(tuple);
}

void SlowBolt::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(PassThroughFields(declarer.config(), "SlowBolt"));
}

GALE_REGISTER_BOLT(SlowBolt);

}  // namespace gale::builtin
