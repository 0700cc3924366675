#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gale/value.h"

namespace gale {

// Thrown by Config getters for a missing or mistyped key. The message names
// the owner (e.g. "component 'split'") and the key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One configuration value: a scalar or a list of scalars.
using ConfigValue = std::variant<Value, std::vector<Value>>;

// Key/value configuration handed to Spout::Open and Bolt::Prepare. The
// runtime layers it: the component's `properties` over its `config:` map over
// the topology `config` over defaults. Not thread-safe; copy freely.
class Config {
 public:
  Config() = default;
  // `owner` appears in error messages, e.g. "component 'split'".
  explicit Config(std::string owner) : owner_(std::move(owner)) {}

  void Set(std::string key, Value value);
  void SetList(std::string key, std::vector<Value> values);
  void SetValue(std::string key, ConfigValue value);
  void Erase(const std::string& key);

  bool Has(std::string_view key) const;
  bool IsList(std::string_view key) const;

  // Integers; a double with an integral value and a string holding an
  // integer are accepted too.
  std::int64_t GetInt(std::string_view key) const;
  std::int64_t GetInt(std::string_view key, std::int64_t fallback) const;
  // Doubles; integers are widened.
  double GetDouble(std::string_view key) const;
  double GetDouble(std::string_view key, double fallback) const;
  // Booleans; also the strings "true"/"false".
  bool GetBool(std::string_view key) const;
  bool GetBool(std::string_view key, bool fallback) const;
  // Any scalar, as text.
  std::string GetString(std::string_view key) const;
  std::string GetString(std::string_view key, std::string_view fallback) const;
  // A list; a scalar is a one-element list.
  std::vector<Value> GetList(std::string_view key) const;
  std::vector<Value> GetList(std::string_view key, std::vector<Value> fallback) const;
  // The raw entry, or nullptr.
  const ConfigValue* Find(std::string_view key) const;

  // Copies every entry of `over` into this config, replacing existing keys.
  void MergeFrom(const Config& over);

  const std::string& owner() const { return owner_; }
  void set_owner(std::string owner) { owner_ = std::move(owner); }
  const std::map<std::string, ConfigValue, std::less<>>& entries() const { return entries_; }

 private:
  [[noreturn]] void ThrowMissing(std::string_view key) const;
  [[noreturn]] void ThrowMistyped(std::string_view key, const ConfigValue& value,
                                  std::string_view wanted) const;
  const Value& Scalar(std::string_view key, std::string_view wanted) const;

  std::string owner_;
  std::map<std::string, ConfigValue, std::less<>> entries_;
};

}  // namespace gale
