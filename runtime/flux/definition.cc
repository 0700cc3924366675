#include "flux/definition.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <map>
#include <utility>

#include "flux/component_values.h"
#include "flux/yaml_reader.h"
#include "topology/validate.h"

namespace gale::flux {
namespace {

constexpr std::string_view kNoFactory =
    "components are created from their registered 'className'; pass arguments "
    "with "
    "'constructorArgs'";
constexpr std::string_view kGroupingTypes =
    "SHUFFLE, FIELDS, ALL, GLOBAL, NONE, DIRECT, LOCAL_OR_SHUFFLE, CUSTOM";

const char* KindName(ComponentKind kind) {
  return kind == ComponentKind::kSpout ? "spout" : "bolt";
}


// Calls f(item, index) for each item of a list-valued entry; an empty value
// is an empty list.
template <typename F>
void ForEachItem(const MapEntry& entry, const std::string& must_be, Diagnostics& diag, F f) {
  if (entry.value.IsNull()) return;
  if (!entry.value.IsSequence()) {
    diag.Error(ValueMark(entry), must_be + ", got " + DescribeNode(entry.value));
    return;
  }
  std::size_t index = 0;
  for (const YAML::Node& item : entry.value) f(item, index++);
}

// The text of `node[key]` when node is a map holding a non-empty scalar there.
std::optional<std::string> ScalarAt(const YAML::Node& node, const char* key) {
  if (!node.IsMap()) return std::nullopt;
  const YAML::Node value = node[key];
  if (!value.IsDefined() || !value.IsScalar() || value.Scalar().empty()) return std::nullopt;
  return value.Scalar();
}

std::optional<GroupingType> ParseGroupingType(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (GroupingType t : {GroupingType::kShuffle, GroupingType::kFields, GroupingType::kAll,
                         GroupingType::kGlobal, GroupingType::kNone, GroupingType::kDirect,
                         GroupingType::kLocalOrShuffle, GroupingType::kCustom}) {
    if (name == GroupingTypeName(t)) return t;
  }
  return std::nullopt;
}

// Flux `numTasks`: the number of tasks, at least `parallelism` (Storm runs
// numTasks tasks on parallelism executors; gale runs one executor per task,
// so the component runs numTasks tasks).
void ReadNumTasks(const MapEntry& entry, const std::string& place, const MapReader& map,
                  ComponentSpec* c, Diagnostics& diag) {
  std::optional<std::int64_t> n = ReadInt(entry, "the 'numTasks' of " + place, diag);
  if (!n) return;
  if (*n < 1) {
    diag.Error(ValueMark(entry),
               "the 'numTasks' of " + place + " must be at least 1, got " + std::to_string(*n));
    return;
  }
  if (*n > INT_MAX) {
    diag.Error(ValueMark(entry),
               "the 'numTasks' of " + place + " is too large (" + std::to_string(*n) + ")");
    return;
  }
  const MapEntry* parallelism = map.Find("parallelism");
  if (parallelism != nullptr && *n < c->parallelism) {
    diag.Error(ValueMark(entry), "the 'numTasks' of " + place + " (" + std::to_string(*n) +
                                     ") is less than its 'parallelism' (" +
                                     std::to_string(c->parallelism) +
                                     "); a component needs at least one task per executor: "
                                     "raise numTasks or lower parallelism");
    return;
  }
  c->parallelism = static_cast<int>(*n);
  c->parallelism_where = diag.Locate(ValueMark(entry));
}

struct ReadComponentResult {
  ComponentSpec spec;
  SourceLocation id_where;
};

std::optional<ReadComponentResult> ReadComponent(const YAML::Node& node, ComponentKind kind,
                                                 std::size_t index, const SharedComponents& shared,
                                                 Diagnostics& diag) {
  std::string place = std::string(KindName(kind)) + " #" + std::to_string(index + 1);
  if (std::optional<std::string> id = ScalarAt(node, "id")) {
    place = std::string(KindName(kind)) + " " + Quoted(*id);
  }
  MapReader map(node, place,
                {"id", "className", "parallelism", "numTasks", "properties", "constructorArgs",
                 "configMethods", "config"},
                {{"factory", kNoFactory}, {"factoryArgs", kNoFactory}}, diag);
  if (!map.is_map()) return std::nullopt;
  ReadComponentResult result;
  ComponentSpec& c = result.spec;
  c.kind = kind;
  c.where = diag.Locate(node.Mark());
  c.parallelism_where = c.where;
  c.class_name_where = c.where;
  const MapEntry* id = map.Find("id");
  if (id == nullptr) {
    diag.Error(node.Mark(), place + " is missing the required key 'id'");
    return std::nullopt;
  }
  std::optional<std::string> id_text = ReadString(*id, "the 'id' of " + place, diag);
  if (!id_text) return std::nullopt;
  c.id = *id_text;
  result.id_where = diag.Locate(id->value.Mark());
  c.config.set_owner("component '" + c.id + "'");
  c.properties.set_owner("component '" + c.id + "'");

  if (const MapEntry* cls = map.Find("className")) {
    c.class_name_where = diag.Locate(ValueMark(*cls));
    c.class_name = ReadString(*cls, "the 'className' of " + place, diag).value_or("");
  } else {
    diag.Error(node.Mark(), place + " is missing the required key 'className'");
  }
  if (const MapEntry* p = map.Find("parallelism")) {
    c.parallelism_where = diag.Locate(ValueMark(*p));
    if (std::optional<std::int64_t> n = ReadInt(*p, "the 'parallelism' of " + place, diag)) {
      if (*n < 1) {
        diag.Error(ValueMark(*p), "the 'parallelism' of " + place + " must be at least 1, got " +
                                      std::to_string(*n));
      } else if (*n > INT_MAX) {
        diag.Error(ValueMark(*p),
                   "the 'parallelism' of " + place + " is too large (" + std::to_string(*n) + ")");
      } else {
        c.parallelism = static_cast<int>(*n);
      }
    }
  }
  if (const MapEntry* t = map.Find("numTasks")) ReadNumTasks(*t, place, map, &c, diag);
  ValueLocations property_where;
  ValueSink properties{&c.properties, &property_where};
  if (const MapEntry* p = map.Find("properties"))
    ReadProperties(*p, place, shared, properties, diag);
  if (const MapEntry* m = map.Find("configMethods")) ReadConfigMethods(*m, place, properties, diag);
  if (const MapEntry* a = map.Find("constructorArgs")) {
    ReadValueList(*a, place, &shared, &c.constructor_args, properties, diag);
  }
  if (const MapEntry* conf = map.Find("config")) {
    ReadConfigMap(conf->value, "the config of " + place, &c.config, diag, &c.value_where);
  }
  for (auto& [key, where] : property_where) c.value_where[key] = where;  // properties win
  return result;
}

void ReadCustomClass(const MapEntry& entry, const std::string& place, bool have_args,
                     GroupingSpec* g, Diagnostics& diag) {
  if (entry.value.IsScalar()) {
    g->custom_class = ReadString(entry, "the 'customClass' of " + place, diag).value_or("");
    return;
  }
  const std::string where = "the customClass of " + place;
  MapReader cc(entry.value, where, {"className", "constructorArgs"},
               {{"properties", "pass arguments with 'constructorArgs' (or the grouping's 'args')"},
                {"configMethods", "pass arguments with 'constructorArgs'"},
                {"factory", kNoFactory},
                {"factoryArgs", kNoFactory}},
               diag);
  if (!cc.is_map()) return;
  if (const MapEntry* cls = cc.Find("className")) {
    g->custom_class = ReadString(*cls, "the 'className' of " + where, diag).value_or("");
  } else {
    diag.Error(entry.value.Mark(), where + " is missing the required key 'className'");
  }
  if (const MapEntry* args = cc.Find("constructorArgs")) {
    if (have_args) {
      diag.Error(args->key.Mark(), "give the arguments of the CUSTOM grouping of " + place +
                                       " either as 'args' or as customClass 'constructorArgs', "
                                       "not both");
      return;
    }
    ReadValueList(*args, where, nullptr, &g->args, std::nullopt, diag);
  }
}

void ReadGrouping(const MapEntry& entry, const std::string& place, StreamSpec* s,
                  Diagnostics& diag) {
  const std::string where = "the grouping of " + place;
  MapReader g(entry.value, where, {"type", "args", "streamId", "customClass"}, {}, diag);
  if (!g.is_map()) return;
  const MapEntry* type = g.Find("type");
  std::optional<GroupingType> kind;
  if (type == nullptr) {
    diag.Error(entry.value.Mark(), where + " is missing the required key 'type' (one of " +
                                       std::string(kGroupingTypes) + ")");
  } else if (std::optional<std::string> name = ReadString(*type, "the grouping 'type'", diag)) {
    kind = ParseGroupingType(*name);
    if (!kind) {
      diag.Error(ValueMark(*type), "unknown grouping type " + Quoted(*name) + " in " + place +
                                       "; use one of " + std::string(kGroupingTypes));
    }
  }
  if (kind) s->grouping.type = *kind;
  if (const MapEntry* id = g.Find("streamId")) {
    s->stream_id = ReadString(*id, "the 'streamId' of " + place, diag).value_or(s->stream_id);
    s->stream_id_where = diag.Locate(ValueMark(*id));
  }
  const MapEntry* args = g.Find("args");
  const MapEntry* custom = g.Find("customClass");
  if (kind == GroupingType::kFields) {
    if (args == nullptr) {
      diag.Error(entry.value.Mark(),
                 "the FIELDS grouping of " + place + " needs 'args: [field, ...]'");
    } else if (!args->value.IsSequence() || args->value.size() == 0) {
      diag.Error(ValueMark(*args), "'args' of the FIELDS grouping of " + place +
                                       " must be a non-empty list of field names, e.g. [word], "
                                       "got " +
                                       DescribeNode(args->value));
    } else {
      for (const YAML::Node& field : args->value) {
        if (!field.IsScalar() || field.Scalar().empty()) {
          diag.Error(field.Mark(), "field names in 'args' of " + place +
                                       " must be non-empty strings, got " + DescribeNode(field));
        } else if (std::find(s->grouping.fields.begin(), s->grouping.fields.end(),
                             field.Scalar()) != s->grouping.fields.end()) {
          diag.Error(field.Mark(),
                     "field " + Quoted(field.Scalar()) + " appears twice in 'args' of " + place);
        } else {
          s->grouping.fields.push_back(field.Scalar());
          s->fields_where.push_back(diag.Locate(field.Mark()));
        }
      }
    }
  } else if (kind == GroupingType::kCustom) {
    if (args != nullptr) {
      ReadValueList(*args, where, nullptr, &s->grouping.args, std::nullopt, diag);
    }
    if (custom == nullptr) {
      diag.Error(entry.value.Mark(), "the CUSTOM grouping of " + place +
                                         " needs 'customClass: ClassName' (a registered "
                                         "grouping)");
    } else {
      ReadCustomClass(*custom, place, args != nullptr, &s->grouping, diag);
    }
  } else if (kind) {
    const std::string type_name = GroupingTypeName(*kind);
    if (args != nullptr) {
      diag.Error(args->key.Mark(), "'args' is only used by FIELDS and CUSTOM groupings, not by " +
                                       type_name + " (in " + place + "); remove it");
    }
    if (custom != nullptr) {
      diag.Error(custom->key.Mark(), "'customClass' is only used by CUSTOM groupings, not by " +
                                         type_name + " (in " + place + "); remove it");
    }
  }
}

std::optional<StreamSpec> ReadStream(const YAML::Node& node, std::size_t index, Diagnostics& diag) {
  std::string place = "stream #" + std::to_string(index + 1);
  std::optional<std::string> from = ScalarAt(node, "from");
  std::optional<std::string> to = ScalarAt(node, "to");
  if (from && to) place = "stream " + Quoted(*from) + " -> " + Quoted(*to);
  MapReader map(node, place, {"name", "from", "to", "grouping"}, {}, diag);
  if (!map.is_map()) return std::nullopt;
  StreamSpec s;
  s.where = diag.Locate(node.Mark());
  if (const MapEntry* name = map.Find("name")) ReadString(*name, "the 'name' of " + place, diag);
  for (const char* key : {"from", "to"}) {
    const MapEntry* e = map.Find(key);
    if (e == nullptr) {
      diag.Error(node.Mark(), place + " is missing the required key '" + key + "'");
      continue;
    }
    std::string value = ReadString(*e, std::string("'") + key + "' of " + place, diag).value_or("");
    (key[0] == 'f' ? s.from : s.to) = std::move(value);
    (key[0] == 'f' ? s.from_where : s.to_where) = diag.Locate(ValueMark(*e));
  }
  if (const MapEntry* g = map.Find("grouping")) {
    ReadGrouping(*g, place, &s, diag);
  } else {
    diag.Error(node.Mark(), place +
                                " is missing the required key 'grouping' (e.g. grouping: "
                                "{type: SHUFFLE})");
  }
  return s;
}

std::optional<IncludeDefinition> ReadInclude(const YAML::Node& node, std::size_t index,
                                             Diagnostics& diag) {
  const std::string place = "include #" + std::to_string(index + 1);
  MapReader map(node, place, {"resource", "file", "override"}, {}, diag);
  if (!map.is_map()) return std::nullopt;
  IncludeDefinition inc;
  bool ok = true;
  if (const MapEntry* r = map.Find("resource")) {
    std::optional<bool> resource = ReadBool(*r, "'resource' of " + place, diag);
    if (resource.value_or(false)) {
      diag.Error(ValueMark(*r),
                 "gale does not support 'resource: true' (Java classpath "
                 "resources) in " +
                     place +
                     "; give a path with 'file:', "
                     "relative to this file");
    }
    ok = resource.has_value() && !*resource;
  }
  if (const MapEntry* o = map.Find("override")) {
    std::optional<bool> override = ReadBool(*o, "'override' of " + place, diag);
    inc.override = override.value_or(false);
    ok = ok && override.has_value();
  }
  const MapEntry* file = map.Find("file");
  if (file == nullptr) {
    diag.Error(node.Mark(), place + " is missing the required key 'file'");
    return std::nullopt;
  }
  inc.where = diag.Locate(ValueMark(*file));
  std::optional<std::string> path = ReadString(*file, "'file' of " + place, diag);
  if (!path || !ok) return std::nullopt;
  inc.file = *path;
  return inc;
}

}  // namespace

FileDefinition ReadDefinition(const YAML::Node& root, const std::string& base_dir,
                              Diagnostics& diag) {
  FileDefinition def;
  MapReader top(
      root, "the topology",
      {"name", "config", "components", "spouts", "bolts", "streams", "includes", "libraries"},
      {{"topologySource",
        "describe the topology with 'spouts', 'bolts' and "
        "'streams', or build it in C++ with TopologyBuilder"},
       {"workerHooks", "worker hooks are not available"}},
      diag);
  if (!top.is_map()) return def;
  if (const MapEntry* name = top.Find("name")) {
    def.has_name_key = true;
    def.name = ReadString(*name, "the topology 'name'", diag);
  }
  if (const MapEntry* config = top.Find("config")) {
    ReadConfigMap(config->value, "the topology config", &def.config, diag, &def.config_where);
  }
  SharedComponents shared;
  if (const MapEntry* components = top.Find("components")) {
    shared = ReadSharedComponents(*components, diag);
  }
  std::map<std::string, SourceLocation> ids;
  auto read_components = [&](const char* key, ComponentKind kind, std::vector<ComponentSpec>* out) {
    const MapEntry* list = top.Find(key);
    if (list == nullptr) return;
    if (kind == ComponentKind::kSpout) def.spouts_where = diag.Locate(list->key.Mark());
    ForEachItem(*list,
                std::string("'") + key + "' must be a list of " + KindName(kind) +
                    "s (each starting with '- id: ...')",
                diag, [&](const YAML::Node& item, std::size_t index) {
                  if (kind == ComponentKind::kSpout) ++def.spout_entries;
                  std::optional<ReadComponentResult> c =
                      ReadComponent(item, kind, index, shared, diag);
                  if (!c) return;
                  auto [first, inserted] = ids.emplace(c->spec.id, c->id_where);
                  if (!inserted) {
                    diag.Error(c->id_where, "duplicate component id " + Quoted(c->spec.id) +
                                                " (first declared at line " +
                                                std::to_string(first->second.line) +
                                                "); every spout and bolt needs its own id");
                    return;
                  }
                  out->push_back(std::move(c->spec));
                });
  };
  read_components("spouts", ComponentKind::kSpout, &def.spouts);
  read_components("bolts", ComponentKind::kBolt, &def.bolts);
  if (const MapEntry* streams = top.Find("streams")) {
    ForEachItem(*streams,
                "'streams' must be a list of streams (each starting with '- "
                "from: ...')",
                diag, [&](const YAML::Node& item, std::size_t index) {
                  if (std::optional<StreamSpec> s = ReadStream(item, index, diag)) {
                    def.streams.push_back(std::move(*s));
                  }
                });
  }
  if (const MapEntry* includes = top.Find("includes")) {
    ForEachItem(*includes, "'includes' must be a list of '- file: path'", diag,
                [&](const YAML::Node& item, std::size_t index) {
                  if (std::optional<IncludeDefinition> inc = ReadInclude(item, index, diag)) {
                    def.includes.push_back(std::move(*inc));
                  }
                });
  }
  if (const MapEntry* libraries = top.Find("libraries")) {
    ForEachItem(*libraries, "'libraries' must be a list of plugin paths", diag,
                [&](const YAML::Node& item, std::size_t) {
                  if (!item.IsScalar() || item.Scalar().empty()) {
                    diag.Error(item.Mark(), "entries of 'libraries' must be plugin paths, got " +
                                                DescribeNode(item));
                    return;
                  }
                  std::filesystem::path path = std::filesystem::path(base_dir) / item.Scalar();
                  std::string absolute =
                      std::filesystem::absolute(path).lexically_normal().string();
                  if (std::find(def.libraries.begin(), def.libraries.end(), absolute) ==
                      def.libraries.end()) {
                    def.libraries.push_back(absolute);
                  }
                });
  }
  return def;
}

}  // namespace gale::flux
