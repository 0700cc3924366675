#include "bolts/kafka/kafka_bolt_options.h"

#include "bolts/kafka/record_format.h"
#include "spouts/kafka/kafka_properties.h"

namespace gale::kafka {
namespace {

constexpr std::string_view kBoltClassName = "KafkaBolt";
constexpr std::string_view kDefaultValueField = "value";

std::string NonEmpty(const Config& config, std::string_view key) {
  if (!config.Has(key)) return "";
  std::string value = config.GetString(key);
  if (value.empty()) {
    throw ConfigError(ComponentName(config, kBoltClassName) + ": property '" + std::string(key) +
                      "' must not be empty");
  }
  return value;
}

// The value of `field`, or nullptr with `*error` set.
const Value* FieldValue(const Tuple& tuple, const std::string& field, std::string_view purpose,
                        std::string* error) {
  std::optional<std::size_t> index = tuple.Fields().IndexOf(field);
  if (!index || *index >= tuple.size()) {
    *error = "tuple from " + tuple.SourceComponent() + "/" + tuple.SourceStream() + " " +
             tuple.Fields().ToString() + " has no field '" + field + "' (" + std::string(purpose) +
             ")";
    return nullptr;
  }
  return &tuple[*index];
}

}  // namespace

KafkaBoltOptions KafkaBoltOptions::FromConfig(const Config& config) {
  KafkaBoltOptions o;
  o.librdkafka = LibrdkafkaProperties(config, kBoltClassName, "producer");
  o.bootstrap_servers = BootstrapServers(config, kBoltClassName, o.librdkafka);
  o.topic = NonEmpty(config, "topic");
  o.topic_field = NonEmpty(config, "topic.field");
  if (o.topic.empty() == o.topic_field.empty()) {
    throw ConfigError(ComponentName(config, kBoltClassName) +
                      ": set exactly one of the properties 'topic' (a fixed topic) and "
                      "'topic.field' (the field holding the topic)");
  }
  o.key_field = NonEmpty(config, "key.field");
  o.value_field = NonEmpty(config, "value.field");
  std::string format = config.GetString("value.format", "text");
  if (format == "json") {
    o.value_format = ValueFormat::kJson;
  } else if (format != "text") {
    throw ConfigError(ComponentName(config, kBoltClassName) +
                      ": property 'value.format' must be 'text' or 'json', got '" + format + "'");
  }
  std::string tombstones = config.GetString("tombstones", "produce");
  if (tombstones == "skip") {
    o.tombstones = BoltTombstones::kSkip;
  } else if (tombstones != "produce") {
    throw ConfigError(ComponentName(config, kBoltClassName) +
                      ": property 'tombstones' must be 'produce' (a null value field becomes a "
                      "record with a null value) or 'skip' (no record; the tuple is acked and "
                      "counted as dropped), got '" + tombstones + "'");
  }
  o.flush_timeout_ms = config.GetInt("flush.timeout.ms", 10000);
  if (o.flush_timeout_ms < 0) {
    throw ConfigError(ComponentName(config, kBoltClassName) +
                      ": property 'flush.timeout.ms' must be >= 0, got " +
                      std::to_string(o.flush_timeout_ms));
  }
  return o;
}

std::optional<OutgoingRecord> MakeRecord(const KafkaBoltOptions& options, const Tuple& tuple,
                                         std::string* error) {
  OutgoingRecord record;
  if (!options.topic_field.empty()) {
    const Value* v = FieldValue(tuple, options.topic_field, "topic.field", error);
    if (v == nullptr) return std::nullopt;
    std::optional<std::string> topic = RenderText(*v);
    if (!topic || topic->empty()) {
      *error = "field '" + options.topic_field + "' (topic.field) is empty or null in " +
               tuple.ToString();
      return std::nullopt;
    }
    record.topic = std::move(*topic);
  } else {
    record.topic = options.topic;
  }
  if (!options.key_field.empty()) {
    const Value* v = FieldValue(tuple, options.key_field, "key.field", error);
    if (v == nullptr) return std::nullopt;
    record.key = RenderText(*v);
  }
  const bool json = options.value_format == ValueFormat::kJson;
  std::string value_field = options.value_field;
  if (value_field.empty() && (!json || tuple.Fields().Contains(kDefaultValueField))) {
    value_field = std::string(kDefaultValueField);
  }
  if (value_field.empty()) {
    record.value = RenderTupleJson(tuple);
  } else {
    const Value* v =
        FieldValue(tuple, value_field,
                   options.value_field.empty() ? "the default value field; set value.field, or "
                                                 "value.format: json for the whole tuple"
                                               : "value.field",
                   error);
    if (v == nullptr) return std::nullopt;
    if (std::holds_alternative<std::monostate>(*v)) {
      record.value = std::nullopt;  // a tombstone, in either format
    } else if (json) {
      record.value = RenderJson(*v);
    } else {
      record.value = RenderText(*v);
    }
  }
  return record;
}

}  // namespace gale::kafka
