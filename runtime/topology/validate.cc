#include "topology/validate.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/names.h"
#include "gale/component.h"
#include "topology/defaults.h"
#include "topology/suggest.h"

namespace gale::topology {
namespace {

using DeclaredStreams = std::map<std::string, Fields, std::less<>>;

std::string Join(const std::vector<std::string>& items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string Describe(const ConfigValue& value) {
  if (std::holds_alternative<std::vector<Value>>(value)) return "a list";
  const Value& v = std::get<Value>(value);
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (std::holds_alternative<std::string>(v)) return "'" + ValueToString(v) + "'";
  return ValueToString(v);
}

// 4096, 0.5, 1099511627776: integers without a fraction or exponent.
std::string FormatNumber(double v) {
  if (v == static_cast<double>(static_cast<std::int64_t>(v))) {
    return std::to_string(static_cast<std::int64_t>(v));
  }
  return ValueToString(Value{v});
}

// The value read the way components read it (Config's lenient getters).
std::optional<std::int64_t> AsInt(const ConfigValue& value) {
  Config config;
  config.SetValue("v", value);
  try {
    return config.GetInt("v");
  } catch (const ConfigError&) {
    return std::nullopt;
  }
}

std::optional<double> AsDouble(const ConfigValue& value) {
  Config config;
  config.SetValue("v", value);
  try {
    return config.GetDouble("v");
  } catch (const ConfigError&) {
    return std::nullopt;
  }
}

std::optional<bool> AsBool(const ConfigValue& value) {
  Config config;
  config.SetValue("v", value);
  try {
    return config.GetBool("v");
  } catch (const ConfigError&) {
    return std::nullopt;
  }
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// Whether `value` reads as `type` through Config's getters.
bool HasType(ConfigType type, const ConfigValue& value) {
  switch (type) {
    case ConfigType::kInt:
      return AsInt(value).has_value();
    case ConfigType::kDouble:
      return AsDouble(value).has_value();
    case ConfigType::kBool:
      return AsBool(value).has_value();
    case ConfigType::kString: {
      const auto* scalar = std::get_if<Value>(&value);
      return scalar != nullptr && !std::holds_alternative<std::monostate>(*scalar);
    }
    case ConfigType::kList:
      return true;
  }
  return true;
}

// The topology.* keys gale reads itself.
const std::vector<std::string>& KnownTopologyKeys() {
  static const std::vector<std::string> kKeys = {std::string(kWorkersKey),
                                                 std::string(kAckingKey),
                                                 std::string(kReliabilityModeKey),
                                                 std::string(kMessageTimeoutSecsKey),
                                                 std::string(kMaxSpoutPendingKey),
                                                 std::string(kTickTupleFreqSecsKey),
                                                 std::string(kDebugKey),
                                                 std::string(kRestartMaxFailuresKey),
                                                 std::string(kRestartWindowSecsKey),
                                                 std::string(kLogMaxBytesKey),
                                                 std::string(kLogMaxFilesKey),
                                                 std::string(kSecurityCurveKey),
                                                 std::string(kTransportUnixPeersKey),
                                                 std::string(kContainerCpuPinningKey),
                                                 std::string(kHttpBindAddressKey),
                                                 std::string(kHttpPortKey),
                                                 std::string(kBackpressureHighWatermarkBytesKey),
                                                 std::string(kBackpressureLowWatermarkBytesKey),
                                                 std::string(kBackpressureHighWatermarkTuplesKey),
                                                 std::string(kBackpressureLowWatermarkTuplesKey)};
  return kKeys;
}

// Edits allowed between a misspelt key and the key meant: short keys get one.
std::size_t KeyDistance(std::string_view key) { return key.size() >= 8 ? 2 : 1; }

const char* KindName(ComponentKind kind) {
  return kind == ComponentKind::kSpout ? "spout" : "bolt";
}

std::string DescribeStreams(const DeclaredStreams& streams) {
  std::vector<std::string> parts;
  for (const auto& [name, fields] : streams) parts.push_back("'" + name + "' " + fields.ToString());
  return Join(parts);
}

class Validator {
 public:
  Validator(const TopologySpec& spec, const Registry& registry)
      : spec_(spec), registry_(registry) {}

  Status Run() {
    CheckName();
    CheckTopologyConfig();
    if (spec_.spouts.empty()) {
      TopologyError("topology '" + spec_.name +
                    "' has no spouts; declare at least one under 'spouts:'");
    }
    for (const ComponentSpec& c : spec_.spouts) CheckComponent(c);
    for (const ComponentSpec& c : spec_.bolts) CheckComponent(c);
    for (const StreamSpec& s : spec_.streams) CheckStream(s);
    if (tasks_ > kMaxTasks) {
      TopologyError("topology '" + spec_.name + "' has " + std::to_string(tasks_) +
                    " tasks, more than the " + std::to_string(kMaxTasks) +
                    " gale runs in one topology; lower the parallelism of its components");
    }
    if (errors_.empty()) return Status::Ok();
    std::string message;
    for (const std::string& e : errors_) {
      if (!message.empty()) message += '\n';
      message += e;
    }
    return InvalidArgument(std::move(message));
  }

 private:
  // `where` when known, else `fallback` ("component 'split'"), then the
  // message.
  void Error(const SourceLocation& where, const std::string& fallback, const std::string& message) {
    std::string prefix = where.ToString();
    if (prefix.empty()) prefix = fallback;
    errors_.push_back(prefix.empty() ? message : prefix + ": " + message);
  }

  void TopologyError(const std::string& message) {
    errors_.push_back(spec_.source_file.empty() ? message : spec_.source_file + ": " + message);
  }

  void CheckName() {
    if (spec_.name.empty()) {
      TopologyError("the topology name is empty; set 'name:'");
    } else if (!ValidTopologyName(spec_.name)) {
      TopologyError("topology name '" + spec_.name.substr(0, kMaxTopologyName) +
                    "' may only contain letters, digits, '.', '_' and '-', may not start "
                    "with '.', and may be at most " + std::to_string(kMaxTopologyName) +
                    " characters long; set 'name:' to, for example, 'wordcount'");
    }
  }

  void CheckTopologyConfig() {
    for (const auto& [key, value] : spec_.config.entries()) {
      Status s = CheckConfigEntry(key, value);
      if (!s.ok()) TopologyError("topology config: " + s.message());
    }
    Config layered = DefaultTopologyConfig();
    layered.MergeFrom(spec_.config);
    for (auto [high_key, low_key] :
         {std::pair{kBackpressureHighWatermarkBytesKey, kBackpressureLowWatermarkBytesKey},
          std::pair{kBackpressureHighWatermarkTuplesKey, kBackpressureLowWatermarkTuplesKey}}) {
      std::optional<std::int64_t> high = AsInt(*layered.Find(high_key));
      std::optional<std::int64_t> low = AsInt(*layered.Find(low_key));
      if (high && low && *high > 0 && *low > 0 && *low >= *high) {  // else reported above
        TopologyError("topology config: '" + std::string(low_key) + "' (" + std::to_string(*low) +
                      ") must be below '" + std::string(high_key) + "' (" + std::to_string(*high) +
                      "); set both");
      }
    }
  }

  void CheckComponent(const ComponentSpec& c) {
    const std::string label = std::string(KindName(c.kind)) + " '" + c.id + "'";
    bool first_with_id = false;
    if (c.id.empty()) {
      Error(c.where, "", std::string("a ") + KindName(c.kind) + " has an empty id; set 'id:'");
    } else if (!ValidComponentId(c.id)) {
      Error(c.where, label,
            "component id '" + c.id.substr(0, kMaxName) +
                "' may only contain letters, digits, '.', '_' and '-', may not start with "
                "'.', and may be at most " +
                std::to_string(kMaxName) + " characters long; rename it (and the streams " +
                "that name it)");
    } else if (c.id.rfind("__", 0) == 0) {
      Error(c.where, label,
            "component id '" + c.id + "' is reserved: ids starting with '__' " +
                "belong to gale's system components");
    } else if (auto it = components_.find(c.id); it != components_.end()) {
      std::string first = it->second->where.ToString();
      Error(c.where, label,
            "duplicate component id '" + c.id + "'" +
                (first.empty() ? "" : " (first declared at " + first + ")") +
                "; every spout and bolt needs its own id");
    } else {
      components_.emplace(c.id, &c);
      first_with_id = true;
    }
    if (c.parallelism < 1 || c.parallelism > kMaxParallelism) {
      Error(c.parallelism_where.file.empty() ? c.where : c.parallelism_where, label,
            label + ": parallelism must be from 1 to " + std::to_string(kMaxParallelism) +
                ", got " + std::to_string(c.parallelism));
    } else {
      tasks_ += c.parallelism;
    }
    for (const auto& [key, value] : c.config.entries()) {
      Status s = CheckConfigEntry(key, value);
      if (!s.ok()) Error(c.where, label, label + " config: " + s.message());
    }
    for (const auto& [key, value] : c.properties.entries()) {
      Status s = CheckConfigEntry(key, value);
      if (!s.ok()) Error(c.where, label, label + " properties: " + s.message());
    }
    if (CheckClass(c, label) && first_with_id) Declare(c, label);
  }

  // True when c.class_name is registered with c's kind.
  bool CheckClass(const ComponentSpec& c, const std::string& label) {
    const SourceLocation& where = c.class_name_where.file.empty() ? c.where : c.class_name_where;
    if (c.class_name.empty()) {
      Error(where, label, label + " has an empty className");
      return false;
    }
    const bool spout = c.kind == ComponentKind::kSpout;
    if (spout ? registry_.HasSpout(c.class_name) : registry_.HasBolt(c.class_name)) return true;
    if (spout ? registry_.HasBolt(c.class_name) : registry_.HasSpout(c.class_name)) {
      Error(where, label,
            label + ": class '" + c.class_name + "' is a " + (spout ? "bolt" : "spout") +
                ", not a " + KindName(c.kind) + "; declare it under '" +
                (spout ? "bolts:" : "spouts:") + "'");
      return false;
    }
    std::vector<std::string> known = spout ? registry_.SpoutNames() : registry_.BoltNames();
    Error(where, label,
          label + ": " + KindName(c.kind) + " class '" + c.class_name + "' is not registered" +
              DidYouMeanClass(c.class_name, known) + " (known " + KindName(c.kind) +
              " classes: " + Join(known) +
              "); load the plugin that defines it with --lib path/to/plugin.so "
              "or list it "
              "under 'libraries:' in the topology YAML");
    return false;
  }

  // " (did you mean 'X'?)" for a class name, also matching a name written
  // without its Bolt/Spout suffix ("WordCounter" -> "WordCountBolt").
  static std::string DidYouMeanClass(const std::string& name,
                                     const std::vector<std::string>& known) {
    const std::size_t distance = std::max<std::size_t>(2, name.size() / 4);
    std::string guess = Suggest(name, known, distance);
    if (guess.empty()) {
      std::vector<std::string> stems;
      for (const std::string& k : known) {
        std::string stem = k;
        for (std::string_view suffix : {"Bolt", "Spout"}) {
          if (stem.size() > suffix.size() && stem.ends_with(suffix)) {
            stem.resize(stem.size() - suffix.size());
          }
        }
        stems.push_back(stem);
      }
      std::string stem = Suggest(name, stems, distance);
      if (!stem.empty()) guess = known[std::find(stems.begin(), stems.end(), stem) - stems.begin()];
    }
    return guess.empty() ? "" : " (did you mean '" + guess + "'?)";
  }

  // Creates the component once to learn the streams and config keys it
  // declares.
  void Declare(const ComponentSpec& c, const std::string& label) {
    Config layered = LayeredConfig(spec_, c);
    OutputFieldsDeclarer declarer(&layered);
    ConfigDeclarer config_declarer;
    std::string failure;
    try {
      if (c.kind == ComponentKind::kSpout) {
        std::unique_ptr<Spout> spout = registry_.NewSpout(c.class_name);
        if (spout == nullptr) {
          failure = "the registry returned no object for class '" + c.class_name + "'";
        } else {
          spout->DeclareOutputFields(declarer);
          failure = DeclareConfig(*spout, &config_declarer);
        }
      } else {
        std::unique_ptr<Bolt> bolt = registry_.NewBolt(c.class_name);
        if (bolt == nullptr) {
          failure = "the registry returned no object for class '" + c.class_name + "'";
        } else {
          bolt->DeclareOutputFields(declarer);
          failure = DeclareConfig(*bolt, &config_declarer);
        }
      }
    } catch (const std::exception& e) {
      failure = std::string("creating it or DeclareOutputFields threw: ") + e.what();
    } catch (...) {
      failure = "creating it or DeclareOutputFields threw a non-standard exception";
    }
    if (!failure.empty()) {
      Error(c.where, label, label + " (class '" + c.class_name + "'): " + failure);
      return;
    }
    declared_[c.id] = declarer.streams();
    CheckDeclaredConfig(c, label, layered, config_declarer);
  }

  // Calls component.DeclareConfig; what went wrong, or "".
  template <typename Component>
  static std::string DeclareConfig(const Component& component, ConfigDeclarer* declarer) {
    try {
      component.DeclareConfig(*declarer);
      return "";
    } catch (const std::exception& e) {
      return std::string("DeclareConfig threw: ") + e.what();
    } catch (...) {
      return "DeclareConfig threw a non-standard exception";
    }
  }

  // Where the value of `key` in c's layered config was written.
  SourceLocation ValueWhere(const ComponentSpec& c, std::string_view key) const {
    if (auto it = c.value_where.find(key); it != c.value_where.end()) return it->second;
    if (!c.properties.Has(key) && !c.config.Has(key)) {
      if (auto it = spec_.config_where.find(key); it != spec_.config_where.end()) {
        return it->second;
      }
    }
    return c.where;
  }

  // The values of the keys c's class declares have their declared types; a
  // property name one or two edits from a declared key is a typo.
  void CheckDeclaredConfig(const ComponentSpec& c, const std::string& label, const Config& layered,
                           const ConfigDeclarer& declared) {
    std::vector<std::string> names;
    for (const ConfigKeySpec& k : declared.keys()) {
      names.push_back(k.key);
      const ConfigValue* value = layered.Find(k.key);
      if (value == nullptr) continue;
      if (HasType(k.type, *value)) {
        if ((k.type == ConfigType::kInt || k.type == ConfigType::kDouble) && k.min && k.max) {
          Status in_range = CheckNumber(k.key, *value, k.type == ConfigType::kInt, *k.min,
                                        *k.max, false, k.description);
          if (!in_range.ok()) {
            Error(ValueWhere(c, k.key), label,
                  label + ": " + in_range.message() + " (class '" + c.class_name + "')");
          }
        }
        continue;
      }
      std::string about = k.description;
      if (k.default_value) {
        about += (about.empty() ? "" : "; ") + std::string("default ") +
                 (std::holds_alternative<std::string>(*k.default_value)
                      ? "'" + ValueToString(*k.default_value) + "'"
                      : ValueToString(*k.default_value));
      }
      Error(ValueWhere(c, k.key), label,
            label + ": '" + k.key + "' must be " + ConfigTypeName(k.type) + ", got " +
                Describe(*value) + " (class '" + c.class_name + "' reads it" +
                (about.empty() ? "" : ": " + about) + ")");
    }
    if (names.empty()) return;
    for (const auto& [key, value] : c.properties.entries()) {
      if (declared.Find(key) != nullptr) continue;
      std::string guess = Suggest(key, names, KeyDistance(key));
      if (guess.empty() || guess == key) continue;
      SourceLocation where = ValueWhere(c, key);
      Error(where, label,
            label + ": property '" + key + "' is not read by class '" + c.class_name +
                "' (did you mean '" + guess + "'?); it reads: " + Join(names));
    }
  }

  void CheckStream(const StreamSpec& s) {
    const std::string label = "stream '" + s.from + "' -> '" + s.to + "'";
    auto component_ids = [this] {
      std::vector<std::string> ids;
      for (const auto& [id, c] : components_) ids.push_back(id);
      return Join(ids);
    };
    auto suggest_id = [this](const std::string& id) {
      std::vector<std::string> ids;
      for (const auto& [known, c] : components_) ids.push_back(known);
      return DidYouMean(id, ids);
    };
    const ComponentSpec* from = FindComponent(s.from);
    const ComponentSpec* to = FindComponent(s.to);
    if (from == nullptr) {
      Error(Or(s.from_where, s.where), label,
            label + ": 'from' names no declared component '" + s.from + "'" + suggest_id(s.from) +
                " (declared components: " + component_ids() + ")");
    }
    if (to == nullptr) {
      Error(Or(s.to_where, s.where), label,
            label + ": 'to' names no declared component '" + s.to + "'" + suggest_id(s.to) +
                " (declared components: " + component_ids() + ")");
    } else if (to->kind == ComponentKind::kSpout) {
      Error(s.where, label, label + ": '" + s.to + "' is a spout; a stream must end at a bolt");
    }
    if (s.stream_id.empty()) {
      Error(s.where, label, label + ": the streamId is empty (omit it for 'default')");
    }
    CheckGrouping(s, label, from);
    if (to != nullptr && from != nullptr) {
      auto key = std::make_tuple(s.to, s.from, s.stream_id);
      auto [it, inserted] = subscriptions_.emplace(key, &s);
      if (!inserted) {
        std::string first = it->second->where.ToString();
        Error(s.where, label,
              "bolt '" + s.to + "' subscribes to stream '" + s.stream_id + "' of '" + s.from +
                  "' twice" + (first.empty() ? "" : " (first at " + first + ")") +
                  "; remove one of the two streams");
      }
    }
  }

  void CheckGrouping(const StreamSpec& s, const std::string& label, const ComponentSpec* from) {
    const GroupingSpec& g = s.grouping;
    if (g.type == GroupingType::kFields && g.fields.empty()) {
      Error(s.where, label, label + ": a FIELDS grouping needs at least one field in 'args'");
    }
    if (g.type == GroupingType::kCustom) {
      if (g.custom_class.empty()) {
        Error(s.where, label, label + ": a CUSTOM grouping needs 'customClass'");
      } else if (!registry_.HasGrouping(g.custom_class)) {
        Error(
            s.where, label,
            label + ": grouping class '" + g.custom_class +
                "' is not registered (known grouping classes: " + Join(registry_.GroupingNames()) +
                "); load the plugin that defines it with --lib "
                "path/to/plugin.so or list it "
                "under 'libraries:' in the topology YAML");
      }
    }
    if (from == nullptr || s.stream_id.empty()) return;
    auto declared = declared_.find(s.from);
    if (declared == declared_.end()) return;  // its class failed; already reported
    const DeclaredStreams& streams = declared->second;
    auto stream = streams.find(s.stream_id);
    if (stream == streams.end()) {
      Error(Or(s.stream_id_where, s.where), label,
            label + ": '" + s.from + "' does not declare stream '" + s.stream_id + "'" +
                (streams.empty() ? "; it declares no output streams"
                                 : "; its streams are " + DescribeStreams(streams)) +
                " (set 'streamId' in the grouping, or declare the stream in "
                "DeclareOutputFields)");
      return;
    }
    if (g.type != GroupingType::kFields) return;
    for (std::size_t i = 0; i < g.fields.size(); ++i) {
      const std::string& field = g.fields[i];
      if (!stream->second.Contains(field)) {
        Error(i < s.fields_where.size() ? Or(s.fields_where[i], s.where) : s.where, label,
              label + ": FIELDS grouping on '" + field + "', but stream '" + s.stream_id +
                  "' of '" + s.from + "' has fields " + stream->second.ToString());
      }
    }
  }

  static const SourceLocation& Or(const SourceLocation& where, const SourceLocation& fallback) {
    return where.file.empty() ? fallback : where;
  }

  const ComponentSpec* FindComponent(const std::string& id) const {
    auto it = components_.find(id);
    return it == components_.end() ? nullptr : it->second;
  }

  const TopologySpec& spec_;
  const Registry& registry_;
  std::map<std::string, const ComponentSpec*> components_;  // first one per id
  std::map<std::string, DeclaredStreams> declared_;         // created successfully
  std::map<std::tuple<std::string, std::string, std::string>, const StreamSpec*> subscriptions_;
  std::vector<std::string> errors_;
  std::int64_t tasks_ = 0;
};

}  // namespace

const std::vector<NumericSetting>& NumericSettings() {
  constexpr double kWeekSecs = 604800;
  constexpr double kTiB = 1099511627776.0;
  static const std::vector<NumericSetting> kSettings = {
      {kWorkersKey, true, 1, 4096, false, "containers"},
      // Timeouts become nanoseconds in 64 bits; a week is far beyond any tree.
      {kMessageTimeoutSecsKey, true, 1, kWeekSecs, false, "seconds"},
      {kMaxSpoutPendingKey, true, 1, 10'000'000, false,
       "tuple trees in flight per spout task; leave it out for no limit"},
      {kTickTupleFreqSecsKey, false, 0, kWeekSecs, true,
       "seconds; leave it out for no tick tuples"},
      {kRestartMaxFailuresKey, true, 0, 1'000'000, false, "exits; 0: restart forever"},
      {kRestartWindowSecsKey, true, 1, kWeekSecs, false, "seconds"},
      {kLogMaxBytesKey, true, 65536, kTiB, false, "bytes per log file"},
      {kLogMaxFilesKey, true, 1, 1000, false, "rotated files kept per process"},
      {kBackpressureHighWatermarkBytesKey, true, 1, kTiB, false, "bytes"},
      {kBackpressureLowWatermarkBytesKey, true, 1, kTiB, false, "bytes"},
      {kBackpressureHighWatermarkTuplesKey, true, 1, 1'000'000'000, false, "tuples"},
      {kBackpressureLowWatermarkTuplesKey, true, 1, 1'000'000'000, false, "tuples"},
      {kHttpPortKey, true, 0, 65535, false, "TCP port of the topology master's HTTP; 0: any free port"},
  };
  return kSettings;
}

Status CheckNumber(std::string_view key, const ConfigValue& value, bool integer, double min,
                   double max, bool min_exclusive, std::string_view meaning) {
  bool ok = false;
  if (integer) {
    std::optional<std::int64_t> n = AsInt(value);
    ok = n && static_cast<double>(*n) >= min && static_cast<double>(*n) <= max &&
         !(min_exclusive && static_cast<double>(*n) == min);
  } else {
    std::optional<double> d = AsDouble(value);
    ok = d && *d >= min && *d <= max && !(min_exclusive && *d == min);
  }
  if (ok) return Status::Ok();
  std::string wanted = std::string(integer ? "an integer " : "a number ") +
                       (min_exclusive ? "above " + FormatNumber(min) + " and up to "
                                      : "from " + FormatNumber(min) + " to ") +
                       FormatNumber(max);
  if (!meaning.empty()) wanted += " (" + std::string(meaning) + ")";
  return InvalidArgument("'" + std::string(key) + "' must be " + wanted + ", got " +
                         Describe(value));
}

Status CheckConfigEntry(std::string_view key, const ConfigValue& value) {
  auto bad = [&](const std::string& wanted) {
    return InvalidArgument("'" + std::string(key) + "' must be " + wanted + ", got " +
                           Describe(value));
  };
  for (const NumericSetting& n : NumericSettings()) {
    if (key != n.key) continue;
    return CheckNumber(key, value, n.integer, n.min, n.max, n.min_exclusive, n.meaning);
  }
  if (key == kAckingKey || key == kDebugKey || key == kSecurityCurveKey ||
      key == kTransportUnixPeersKey || key == kContainerCpuPinningKey) {
    return AsBool(value) ? Status::Ok() : bad("true or false");
  }
  if (key == kHttpBindAddressKey) {
    const auto* scalar = std::get_if<Value>(&value);
    const auto* text = scalar != nullptr ? std::get_if<std::string>(scalar) : nullptr;
    if (text == nullptr || text->empty() ||
        text->find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos) {
      return bad("an IP address such as 127.0.0.1 (loopback, the default) or 0.0.0.0 (every "
                 "interface)");
    }
    return Status::Ok();
  }
  if (key == kReliabilityModeKey) {
    const auto* scalar = std::get_if<Value>(&value);
    const auto* text = scalar != nullptr ? std::get_if<std::string>(scalar) : nullptr;
    std::string mode = text != nullptr ? Upper(*text) : "";
    if (mode == kEffectivelyOnce) {
      return InvalidArgument("'" + std::string(key) +
                             "': EFFECTIVELY_ONCE is not supported by gale; use ATLEAST_ONCE "
                             "(acking, replay on failure) or ATMOST_ONCE (no acking)");
    }
    if (mode != kAtLeastOnce && mode != kAtMostOnce) return bad("ATLEAST_ONCE or ATMOST_ONCE");
    return Status::Ok();
  }
  return CheckConfigKey(key);
}

Status CheckConfigKey(std::string_view key) {
  const std::vector<std::string>& known = KnownTopologyKeys();
  if (std::find(known.begin(), known.end(), key) != known.end()) return Status::Ok();
  std::string guess = Suggest(key, known, KeyDistance(key));
  if (guess.empty()) return Status::Ok();
  return InvalidArgument("unknown config key '" + std::string(key) + "' (did you mean '" + guess +
                         "'?); keys other than gale's own are passed to components unchecked, "
                         "but this one is too close to '" +
                         guess + "' to be anything else");
}

Status ValidateTopology(const TopologySpec& spec, const Registry& registry) {
  return Validator(spec, registry).Run();
}

}  // namespace gale::topology
