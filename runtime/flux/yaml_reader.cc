#include "flux/yaml_reader.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <sstream>

#include "topology/suggest.h"
#include "topology/validate.h"

namespace gale::flux {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [base](char c) {
    if (base == 8) return c >= '0' && c <= '7';
    if (base == 16) return std::isxdigit(static_cast<unsigned char>(c)) != 0;
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? with a '.' or exponent.
bool LooksLikeDecimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  bool dot = false;
  std::size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  bool exponent = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    exponent = true;
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!AllDigits(s.substr(i), 10)) return false;
    i = s.size();
  }
  return i == s.size() && (dot || exponent);
}

Result<Value> ParseInteger(std::string_view text, std::string_view digits, int base,
                           bool negative) {
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || magnitude > limit) {
    return InvalidArgument("the integer " + std::string(text) +
                           " does not fit in 64 bits; quote it to keep it as text");
  }
  if (negative) return Value{static_cast<std::int64_t>(0 - magnitude)};
  return Value{static_cast<std::int64_t>(magnitude)};
}

// Follows the parser's events and sums, for each anchored node, how many
// nodes it holds with its aliases expanded; stops at the first problem.
class AliasCounter : public YAML::EventHandler {
 public:
  struct Stop {};

  explicit AliasCounter(Diagnostics& diag) : diag_(diag) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    // The parser numbers anchors 1, 2, ... in the order it meets them.
    anchors_.push_back({name, mark, kOpen});
  }
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { Leaf(anchor); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Leaf(anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back({anchor, 1});
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back({anchor, 1});
  }
  void OnMapEnd() override { Close(); }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor == YAML::NullAnchor || anchor > anchors_.size()) return;  // the parser refuses these
    const Anchor& target = anchors_[anchor - 1];
    if (target.nodes == kOpen) {
      diag_.Error(mark, "the alias '*" + target.name + "' is inside the node its anchor '&" +
                            target.name + "' (line " +
                            std::to_string(diag_.Locate(target.mark).line) +
                            ") names, which would make it endlessly deep; an alias may only "
                            "repeat a node that ends before it");
      throw Stop{};
    }
    aliased_ += target.nodes;
    if (aliased_ > kMaxAliasedNodes) {
      diag_.Error(mark, "YAML aliases up to here repeat more than " +
                            std::to_string(kMaxAliasedNodes) + " nodes in all (this '*" +
                            target.name + "' alone repeats " + std::to_string(target.nodes) +
                            "), more than a topology needs; alias fewer or smaller nodes, or "
                            "nest aliases less deeply");
      throw Stop{};
    }
    Add(target.nodes);
  }

 private:
  static constexpr std::size_t kOpen = 0;  // an anchored node not ended yet
  struct Anchor {
    std::string name;
    YAML::Mark mark;
    std::size_t nodes;  // with aliases expanded; kOpen until it ends
  };
  struct Open {
    YAML::anchor_t anchor;
    std::size_t nodes;
  };

  void Leaf(YAML::anchor_t anchor) {
    Ended(anchor, 1);
    Add(1);
  }
  void Close() {
    Open node = open_.back();
    open_.pop_back();
    Ended(node.anchor, node.nodes);
    Add(node.nodes);
  }
  void Ended(YAML::anchor_t anchor, std::size_t nodes) {
    if (anchor != YAML::NullAnchor && anchor <= anchors_.size()) anchors_[anchor - 1].nodes = nodes;
  }
  void Add(std::size_t nodes) {
    if (!open_.empty()) open_.back().nodes += nodes;
  }

  Diagnostics& diag_;
  std::vector<Anchor> anchors_;
  std::vector<Open> open_;
  std::size_t aliased_ = 0;  // nodes repeated by aliases so far
};

}  // namespace

bool CheckAliases(const std::string& text, Diagnostics& diag) {
  std::istringstream in(text);
  AliasCounter counter(diag);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(counter);
  } catch (const AliasCounter::Stop&) {
    return false;
  } catch (const YAML::Exception&) {
  }
  return true;
}

std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return node.size() == 0 ? "an empty map" : "a map";
    case YAML::NodeType::Sequence:
      return node.size() == 0 ? "an empty list" : "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

YAML::Mark ValueMark(const MapEntry& entry) {
  if (entry.value.IsNull() &&
      (entry.value.Mark().is_null() || entry.value.Mark().line != entry.key.Mark().line)) {
    return entry.key.Mark();
  }
  return entry.value.Mark();
}

MapReader::MapReader(const YAML::Node& node, const std::string& place,
                     std::initializer_list<std::string_view> allowed,
                     std::initializer_list<UnsupportedKey> unsupported, Diagnostics& diag) {
  if (!node.IsMap()) {
    diag.Error(node.Mark(), place + " must be a map of keys, got " + DescribeNode(node));
    return;
  }
  is_map_ = true;
  std::string allowed_list;
  for (std::string_view a : allowed) {
    allowed_list += allowed_list.empty() ? "" : ", ";
    allowed_list += a;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;  // a handle; `it->first` is a temporary
    if (!key.IsScalar()) {
      diag.Error(key.Mark(), "keys in " + place + " must be names, got " + DescribeNode(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (const MapEntry* first = Find(name)) {
      diag.Error(key.Mark(), "duplicate key '" + name + "' in " + place + " (first at line " +
                                 std::to_string(diag.Locate(first->key.Mark()).line) +
                                 "); remove one of them");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      auto u = std::find_if(unsupported.begin(), unsupported.end(),
                            [&](const UnsupportedKey& k) { return k.key == name; });
      if (u != unsupported.end()) {
        diag.Error(key.Mark(), "gale does not support the Flux key '" + name + "' (in " + place +
                                   "): " + std::string(u->hint));
      } else {
        diag.Error(key.Mark(), "unknown key '" + name + "' in " + place +
                                   topology::DidYouMean(name, {allowed.begin(), allowed.end()}) +
                                   "; allowed keys: " + allowed_list);
      }
      continue;
    }
    entries_.push_back({name, key, it->second});
  }
}

const MapEntry* MapReader::Find(std::string_view key) const {
  for (const MapEntry& e : entries_) {
    if (e.name == key) return &e;
  }
  return nullptr;
}

std::optional<std::string> ReadString(const MapEntry& entry, const std::string& what,
                                      Diagnostics& diag) {
  if (!entry.value.IsScalar() || entry.value.Scalar().empty()) {
    diag.Error(ValueMark(entry),
               what + " must be a non-empty string, got " + DescribeNode(entry.value));
    return std::nullopt;
  }
  return entry.value.Scalar();
}

std::optional<std::int64_t> ReadInt(const MapEntry& entry, const std::string& what,
                                    Diagnostics& diag) {
  if (entry.value.IsScalar() && entry.value.Tag() == "?") {
    Result<Value> typed = TypePlainScalar(entry.value.Scalar());
    if (typed.ok()) {
      if (const auto* n = std::get_if<std::int64_t>(&typed.value())) return *n;
    }
  }
  diag.Error(ValueMark(entry), what + " must be an integer, got " + DescribeNode(entry.value));
  return std::nullopt;
}

std::optional<bool> ReadBool(const MapEntry& entry, const std::string& what, Diagnostics& diag) {
  if (entry.value.IsScalar() && entry.value.Tag() == "?") {
    Result<Value> typed = TypePlainScalar(entry.value.Scalar());
    if (typed.ok()) {
      if (const auto* b = std::get_if<bool>(&typed.value())) return *b;
    }
  }
  diag.Error(ValueMark(entry), what + " must be true or false, got " + DescribeNode(entry.value));
  return std::nullopt;
}

Result<Value> TypePlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return Value{};
  }
  if (text == "true" || text == "True" || text == "TRUE") return Value{true};
  if (text == "false" || text == "False" || text == "FALSE") return Value{false};
  std::string_view body = text;
  bool negative = false;
  if (body[0] == '-' || body[0] == '+') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (AllDigits(body, 10)) return ParseInteger(text, body, 10, negative);
  if (text.size() > 2 && text[0] == '0' && text[1] == 'x' && AllDigits(body.substr(2), 16)) {
    return ParseInteger(text, body.substr(2), 16, false);
  }
  if (text.size() > 2 && text[0] == '0' && text[1] == 'o' && AllDigits(body.substr(2), 8)) {
    return ParseInteger(text, body.substr(2), 8, false);
  }
  if (LooksLikeDecimal(text)) {
    double d = 0;
    std::from_chars(body.data(), body.data() + body.size(), d);
    return Value{negative ? -d : d};
  }
  std::string lower = Lower(body);
  if (lower == ".inf" && (body == ".inf" || body == ".Inf" || body == ".INF")) {
    return Value{negative ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity()};
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    return Value{std::numeric_limits<double>::quiet_NaN()};
  }
  return Value{text};
}

std::optional<Value> ReadScalar(const YAML::Node& node, const std::string& what,
                                Diagnostics& diag) {
  if (node.IsNull()) return Value{};
  if (!node.IsScalar()) {
    diag.Error(node.Mark(), what + " must be a single value, got " + DescribeNode(node));
    return std::nullopt;
  }
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  if (tag == "!" || tag == std::string(kTagPrefix) + "str") return Value{text};
  Result<Value> typed = TypePlainScalar(text);
  if (!typed.ok()) {
    diag.Error(node.Mark(), what + ": " + typed.status().message());
    return std::nullopt;
  }
  if (tag == "?") return typed.value();
  const Value& v = typed.value();
  std::string_view want =
      std::string_view(tag).substr(tag.rfind(kTagPrefix, 0) == 0 ? kTagPrefix.size() : tag.size());
  if ((want == "int" && std::holds_alternative<std::int64_t>(v)) ||
      (want == "bool" && std::holds_alternative<bool>(v)) ||
      (want == "null" && std::holds_alternative<std::monostate>(v))) {
    return v;
  }
  if (want == "float" && std::holds_alternative<double>(v)) return v;
  if (want == "float" && std::holds_alternative<std::int64_t>(v)) {
    return Value{static_cast<double>(std::get<std::int64_t>(v))};
  }
  diag.Error(node.Mark(), what + ": the YAML tag '" + tag + "' does not fit the value '" + text +
                              "' (gale understands !!str, !!int, !!float, !!bool and !!null)");
  return std::nullopt;
}

std::optional<ConfigValue> ReadConfigValue(const YAML::Node& node, const std::string& what,
                                           Diagnostics& diag) {
  if (node.IsMap()) {
    diag.Error(node.Mark(), what + " must be a value or a list of values, got a map");
    return std::nullopt;
  }
  if (!node.IsSequence()) {
    std::optional<Value> v = ReadScalar(node, what, diag);
    if (!v) return std::nullopt;
    return ConfigValue{std::move(*v)};
  }
  std::vector<Value> list;
  bool ok = true;
  for (const YAML::Node& item : node) {
    if (item.IsMap() || item.IsSequence()) {
      diag.Error(item.Mark(),
                 what + ": lists may only hold single values, got " + DescribeNode(item));
      ok = false;
      continue;
    }
    std::optional<Value> v = ReadScalar(item, what, diag);
    if (v) list.push_back(std::move(*v));
    ok = ok && v.has_value();
  }
  if (!ok) return std::nullopt;
  return ConfigValue{std::move(list)};
}

namespace {

void FlattenConfig(const YAML::Node& node, const std::string& place, const std::string& prefix,
                   std::map<std::string, SourceLocation>* seen, Config* out, Diagnostics& diag,
                   std::map<std::string, SourceLocation, std::less<>>* where_out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    MapEntry entry{"", it->first, it->second};
    if (!entry.key.IsScalar() || entry.key.Scalar().empty()) {
      diag.Error(entry.key.Mark(),
                 "keys in " + place + " must be non-empty names, got " + DescribeNode(entry.key));
      continue;
    }
    std::string key = prefix + entry.key.Scalar();
    if (entry.value.IsMap()) {
      FlattenConfig(entry.value, place, key + ".", seen, out, diag, where_out);
      continue;
    }
    SourceLocation where = diag.Locate(entry.key.Mark());
    if (Status s = topology::CheckConfigKey(key); !s.ok()) {
      diag.Error(where, s.message());
      continue;
    }
    auto [first, inserted] = seen->emplace(key, where);
    if (!inserted) {
      diag.Error(where, "config key '" + key + "' is set twice in " + place + " (first at line " +
                            std::to_string(first->second.line) + "); remove one of them");
      continue;
    }
    std::optional<ConfigValue> value = ReadConfigValue(entry.value, "'" + key + "'", diag);
    if (!value) continue;
    Status check = topology::CheckConfigEntry(key, *value);
    if (!check.ok()) {
      diag.Error(ValueMark(entry), check.message());
      continue;
    }
    out->SetValue(key, std::move(*value));
    if (where_out != nullptr) (*where_out)[key] = diag.Locate(ValueMark(entry));
  }
}

}  // namespace

void ReadConfigMap(const YAML::Node& node, const std::string& place, Config* out, Diagnostics& diag,
                   std::map<std::string, SourceLocation, std::less<>>* where) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    diag.Error(node.Mark(), place + " must be a map of key: value, got " + DescribeNode(node));
    return;
  }
  std::map<std::string, SourceLocation> seen;
  FlattenConfig(node, place, "", &seen, out, diag, where);
}

}  // namespace gale::flux
