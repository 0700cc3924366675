#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gale/collector.h"
#include "gale/config.h"
#include "gale/context.h"
#include "gale/fields.h"
#include "gale/tuple.h"
#include "gale/value.h"

namespace gale {

// Collects the output streams a component declares.
class OutputFieldsDeclarer {
 public:
  OutputFieldsDeclarer() = default;
  // `config` is the component's layered configuration (see Config), for
  // components whose output fields depend on their properties.
  explicit OutputFieldsDeclarer(const Config* config) : config_(config) {}

  const Config& config() const {
    static const Config kEmpty;
    return config_ != nullptr ? *config_ : kEmpty;
  }

  // The default stream.
  void Declare(Fields fields) { DeclareStream(std::string(kDefaultStream), std::move(fields)); }
  // A named stream. Declaring the same stream twice keeps the last fields.
  void DeclareStream(std::string stream, Fields fields) {
    streams_[std::move(stream)] = std::move(fields);
  }
  const std::map<std::string, Fields, std::less<>>& streams() const { return streams_; }

 private:
  const Config* config_ = nullptr;
  std::map<std::string, Fields, std::less<>> streams_;
};

// The type a declared config key must have, as Config's getters read it:
// kInt accepts what GetInt accepts (also 42.0 and "42"), kDouble what
// GetDouble accepts, kBool what GetBool accepts, kString any single value,
// kList anything (a single value is a one-element list).
enum class ConfigType { kInt, kDouble, kBool, kString, kList };

// "an integer", "a number", "true or false", "a single value", "a list".
const char* ConfigTypeName(ConfigType type);

// One config key a component reads (see DeclareConfig).
struct ConfigKeySpec {
  std::string key;
  ConfigType type = ConfigType::kString;
  std::optional<Value> default_value;  // what the component uses when unset
  std::string description;             // one line, shown in error messages
  // Bounds of a kInt or kDouble value, both included (Range).
  std::optional<double> min;
  std::optional<double> max;
};

// Collects the config keys a component reads, so that `gale validate` and
// `gale submit` check their values (type and, for near misses of a declared
// key, the spelling of property names) before anything runs. Declaring is
// optional; undeclared keys are passed through unchecked. The default is
// documentation: the component still passes it to Config's getter.
//   void DeclareConfig(gale::ConfigDeclarer& d) const override {
//     d.Int("min.length", 5, "shortest word passed on");
//     d.String("path", "file to append to");
//   }
class ConfigDeclarer {
 public:
  ConfigDeclarer& Int(std::string key, std::int64_t default_value, std::string description = "") {
    return Add(std::move(key), ConfigType::kInt, Value{default_value}, std::move(description));
  }
  ConfigDeclarer& Double(std::string key, double default_value, std::string description = "") {
    return Add(std::move(key), ConfigType::kDouble, Value{default_value}, std::move(description));
  }
  ConfigDeclarer& Bool(std::string key, bool default_value, std::string description = "") {
    return Add(std::move(key), ConfigType::kBool, Value{default_value}, std::move(description));
  }
  ConfigDeclarer& String(std::string key, std::string default_value, std::string description) {
    return Add(std::move(key), ConfigType::kString, Value{std::move(default_value)},
               std::move(description));
  }
  // A key without a default (the component requires it or checks Has()).
  ConfigDeclarer& Declare(std::string key, ConfigType type, std::string description = "") {
    return Add(std::move(key), type, std::nullopt, std::move(description));
  }
  // The values the key declared last accepts, both ends included; a value
  // outside is refused by validation (exit 2), before anything runs.
  //   d.Int("batch", 1, "tuples per NextTuple call").Range(1, 10000);
  ConfigDeclarer& Range(double min, double max) {
    if (!keys_.empty()) {
      keys_.back().min = min;
      keys_.back().max = max;
    }
    return *this;
  }

  const std::vector<ConfigKeySpec>& keys() const { return keys_; }
  const ConfigKeySpec* Find(std::string_view key) const {
    for (const ConfigKeySpec& k : keys_) {
      if (k.key == key) return &k;
    }
    return nullptr;
  }

 private:
  ConfigDeclarer& Add(std::string key, ConfigType type, std::optional<Value> default_value,
                      std::string description) {
    keys_.push_back({std::move(key), type, std::move(default_value), std::move(description),
                     std::nullopt, std::nullopt});
    return *this;
  }
  std::vector<ConfigKeySpec> keys_;
};

// A source of tuples. One executor thread calls every method of one task, in
// order: Open, then any mix of NextTuple/Ack/Fail/Activate/Deactivate, then
// Close. The object is created per task with its default constructor.
// Methods may throw: Open failing stops the task from starting; the runtime
// logs exceptions from the others and keeps going.
class Spout {
 public:
  virtual ~Spout() = default;
  virtual void Open(const Config& /*config*/, const TopologyContext& /*context*/,
                    SpoutOutputCollector& /*collector*/) {}
  // Emit zero or more tuples. Must not block for long; emitting nothing makes
  // the runtime back off briefly.
  virtual void NextTuple() = 0;
  virtual void Ack(MessageId /*id*/) {}
  virtual void Fail(MessageId /*id*/) {}
  virtual void Activate() {}
  virtual void Deactivate() {}
  virtual void Close() {}
  // Bounded sources return true once everything was emitted and nothing is
  // waiting for replay; `gale local` stops when every spout is exhausted and
  // every tree has completed.
  virtual bool Exhausted() const { return false; }
  virtual void DeclareOutputFields(OutputFieldsDeclarer& declarer) const = 0;
  // The config keys this spout reads (optional; see ConfigDeclarer).
  virtual void DeclareConfig(ConfigDeclarer& /*declarer*/) const {}
};

// A processing step. One executor thread calls Prepare, Execute for each
// input tuple, then Cleanup. Created per task with its default constructor.
// An exception thrown by Execute is logged and fails the tuple.
class Bolt {
 public:
  virtual ~Bolt() = default;
  virtual void Prepare(const Config& /*config*/, const TopologyContext& /*context*/,
                       OutputCollector& /*collector*/) {}
  virtual void Execute(const Tuple& tuple) = 0;
  virtual void Cleanup() {}
  virtual void DeclareOutputFields(OutputFieldsDeclarer& /*declarer*/) const {}
  // The config keys this bolt reads (optional; see ConfigDeclarer).
  virtual void DeclareConfig(ConfigDeclarer& /*declarer*/) const {}
};

}  // namespace gale
