#pragma once

// Reading librdkafka settings out of a component's Config; shared by
// KafkaSpout and KafkaBolt (header-only, public API only).
//
//   kafka.X            passed to librdkafka as X, for consumers and producers
//   kafka.consumer.X   only for KafkaSpout (overrides kafka.X)
//   kafka.producer.X   only for KafkaBolt (overrides kafka.X)
//
// Because the component Config layers properties over the component's
// config: over the topology config, `-c kafka.bootstrap.servers=HOST:PORT`
// on the command line reaches every Kafka component.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gale/gale.h"

namespace gale::kafka {

inline constexpr std::string_view kKafkaPrefix = "kafka.";

// One librdkafka setting and the key it came from (for error messages).
struct LibrdkafkaSetting {
  std::string name;  // e.g. "session.timeout.ms"
  std::string value;
  std::string key;  // e.g. "kafka.consumer.session.timeout.ms"
};
using LibrdkafkaSettings = std::vector<LibrdkafkaSetting>;

// "component 'x'" (or `class_name` when the config has no owner).
inline std::string ComponentName(const Config& config, std::string_view class_name) {
  return config.owner().empty() ? std::string(class_name) : config.owner();
}

// librdkafka properties for `role` ("consumer" or "producer"), in a stable
// order: the kafka.X entries first, then kafka.<role>.X. Throws ConfigError
// for a list value or an empty property name.
inline LibrdkafkaSettings LibrdkafkaProperties(const Config& config, std::string_view class_name,
                                               std::string_view role) {
  const std::string own = std::string(kKafkaPrefix) + std::string(role) + ".";
  const std::string other =
      std::string(kKafkaPrefix) + (role == "consumer" ? "producer." : "consumer.");
  LibrdkafkaSettings general, specific;
  for (const auto& [key, value] : config.entries()) {
    if (key.rfind(kKafkaPrefix, 0) != 0 || key.rfind(other, 0) == 0) continue;
    const bool is_own = key.rfind(own, 0) == 0;
    std::string name = key.substr(is_own ? own.size() : kKafkaPrefix.size());
    if (name.empty()) {
      throw ConfigError(ComponentName(config, class_name) + ": property '" + key +
                        "' names no librdkafka setting; write e.g. kafka.session.timeout.ms");
    }
    if (std::holds_alternative<std::vector<Value>>(value)) {
      throw ConfigError(ComponentName(config, class_name) + ": property '" + key +
                        "' must be a single value for librdkafka, not a list (write a "
                        "comma-separated string)");
    }
    (is_own ? specific : general).push_back({std::move(name), config.GetString(key), key});
  }
  general.insert(general.end(), specific.begin(), specific.end());
  return general;
}

// The value librdkafka will see for `name` (the last one wins), or "".
inline std::string FindProperty(const LibrdkafkaSettings& props, std::string_view name) {
  std::string found;
  for (const LibrdkafkaSetting& s : props) {
    if (s.name == name) found = s.value;
  }
  return found;
}

// Property `bootstrap.servers`, else the kafka.* settings (usually the
// topology's kafka.bootstrap.servers); throws ConfigError when neither is set.
inline std::string BootstrapServers(const Config& config, std::string_view class_name,
                                    const LibrdkafkaSettings& props) {
  std::string servers = config.Has("bootstrap.servers") ? config.GetString("bootstrap.servers")
                                                        : FindProperty(props, "bootstrap.servers");
  if (servers.empty()) {
    throw ConfigError(ComponentName(config, class_name) +
                      ": no Kafka brokers configured; set property 'bootstrap.servers' or the "
                      "topology config key 'kafka.bootstrap.servers' (e.g. gale local ... -c "
                      "kafka.bootstrap.servers=127.0.0.1:9092)");
  }
  return servers;
}

}  // namespace gale::kafka
