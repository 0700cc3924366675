#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gale/gale.h"
#include "spouts/kafka/kafka_properties.h"

namespace gale::kafka {

// Where a partition starts when it is first assigned (storm-kafka-client's
// FirstPollOffsetStrategy).
enum class FirstPollOffsetStrategy {
  kEarliest,             // the beginning, ignoring commits (once per run)
  kLatest,               // the end, ignoring commits (once per run)
  kUncommittedEarliest,  // the committed offset, else the beginning
  kUncommittedLatest,    // the committed offset, else the end
};

// How a record becomes a tuple.
enum class Translator {
  kDefault,  // fields topic, partition, offset, key, value
  kValue,    // field value
};

// What the spout does with a tombstone (a record whose value is null).
enum class SpoutTombstones {
  kEmit,  // emit it; the value field is null
  kSkip,  // do not emit it; count it as dropped and commit past it
};

// max.retries when unset: a record is processed at most 11 times (the first
// time and 10 replays), then dead-lettered or dropped.
inline constexpr std::int64_t kDefaultMaxRetries = 10;

// KafkaSpout's settings, read once from the component Config. See
// kafka_spout.h for the property names and defaults.
struct KafkaSpoutOptions {
  std::string bootstrap_servers;
  std::vector<std::string> topics;
  std::string group_id;
  FirstPollOffsetStrategy first_poll = FirstPollOffsetStrategy::kUncommittedEarliest;
  Translator translator = Translator::kDefault;
  bool bytes = false;  // key and value as Bytes instead of strings
  // librdkafka consumer settings from kafka.* / kafka.consumer.*, in order.
  LibrdkafkaSettings librdkafka;
  std::int64_t max_retries = kDefaultMaxRetries;  // -1: replay without limit
  // Where records that exhausted max.retries are written; "" = nowhere
  // (they are dropped and counted).
  std::string dead_letter_topic;
  // librdkafka producer settings of the dead-letter producer, from kafka.*
  // and kafka.producer.*, in order; empty without a dead-letter topic.
  LibrdkafkaSettings dead_letter_librdkafka;
  SpoutTombstones tombstones = SpoutTombstones::kEmit;
  bool bounded = false;
  std::int64_t max_records = -1;  // < 0: no limit
  std::int64_t commit_period_ms = 5000;
  std::int64_t poll_timeout_ms = 0;
  std::int64_t metadata_timeout_ms = 10000;

  // Throws ConfigError naming the component and the property.
  // `topology_name` and `component_id` make the default group id.
  static KafkaSpoutOptions FromConfig(const Config& config, const std::string& topology_name,
                                      const std::string& component_id);
};

// Property `translator` alone (DeclareOutputFields needs only this).
Translator TranslatorFromConfig(const Config& config);
Fields TranslatorFields(Translator translator);

// "EARLIEST", ...
const char* FirstPollOffsetStrategyName(FirstPollOffsetStrategy strategy);

}  // namespace gale::kafka
