#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gale/gale.h"
#include "spouts/kafka/kafka_properties.h"

namespace gale::kafka {

enum class ValueFormat {
  kText,  // values as text (see RenderText)
  kJson,  // values as JSON; without value.field the whole tuple as an object
};

// What the bolt does with a tuple whose value field is null.
enum class BoltTombstones {
  kProduce,  // write a record with a null value (a tombstone)
  kSkip,     // write nothing; ack the tuple and count it as dropped
};

// KafkaBolt's settings, read once from the component Config. See
// kafka_bolt.h for the property names and defaults.
struct KafkaBoltOptions {
  std::string bootstrap_servers;
  std::string topic;        // fixed topic, or
  std::string topic_field;  // the field holding the topic
  std::string key_field;    // "" = records without key
  std::string value_field;  // "" = field "value", else (json) the whole tuple
  ValueFormat value_format = ValueFormat::kText;
  BoltTombstones tombstones = BoltTombstones::kProduce;
  // librdkafka producer settings from kafka.* / kafka.producer.*, in order.
  LibrdkafkaSettings librdkafka;
  std::int64_t flush_timeout_ms = 10000;

  // Throws ConfigError naming the component and the property.
  static KafkaBoltOptions FromConfig(const Config& config);
};

// What one input tuple becomes.
struct OutgoingRecord {
  std::string topic;
  std::optional<std::string> key;    // nullopt: no key
  std::optional<std::string> value;  // nullopt: null value (tombstone)
};

// The record for `tuple`, or nullopt with `*error` saying what is missing.
std::optional<OutgoingRecord> MakeRecord(const KafkaBoltOptions& options, const Tuple& tuple,
                                         std::string* error);

}  // namespace gale::kafka
