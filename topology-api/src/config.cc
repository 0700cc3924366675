#include "gale/config.h"

#include <charconv>
#include <cmath>

namespace gale {
namespace {

std::string Describe(const ConfigValue& value) {
  if (const auto* list = std::get_if<std::vector<Value>>(&value)) {
    return "a list of " + std::to_string(list->size()) + " values";
  }
  const Value& v = std::get<Value>(value);
  std::string text = ValueToString(v);
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  std::string type(ValueTypeName(v));
  const char* article = (type == "int") ? "an" : "a";
  return std::string(article) + " " + type + " (" + text + ")";
}

bool ParseInt(const std::string& s, std::int64_t* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

}  // namespace

void Config::Set(std::string key, Value value) { entries_[std::move(key)] = std::move(value); }

void Config::SetList(std::string key, std::vector<Value> values) {
  entries_[std::move(key)] = std::move(values);
}

void Config::SetValue(std::string key, ConfigValue value) {
  entries_[std::move(key)] = std::move(value);
}

void Config::Erase(const std::string& key) { entries_.erase(key); }

bool Config::Has(std::string_view key) const { return entries_.find(key) != entries_.end(); }

bool Config::IsList(std::string_view key) const {
  const ConfigValue* v = Find(key);
  return v != nullptr && std::holds_alternative<std::vector<Value>>(*v);
}

const ConfigValue* Config::Find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void Config::ThrowMissing(std::string_view key) const {
  std::string who = owner_.empty() ? "config" : owner_;
  throw ConfigError(who + ": required config key '" + std::string(key) +
                    "' is missing (set it in the component's properties or config, or the "
                    "topology config)");
}

void Config::ThrowMistyped(std::string_view key, const ConfigValue& value,
                           std::string_view wanted) const {
  std::string who = owner_.empty() ? "config" : owner_;
  throw ConfigError(who + ": config key '" + std::string(key) + "' is " + Describe(value) +
                    ", expected " + std::string(wanted));
}

const Value& Config::Scalar(std::string_view key, std::string_view wanted) const {
  const ConfigValue* v = Find(key);
  if (v == nullptr) ThrowMissing(key);
  if (!std::holds_alternative<Value>(*v)) ThrowMistyped(key, *v, wanted);
  return std::get<Value>(*v);
}

std::int64_t Config::GetInt(std::string_view key) const {
  const Value& v = Scalar(key, "an integer");
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::isfinite(*d) && std::floor(*d) == *d && std::fabs(*d) < 9.2e18) {
      return static_cast<std::int64_t>(*d);
    }
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out;
    if (ParseInt(*s, &out)) return out;
  }
  ThrowMistyped(key, *Find(key), "an integer");
}

std::int64_t Config::GetInt(std::string_view key, std::int64_t fallback) const {
  return Has(key) ? GetInt(key) : fallback;
}

double Config::GetDouble(std::string_view key) const {
  const Value& v = Scalar(key, "a number");
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && ptr == s->data() + s->size() && !s->empty()) return out;
  }
  ThrowMistyped(key, *Find(key), "a number");
}

double Config::GetDouble(std::string_view key, double fallback) const {
  return Has(key) ? GetDouble(key) : fallback;
}

bool Config::GetBool(std::string_view key) const {
  const Value& v = Scalar(key, "true or false");
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (*s == "true") return true;
    if (*s == "false") return false;
  }
  ThrowMistyped(key, *Find(key), "true or false");
}

bool Config::GetBool(std::string_view key, bool fallback) const {
  return Has(key) ? GetBool(key) : fallback;
}

std::string Config::GetString(std::string_view key) const {
  const Value& v = Scalar(key, "a string");
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (std::holds_alternative<std::monostate>(v)) ThrowMistyped(key, *Find(key), "a string");
  return ValueToString(v);
}

std::string Config::GetString(std::string_view key, std::string_view fallback) const {
  return Has(key) ? GetString(key) : std::string(fallback);
}

std::vector<Value> Config::GetList(std::string_view key) const {
  const ConfigValue* v = Find(key);
  if (v == nullptr) ThrowMissing(key);
  if (const auto* list = std::get_if<std::vector<Value>>(v)) return *list;
  return {std::get<Value>(*v)};
}

std::vector<Value> Config::GetList(std::string_view key, std::vector<Value> fallback) const {
  return Has(key) ? GetList(key) : std::move(fallback);
}

void Config::MergeFrom(const Config& over) {
  for (const auto& [key, value] : over.entries_) entries_[key] = value;
}

}  // namespace gale
