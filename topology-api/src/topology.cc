#include "gale/topology.h"

#include "gale/component.h"

namespace gale {

std::string SourceLocation::ToString() const {
  if (file.empty()) return "";
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const char* ConfigTypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kInt: return "an integer";
    case ConfigType::kDouble: return "a number";
    case ConfigType::kBool: return "true or false";
    case ConfigType::kString: return "a single value";
    case ConfigType::kList: return "a list";
  }
  return "a value";
}

const char* GroupingTypeName(GroupingType type) {
  switch (type) {
    case GroupingType::kShuffle: return "SHUFFLE";
    case GroupingType::kFields: return "FIELDS";
    case GroupingType::kAll: return "ALL";
    case GroupingType::kGlobal: return "GLOBAL";
    case GroupingType::kNone: return "NONE";
    case GroupingType::kDirect: return "DIRECT";
    case GroupingType::kLocalOrShuffle: return "LOCAL_OR_SHUFFLE";
    case GroupingType::kCustom: return "CUSTOM";
  }
  return "?";
}

const ComponentSpec* TopologySpec::FindComponent(const std::string& id) const {
  for (const auto* list : {&spouts, &bolts}) {
    for (const ComponentSpec& c : *list) {
      if (c.id == id) return &c;
    }
  }
  return nullptr;
}

TopologyBuilder::TopologyBuilder(std::string name) { spec_.name = std::move(name); }

TopologyBuilder::ComponentDeclarer TopologyBuilder::SetSpout(std::string id,
                                                              std::string class_name,
                                                              int parallelism) {
  ComponentSpec c;
  c.kind = ComponentKind::kSpout;
  c.id = std::move(id);
  c.class_name = std::move(class_name);
  c.parallelism = parallelism;
  spec_.spouts.push_back(std::move(c));
  return ComponentDeclarer(this, spec_.spouts.size() - 1, ComponentKind::kSpout);
}

TopologyBuilder::ComponentDeclarer TopologyBuilder::SetBolt(std::string id,
                                                             std::string class_name,
                                                             int parallelism) {
  ComponentSpec c;
  c.kind = ComponentKind::kBolt;
  c.id = std::move(id);
  c.class_name = std::move(class_name);
  c.parallelism = parallelism;
  spec_.bolts.push_back(std::move(c));
  return ComponentDeclarer(this, spec_.bolts.size() - 1, ComponentKind::kBolt);
}

using Declarer = TopologyBuilder::ComponentDeclarer;

ComponentSpec& Declarer::spec() {
  return kind_ == ComponentKind::kSpout ? builder_->spec_.spouts[index_]
                                        : builder_->spec_.bolts[index_];
}

Declarer& Declarer::SetProperty(std::string key, Value value) {
  spec().properties.Set(std::move(key), std::move(value));
  return *this;
}

Declarer& Declarer::AddConfiguration(std::string key, Value value) {
  spec().config.Set(std::move(key), std::move(value));
  return *this;
}

Declarer& Declarer::SetConstructorArgs(std::vector<Value> args) {
  spec().constructor_args = std::move(args);
  return *this;
}

Declarer& Declarer::Subscribe(const std::string& from, const std::string& stream,
                              GroupingSpec grouping) {
  StreamSpec s;
  s.from = from;
  s.to = spec().id;
  s.stream_id = stream;
  s.grouping = std::move(grouping);
  builder_->spec_.streams.push_back(std::move(s));
  return *this;
}

Declarer& Declarer::ShuffleGrouping(const std::string& from, const std::string& stream) {
  return Subscribe(from, stream, {GroupingType::kShuffle, {}, {}, {}});
}
Declarer& Declarer::FieldsGrouping(const std::string& from, const Fields& fields) {
  return FieldsGrouping(from, std::string(kDefaultStream), fields);
}
Declarer& Declarer::FieldsGrouping(const std::string& from, const std::string& stream,
                                   const Fields& fields) {
  return Subscribe(from, stream, {GroupingType::kFields, fields.names(), {}, {}});
}
Declarer& Declarer::AllGrouping(const std::string& from, const std::string& stream) {
  return Subscribe(from, stream, {GroupingType::kAll, {}, {}, {}});
}
Declarer& Declarer::GlobalGrouping(const std::string& from, const std::string& stream) {
  return Subscribe(from, stream, {GroupingType::kGlobal, {}, {}, {}});
}
Declarer& Declarer::NoneGrouping(const std::string& from, const std::string& stream) {
  return Subscribe(from, stream, {GroupingType::kNone, {}, {}, {}});
}
Declarer& Declarer::DirectGrouping(const std::string& from, const std::string& stream) {
  return Subscribe(from, stream, {GroupingType::kDirect, {}, {}, {}});
}
Declarer& Declarer::LocalOrShuffleGrouping(const std::string& from, const std::string& stream) {
  return Subscribe(from, stream, {GroupingType::kLocalOrShuffle, {}, {}, {}});
}
Declarer& Declarer::CustomGrouping(const std::string& from, const std::string& stream,
                                   const std::string& class_name, std::vector<Value> args) {
  return Subscribe(from, stream, {GroupingType::kCustom, {}, class_name, std::move(args)});
}

}  // namespace gale
