#pragma once

#include <map>
#include <string>
#include <vector>

#include "gale/config.h"
#include "gale/fields.h"
#include "gale/tuple.h"
#include "gale/value.h"

namespace gale {

// Where a topology element was written (YAML file, 1-based line and column);
// empty file for topologies built in C++.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  // "topology.yaml:12:5", or "" when unknown.
  std::string ToString() const;
};

enum class GroupingType { kShuffle, kFields, kAll, kGlobal, kNone, kDirect, kLocalOrShuffle, kCustom };

// "SHUFFLE", "FIELDS", ... as written in Flux YAML.
const char* GroupingTypeName(GroupingType type);

struct GroupingSpec {
  GroupingType type = GroupingType::kShuffle;
  std::vector<std::string> fields;  // kFields: the key fields
  std::string custom_class;         // kCustom: registered grouping name
  std::vector<Value> args;          // kCustom: its arguments
};

struct StreamSpec {
  std::string from;
  std::string to;
  std::string stream_id = std::string(kDefaultStream);
  GroupingSpec grouping;
  SourceLocation where;  // of the stream entry
  // Of the `from`, `to` and `streamId` values, when known (else use `where`).
  SourceLocation from_where;
  SourceLocation to_where;
  SourceLocation stream_id_where;
  std::vector<SourceLocation> fields_where;  // FIELDS: of each key field, when known
};

enum class ComponentKind { kSpout, kBolt };

struct ComponentSpec {
  ComponentKind kind = ComponentKind::kBolt;
  std::string id;
  std::string class_name;
  int parallelism = 1;             // tasks (Flux `numTasks` when given)
  Config config;                   // the component's own `config:` map
  Config properties;               // Flux `properties`
  std::vector<Value> constructor_args;  // Flux `constructorArgs`
  SourceLocation where;
  SourceLocation class_name_where;
  SourceLocation parallelism_where;
  // Of the value of each key of `properties` and `config` (properties win),
  // when known.
  std::map<std::string, SourceLocation, std::less<>> value_where;
};

// A whole logical topology, from YAML (runtime/flux) or TopologyBuilder.
struct TopologySpec {
  std::string name;
  Config config;
  // Of the value of each key of `config`, when known (not for -c overrides).
  std::map<std::string, SourceLocation, std::less<>> config_where;
  std::vector<ComponentSpec> spouts;
  std::vector<ComponentSpec> bolts;
  std::vector<StreamSpec> streams;
  std::vector<std::string> libraries;  // plugin paths, absolute or relative to cwd
  std::string source_file;             // "" when built in C++

  const ComponentSpec* FindComponent(const std::string& id) const;
};

// Builds a TopologySpec in C++ (Storm's TopologyBuilder), e.g.
//   TopologyBuilder b("wordcount");
//   b.SetSpout("sentences", "RandomSentenceSpout", 2);
//   b.SetBolt("split", "SplitSentenceBolt", 4).ShuffleGrouping("sentences");
//   b.SetBolt("count", "WordCountBolt", 4).FieldsGrouping("split", Fields{"word"});
//   TopologySpec spec = b.Build();
class TopologyBuilder {
 public:
  class ComponentDeclarer {
   public:
    ComponentDeclarer& SetProperty(std::string key, Value value);
    ComponentDeclarer& AddConfiguration(std::string key, Value value);
    ComponentDeclarer& SetConstructorArgs(std::vector<Value> args);

    // Subscriptions (bolts only). `stream` defaults to "default".
    ComponentDeclarer& ShuffleGrouping(const std::string& from,
                                       const std::string& stream = std::string(kDefaultStream));
    ComponentDeclarer& FieldsGrouping(const std::string& from, const Fields& fields);
    ComponentDeclarer& FieldsGrouping(const std::string& from, const std::string& stream,
                                      const Fields& fields);
    ComponentDeclarer& AllGrouping(const std::string& from,
                                   const std::string& stream = std::string(kDefaultStream));
    ComponentDeclarer& GlobalGrouping(const std::string& from,
                                      const std::string& stream = std::string(kDefaultStream));
    ComponentDeclarer& NoneGrouping(const std::string& from,
                                    const std::string& stream = std::string(kDefaultStream));
    ComponentDeclarer& DirectGrouping(const std::string& from,
                                      const std::string& stream = std::string(kDefaultStream));
    ComponentDeclarer& LocalOrShuffleGrouping(
        const std::string& from, const std::string& stream = std::string(kDefaultStream));
    ComponentDeclarer& CustomGrouping(const std::string& from, const std::string& stream,
                                      const std::string& class_name,
                                      std::vector<Value> args = {});

   private:
    friend class TopologyBuilder;
    ComponentDeclarer(TopologyBuilder* builder, std::size_t index, ComponentKind kind)
        : builder_(builder), index_(index), kind_(kind) {}
    ComponentSpec& spec();
    ComponentDeclarer& Subscribe(const std::string& from, const std::string& stream,
                                 GroupingSpec grouping);

    TopologyBuilder* builder_;
    std::size_t index_;
    ComponentKind kind_;
  };

  explicit TopologyBuilder(std::string name);

  ComponentDeclarer SetSpout(std::string id, std::string class_name, int parallelism = 1);
  ComponentDeclarer SetBolt(std::string id, std::string class_name, int parallelism = 1);
  Config& config() { return spec_.config; }

  // The spec as built; validation happens when it is run or validated.
  TopologySpec Build() const { return spec_; }

 private:
  TopologySpec spec_;
};

}  // namespace gale
