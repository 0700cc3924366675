#include "flux/component_values.h"

#include <utility>

#include "topology/suggest.h"
#include "topology/validate.h"

namespace gale::flux {
namespace {

constexpr std::string_view kNoRefList =
    "'reflist' is not available; reference the shared components one by one "
    "with 'ref'";


bool HasKey(const YAML::Node& node, const char* key) {
  return node.IsMap() && node[key].IsDefined();
}

// Stores key = value unless the key is already set or gale rejects the
// value; `what` names the entry in messages ("property 'seed' of spout 's'").
bool Put(ValueSink out, const std::string& key, ConfigValue value, const SourceLocation& where,
         const std::string& what, Diagnostics& diag) {
  if (auto first = out.where->find(key); first != out.where->end() || out.values->Has(key)) {
    const int line = first != out.where->end() ? first->second.line : 0;
    diag.Error(where, what + " is set twice" +
                          (line > 0 ? " (first at line " + std::to_string(line) + ")" : "") +
                          "; remove one of them");
    return false;
  }
  if (Status s = topology::CheckConfigEntry(key, value); !s.ok()) {
    diag.Error(where, s.message());
    return false;
  }
  out.values->SetValue(key, std::move(value));
  out.where->emplace(key, where);
  return true;
}

// The keys of shared component `id` under `prefix.`.
void PutShared(const SharedComponents& shared, const std::string& id, const std::string& prefix,
               const YAML::Node& ref_node, const std::string& place, ValueSink out,
               Diagnostics& diag) {
  auto it = shared.find(id);
  if (it == shared.end()) {
    std::vector<std::string> ids;
    for (const auto& [known, c] : shared) ids.push_back(known);
    std::string known_list;
    for (const std::string& k : ids) known_list += (known_list.empty() ? "" : ", ") + k;
    diag.Error(ref_node.Mark(), "'ref: " + id + "' in " + place + " names no shared component" +
                                    topology::DidYouMean(id, ids) +
                                    "; declare it under the top-level 'components:' (declared: " +
                                    (known_list.empty() ? "none" : known_list) + ")");
    return;
  }
  for (const auto& [key, value] : it->second.values.entries()) {
    const std::string full = prefix + "." + key;
    auto where = it->second.where.find(key);
    Put(out, full, value,
        where != it->second.where.end() ? where->second : diag.Locate(ref_node.Mark()),
        "key " + Quoted(full) + " of " + place + " (from 'ref: " + id + "')", diag);
  }
}

}  // namespace

void ReadValueList(const MapEntry& entry, const std::string& place, const SharedComponents* shared,
                   std::vector<Value>* list, std::optional<ValueSink> refs, Diagnostics& diag) {
  const std::string what = "'" + entry.name + "' of " + place;
  if (entry.value.IsNull()) return;
  if (!entry.value.IsSequence()) {
    diag.Error(ValueMark(entry),
               what + " must be a list of values, got " + DescribeNode(entry.value));
    return;
  }
  for (const YAML::Node& item : entry.value) {
    if (HasKey(item, "ref") && shared != nullptr && refs) {
      MapReader r(item, "a reference in " + what, {"ref"}, {}, diag);
      const MapEntry* ref = r.Find("ref");
      if (ref == nullptr) continue;
      std::optional<std::string> id = ReadString(*ref, "the 'ref' in " + what, diag);
      if (!id) continue;
      list->push_back(Value{*id});
      PutShared(*shared, *id, *id, ref->value, place, *refs, diag);
    } else if (HasKey(item, "ref") || HasKey(item, "reflist")) {
      diag.Error(item.Mark(), "gale does not support the Flux key '" +
                                  std::string(HasKey(item, "ref") ? "ref" : "reflist") + "' (in " +
                                  what + "): " +
                                  (HasKey(item, "ref") ? "shared components can only be "
                                                         "referenced by spouts and bolts"
                                                       : std::string(kNoRefList)));
    } else if (item.IsMap() || item.IsSequence()) {
      diag.Error(item.Mark(), what + " may only hold single values, got " + DescribeNode(item));
    } else if (std::optional<Value> v = ReadScalar(item, what, diag)) {
      list->push_back(std::move(*v));
    }
  }
}

void ReadProperties(const MapEntry& entry, const std::string& place, const SharedComponents& shared,
                    ValueSink out, Diagnostics& diag) {
  if (entry.value.IsNull()) return;
  if (!entry.value.IsSequence()) {
    diag.Error(ValueMark(entry), "'properties' of " + place +
                                     " must be a list of '- name: ...' / '  value: ...', got " +
                                     DescribeNode(entry.value));
    return;
  }
  std::size_t index = 0;
  for (const YAML::Node& item : entry.value) {
    const std::string where = "property #" + std::to_string(++index) + " of " + place;
    MapReader p(item, where, {"name", "value", "ref"}, {{"reflist", kNoRefList}}, diag);
    if (!p.is_map()) continue;
    const MapEntry* name = p.Find("name");
    const MapEntry* value = p.Find("value");
    const MapEntry* ref = p.Find("ref");
    if (name == nullptr) {
      diag.Error(item.Mark(), where + " is missing the required key 'name'");
      continue;
    }
    std::optional<std::string> key = ReadString(*name, "the 'name' of " + where, diag);
    if (!key) continue;
    const std::string what = "property " + Quoted(*key) + " of " + place;
    if (value != nullptr && ref != nullptr) {
      diag.Error(ref->key.Mark(), what + " has both 'value' and 'ref'; keep one");
      continue;
    }
    if (ref != nullptr) {
      if (std::optional<std::string> id = ReadString(*ref, "the 'ref' of " + what, diag)) {
        PutShared(shared, *id, *key, ref->value, place, out, diag);
      }
      continue;
    }
    if (value == nullptr) {
      if (!HasKey(item, "reflist")) {
        diag.Error(item.Mark(), what + " is missing the required key 'value' (or 'ref')");
      }
      continue;
    }
    std::optional<ConfigValue> v = ReadConfigValue(value->value, "property " + Quoted(*key), diag);
    if (!v) continue;
    const SourceLocation name_where = diag.Locate(name->value.Mark());
    if (out.values->Has(*key)) {
      auto first = out.where->find(*key);
      diag.Error(name_where,
                 what + " is set twice (first at line " +
                     std::to_string(first != out.where->end() ? first->second.line : 0) + ")");
      continue;
    }
    Put(out, *key, std::move(*v), diag.Locate(ValueMark(*value)), what, diag);
  }
}

void ReadConfigMethods(const MapEntry& entry, const std::string& place, ValueSink out,
                       Diagnostics& diag) {
  if (entry.value.IsNull()) return;
  if (!entry.value.IsSequence()) {
    diag.Error(ValueMark(entry), "'configMethods' of " + place +
                                     " must be a list of '- name: method' / '  args: [...]', "
                                     "got " +
                                     DescribeNode(entry.value));
    return;
  }
  std::size_t index = 0;
  for (const YAML::Node& item : entry.value) {
    const std::string where = "config method #" + std::to_string(++index) + " of " + place;
    MapReader m(item, where, {"name", "args"}, {}, diag);
    if (!m.is_map()) continue;
    const MapEntry* name = m.Find("name");
    if (name == nullptr) {
      diag.Error(item.Mark(), where + " is missing the required key 'name'");
      continue;
    }
    std::optional<std::string> method = ReadString(*name, "the 'name' of " + where, diag);
    if (!method) continue;
    const std::string what = "config method " + Quoted(*method) + " of " + place;
    const MapEntry* args = m.Find("args");
    ConfigValue value = Value{true};
    SourceLocation value_where = diag.Locate(name->value.Mark());
    if (args != nullptr && !args->value.IsNull()) {
      value_where = diag.Locate(ValueMark(*args));
      if (!args->value.IsSequence()) {
        diag.Error(ValueMark(*args), "'args' of " + what + " must be a list, e.g. [10], got " +
                                         DescribeNode(args->value));
        continue;
      }
      const YAML::Node list = args->value;
      const bool one_list = list.size() == 1 && list[0].IsSequence();
      if (HasKey(list.size() == 1 ? list[0] : YAML::Node(), "ref")) {
        diag.Error(list[0].Mark(), "gale does not support 'ref' in the 'args' of " + what +
                                       "; reference shared components from 'properties'");
        continue;
      }
      std::optional<ConfigValue> v =
          ReadConfigValue(one_list ? list[0] : list, "'args' of " + what, diag);
      if (!v) continue;
      value = std::move(*v);
      if (!one_list && list.size() == 1) value = std::get<std::vector<Value>>(value).front();
      if (list.size() == 0) value = Value{true};
    }
    Put(out, *method, std::move(value), value_where, what, diag);
  }
}

SharedComponents ReadSharedComponents(const MapEntry& entry, Diagnostics& diag) {
  SharedComponents shared;
  if (entry.value.IsNull()) return shared;
  if (!entry.value.IsSequence()) {
    diag.Error(ValueMark(entry),
               "'components' must be a list of shared components (each "
               "starting with '- id: ...'), got " +
                   DescribeNode(entry.value));
    return shared;
  }
  std::map<std::string, int> lines;
  std::size_t index = 0;
  for (const YAML::Node& item : entry.value) {
    std::string place = "shared component #" + std::to_string(++index);
    // A map without `id` gives an invalid node, which throws when asked its type.
    if (const YAML::Node id = item.IsMap() ? item["id"] : YAML::Node();
        id.IsDefined() && id.IsScalar()) {
      place = "shared component " + Quoted(id.Scalar());
    }
    MapReader m(item, place, {"id", "className", "constructorArgs", "properties", "configMethods"},
                {{"factory",
                  "components are values handed to spouts and bolts; there is "
                  "nothing to call a factory on"},
                 {"factoryArgs",
                  "components are values handed to spouts and bolts; there is "
                  "nothing to call a factory on"}},
                diag);
    if (!m.is_map()) continue;
    const MapEntry* id = m.Find("id");
    if (id == nullptr) {
      diag.Error(item.Mark(), place + " is missing the required key 'id'");
      continue;
    }
    std::optional<std::string> name = ReadString(*id, "the 'id' of " + place, diag);
    if (!name) continue;
    const int line = diag.Locate(id->value.Mark()).line;
    if (auto [first, inserted] = lines.emplace(*name, line); !inserted) {
      diag.Error(id->value.Mark(), "duplicate shared component id " + Quoted(*name) +
                                       " (first declared at line " + std::to_string(first->second) +
                                       ")");
      continue;
    }
    SharedComponent c;
    c.values.set_owner("shared component " + Quoted(*name));
    ValueSink sink{&c.values, &c.where};
    if (const MapEntry* cls = m.Find("className")) {
      if (std::optional<std::string> v = ReadString(*cls, "the 'className' of " + place, diag)) {
        Put(sink, "className", Value{*v}, diag.Locate(ValueMark(*cls)), "'className'", diag);
      }
    }
    if (const MapEntry* args = m.Find("constructorArgs")) {
      std::vector<Value> list;
      ReadValueList(*args, place, nullptr, &list, std::nullopt, diag);
      if (!list.empty()) {
        Put(sink, "constructorArgs", ConfigValue{std::move(list)}, diag.Locate(ValueMark(*args)),
            "'constructorArgs'", diag);
      }
    }
    if (const MapEntry* props = m.Find("properties")) {
      ReadProperties(*props, place, SharedComponents{}, sink, diag);
    }
    if (const MapEntry* methods = m.Find("configMethods")) {
      ReadConfigMethods(*methods, place, sink, diag);
    }
    shared.emplace(*name, std::move(c));
  }
  return shared;
}

}  // namespace gale::flux
