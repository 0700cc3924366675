#pragma once

// Strict reading of YAML nodes: maps whose unknown keys are errors, typed
// scalars (YAML 1.2 core schema), config maps flattened to dotted keys.
// Problems go to a Diagnostics with the position of the offending node.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "flux/diagnostics.h"
#include "gale/config.h"
#include "gale/value.h"

namespace gale::flux {

struct MapEntry {
  std::string name;
  YAML::Node key;
  YAML::Node value;
};

// Aliases (*name) share the node of their anchor (&name), so every walk of
// the tree visits an aliased node once per alias reaching it: a few lines
// of nested aliases hold billions of nodes ("billion laughs"), and an alias
// inside its own anchor's node makes the tree endless. A document whose
// aliases repeat more than kMaxAliasedNodes nodes in all (an alias counts
// every node under its anchor, aliases in there expanded), or that holds an
// alias inside its own anchor, is refused before it is walked.
inline constexpr std::size_t kMaxAliasedNodes = 100000;

// Checks the aliases of the first document in `text` (a document
// YAML::Load accepted; a syntax error found here is no concern of this
// check) and reports a problem to `diag`; false when it did. Linear in the
// size of the text, whatever the aliases expand to.
bool CheckAliases(const std::string& text, Diagnostics& diag);

// A Flux key gale knows but does not implement, with how to do without it.
struct UnsupportedKey {
  std::string_view key;
  std::string_view hint;
};

// "a map", "a list", "the scalar 'x'" or "nothing", for error messages.
std::string DescribeNode(const YAML::Node& node);

// Where to point for an entry's value: the key when the value is empty.
YAML::Mark ValueMark(const MapEntry& entry);

// The entries of one YAML map. Reports a node that is not a map, keys that
// are not plain scalars, duplicate keys, unsupported Flux keys and unknown
// keys (listing `allowed`). `place` names the map in messages, e.g.
// "bolt 'split'".
class MapReader {
 public:
  MapReader(const YAML::Node& node, const std::string& place,
            std::initializer_list<std::string_view> allowed,
            std::initializer_list<UnsupportedKey> unsupported, Diagnostics& diag);

  bool is_map() const { return is_map_; }
  const MapEntry* Find(std::string_view key) const;

 private:
  bool is_map_ = false;
  std::vector<MapEntry> entries_;
};

// A non-empty scalar read as text (quoted or not).
std::optional<std::string> ReadString(const MapEntry& entry, const std::string& what,
                                      Diagnostics& diag);
// A plain integer.
std::optional<std::int64_t> ReadInt(const MapEntry& entry, const std::string& what,
                                    Diagnostics& diag);
// Plain true or false.
std::optional<bool> ReadBool(const MapEntry& entry, const std::string& what, Diagnostics& diag);

// Types the text of a plain (unquoted, untagged) scalar: null/~/empty ->
// null, true/false -> bool, integers (also 0x.., 0o..) -> int64, decimals
// and .inf/.nan -> double, anything else -> string. An integer that does
// not fit int64 is an error.
Result<Value> TypePlainScalar(const std::string& text);

// A scalar or null node as a Value: plain scalars typed, quoted ones text,
// !!str/!!int/!!float/!!bool/!!null honoured.
std::optional<Value> ReadScalar(const YAML::Node& node, const std::string& what, Diagnostics& diag);

// A scalar, or a list of scalars.
std::optional<ConfigValue> ReadConfigValue(const YAML::Node& node, const std::string& what,
                                           Diagnostics& diag);

// Reads a config map into `out`: nested maps flattened to dotted keys
// ("a: {b: 1}" -> "a.b"), values typed, keys gale reads checked
// (topology::CheckConfigEntry). An empty (null) node is an empty map.
// With `where`, records the location of each key's value there.
void ReadConfigMap(const YAML::Node& node, const std::string& place, Config* out, Diagnostics& diag,
                   std::map<std::string, SourceLocation, std::less<>>* where = nullptr);

}  // namespace gale::flux
