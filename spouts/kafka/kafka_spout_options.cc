#include "spouts/kafka/kafka_spout_options.h"

#include <algorithm>
#include <cctype>

#include "spouts/kafka/kafka_properties.h"

namespace gale::kafka {
namespace {

constexpr std::string_view kSpoutClassName = "KafkaSpout";

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

[[noreturn]] void Bad(const Config& config, std::string_view key, const std::string& what) {
  throw ConfigError(ComponentName(config, kSpoutClassName) + ": property '" + std::string(key) + "' " +
                    what);
}

std::int64_t AtLeast(const Config& config, std::string_view key, std::int64_t fallback,
                     std::int64_t min) {
  std::int64_t value = config.GetInt(key, fallback);
  if (value < min) {
    Bad(config, key, "must be >= " + std::to_string(min) + ", got " + std::to_string(value));
  }
  return value;
}

void AddTopics(const Config& config, std::string_view key, std::vector<std::string>* topics) {
  if (!config.Has(key)) return;
  std::vector<Value> list = config.GetList(key);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto* name = std::get_if<std::string>(&list[i]);
    if (name == nullptr || name->empty()) {
      Bad(config, key, "element " + std::to_string(i) + " must be a non-empty topic name");
    }
    if (std::find(topics->begin(), topics->end(), *name) == topics->end()) {
      topics->push_back(*name);
    }
  }
}

}  // namespace

Translator TranslatorFromConfig(const Config& config) {
  std::string name = config.GetString("translator", "default");
  if (name == "default") return Translator::kDefault;
  if (name == "value") return Translator::kValue;
  const std::string expected =
      "must be 'default' (fields topic, partition, offset, key, value) or 'value' (field value)";
  Bad(config, "translator", expected + ", got '" + name + "'");
}

Fields TranslatorFields(Translator translator) {
  if (translator == Translator::kValue) return Fields{"value"};
  return Fields{"topic", "partition", "offset", "key", "value"};
}

const char* FirstPollOffsetStrategyName(FirstPollOffsetStrategy strategy) {
  switch (strategy) {
    case FirstPollOffsetStrategy::kEarliest: return "EARLIEST";
    case FirstPollOffsetStrategy::kLatest: return "LATEST";
    case FirstPollOffsetStrategy::kUncommittedEarliest: return "UNCOMMITTED_EARLIEST";
    case FirstPollOffsetStrategy::kUncommittedLatest: return "UNCOMMITTED_LATEST";
  }
  return "?";
}

KafkaSpoutOptions KafkaSpoutOptions::FromConfig(const Config& config,
                                                const std::string& topology_name,
                                                const std::string& component_id) {
  KafkaSpoutOptions o;
  o.librdkafka = LibrdkafkaProperties(config, kSpoutClassName, "consumer");
  o.bootstrap_servers = BootstrapServers(config, kSpoutClassName, o.librdkafka);

  AddTopics(config, "topic", &o.topics);
  AddTopics(config, "topics", &o.topics);
  if (o.topics.empty()) {
    throw ConfigError(ComponentName(config, kSpoutClassName) +
                      ": no topic to read; set property 'topic' (a name) or 'topics' (a list)");
  }

  if (config.Has("group.id")) {
    o.group_id = config.GetString("group.id");
    if (o.group_id.empty()) Bad(config, "group.id", "must not be empty");
  } else {
    o.group_id = FindProperty(o.librdkafka, "group.id");
    if (o.group_id.empty()) o.group_id = "gale-" + topology_name + "-" + component_id;
  }
  for (const LibrdkafkaSetting& s : o.librdkafka) {
    if ((s.name == "enable.auto.commit" || s.name == "enable.auto.offset.store") &&
        s.value != "false") {
      throw ConfigError(ComponentName(config, kSpoutClassName) + ": '" + s.key +
                        "' cannot be turned on: KafkaSpout commits an offset only after the "
                        "record and every earlier one of its partition were acked");
    }
  }

  std::string strategy =
      Upper(config.GetString("first.poll.offset.strategy", "UNCOMMITTED_EARLIEST"));
  if (strategy == "EARLIEST") {
    o.first_poll = FirstPollOffsetStrategy::kEarliest;
  } else if (strategy == "LATEST") {
    o.first_poll = FirstPollOffsetStrategy::kLatest;
  } else if (strategy == "UNCOMMITTED_EARLIEST") {
    o.first_poll = FirstPollOffsetStrategy::kUncommittedEarliest;
  } else if (strategy == "UNCOMMITTED_LATEST") {
    o.first_poll = FirstPollOffsetStrategy::kUncommittedLatest;
  } else {
    Bad(config, "first.poll.offset.strategy",
        "must be EARLIEST, LATEST, UNCOMMITTED_EARLIEST or UNCOMMITTED_LATEST, got '" +
            config.GetString("first.poll.offset.strategy") + "'");
  }

  o.translator = TranslatorFromConfig(config);
  std::string deserializer = config.GetString("deserializer", "string");
  if (deserializer == "bytes") {
    o.bytes = true;
  } else if (deserializer != "string") {
    Bad(config, "deserializer", "must be 'string' or 'bytes', got '" + deserializer + "'");
  }

  o.max_retries = config.GetInt("max.retries", kDefaultMaxRetries);
  if (o.max_retries < -1) {
    Bad(config, "max.retries",
        "must be >= 0 (replays of a failed record), or -1 for no limit; got " +
            std::to_string(o.max_retries));
  }
  if (config.Has("dead.letter.topic")) {
    o.dead_letter_topic = config.GetString("dead.letter.topic");
    if (o.dead_letter_topic.empty()) {
      Bad(config, "dead.letter.topic", "must not be empty (leave it unset for none)");
    }
    if (std::find(o.topics.begin(), o.topics.end(), o.dead_letter_topic) != o.topics.end()) {
      Bad(config, "dead.letter.topic",
          "names '" + o.dead_letter_topic +
              "', a topic this spout reads: its failed records would come back forever; "
              "use a topic of its own");
    }
    if (o.max_retries < 0) {
      Bad(config, "dead.letter.topic",
          "needs a finite max.retries (it is -1: no record would ever reach it)");
    }
    o.dead_letter_librdkafka = LibrdkafkaProperties(config, kSpoutClassName, "producer");
  }
  std::string tombstones = config.GetString("tombstones", "emit");
  if (tombstones == "skip") {
    o.tombstones = SpoutTombstones::kSkip;
  } else if (tombstones != "emit") {
    Bad(config, "tombstones",
        "must be 'emit' (a tuple with a null value) or 'skip' (not emitted, counted as "
        "dropped), got '" + tombstones + "'");
  }
  o.bounded = config.GetBool("bounded", false);
  o.max_records = config.GetInt("max.records", -1);
  if (config.Has("max.records")) o.max_records = AtLeast(config, "max.records", 0, 0);
  o.commit_period_ms = AtLeast(config, "offset.commit.period.ms", 5000, 1);
  o.poll_timeout_ms = AtLeast(config, "poll.timeout.ms", 0, 0);
  if (o.poll_timeout_ms > 100) {
    Bad(config, "poll.timeout.ms",
        "must be at most 100 (NextTuple must not block), got " + std::to_string(o.poll_timeout_ms));
  }
  o.metadata_timeout_ms = AtLeast(config, "metadata.timeout.ms", 10000, 1);
  return o;
}

}  // namespace gale::kafka
