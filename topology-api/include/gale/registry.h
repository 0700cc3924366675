#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>
#include <map>

#include "gale/component.h"
#include "gale/grouping.h"
#include "gale/topology.h"

namespace gale {

// Name -> factory tables for spouts, bolts and custom groupings. Plugins fill
// it from static initialisers when they are loaded; one registry exists per
// process (it lives in libgale_api.so). Thread-safe.
class Registry {
 public:
  using SpoutFactory = std::function<std::unique_ptr<Spout>()>;
  using BoltFactory = std::function<std::unique_ptr<Bolt>()>;
  using GroupingFactory = std::function<std::unique_ptr<CustomGrouping>()>;
  // Builds a whole topology in C++ (see GALE_REGISTER_TOPOLOGY).
  using TopologyFactory = std::function<TopologySpec()>;

  static Registry& Global();

  // Return true; a name registered twice keeps the first factory and records
  // a conflict (see TakeConflicts).
  bool AddSpout(std::string name, SpoutFactory factory);
  bool AddBolt(std::string name, BoltFactory factory);
  bool AddGrouping(std::string name, GroupingFactory factory);
  bool AddTopology(std::string name, TopologyFactory factory);

  // nullptr for an unknown name.
  std::unique_ptr<Spout> NewSpout(std::string_view name) const;
  std::unique_ptr<Bolt> NewBolt(std::string_view name) const;
  std::unique_ptr<CustomGrouping> NewGrouping(std::string_view name) const;
  // The factory of a registered topology, or an empty function.
  TopologyFactory FindTopology(std::string_view name) const;
  std::vector<std::string> TopologyNames() const;

  bool HasSpout(std::string_view name) const;
  bool HasBolt(std::string_view name) const;
  bool HasGrouping(std::string_view name) const;
  std::vector<std::string> SpoutNames() const;
  std::vector<std::string> BoltNames() const;
  std::vector<std::string> GroupingNames() const;

  // The library being loaded, named in conflict messages ("" = the program).
  void SetLoadingLibrary(std::string path);
  // Messages about names registered twice since the last call.
  std::vector<std::string> TakeConflicts();

 private:
  template <typename F>
  bool Add(std::map<std::string, std::pair<F, std::string>, std::less<>>& table, const char* kind,
           std::string name, F factory);

  mutable std::mutex mu_;
  std::map<std::string, std::pair<SpoutFactory, std::string>, std::less<>> spouts_;
  std::map<std::string, std::pair<BoltFactory, std::string>, std::less<>> bolts_;
  std::map<std::string, std::pair<GroupingFactory, std::string>, std::less<>> groupings_;
  std::map<std::string, std::pair<TopologyFactory, std::string>, std::less<>> topologies_;
  std::string loading_library_;
  std::vector<std::string> conflicts_;
};

}  // namespace gale

#define GALE_INTERNAL_CONCAT2(a, b) a##b
#define GALE_INTERNAL_CONCAT(a, b) GALE_INTERNAL_CONCAT2(a, b)

// Registers `Class` (default-constructible) under the name `Name`.
#define GALE_REGISTER_SPOUT_AS(Class, Name)                                              \
  [[maybe_unused]] static const bool GALE_INTERNAL_CONCAT(gale_registered_, __COUNTER__) = \
      ::gale::Registry::Global().AddSpout(                                               \
          Name, [] { return std::unique_ptr<::gale::Spout>(new Class()); })
#define GALE_REGISTER_BOLT_AS(Class, Name)                                               \
  [[maybe_unused]] static const bool GALE_INTERNAL_CONCAT(gale_registered_, __COUNTER__) = \
      ::gale::Registry::Global().AddBolt(                                                \
          Name, [] { return std::unique_ptr<::gale::Bolt>(new Class()); })
#define GALE_REGISTER_GROUPING_AS(Class, Name)                                           \
  [[maybe_unused]] static const bool GALE_INTERNAL_CONCAT(gale_registered_, __COUNTER__) = \
      ::gale::Registry::Global().AddGrouping(                                            \
          Name, [] { return std::unique_ptr<::gale::CustomGrouping>(new Class()); })

// Registers a topology built in C++ under `Name`, run with
// `gale local --topology Name --lib plugin.so` (or validate/submit):
//   gale::TopologySpec WordCount() {
//     gale::TopologyBuilder b("wordcount");
//     ...
//     return b.Build();
//   }
//   GALE_REGISTER_TOPOLOGY("wordcount-cpp", WordCount);
#define GALE_REGISTER_TOPOLOGY(Name, Function)                                             \
  [[maybe_unused]] static const bool GALE_INTERNAL_CONCAT(gale_registered_, __COUNTER__) = \
      ::gale::Registry::Global().AddTopology(Name, Function)

// Registers `Class` under its own name, e.g. "SplitSentenceBolt".
#define GALE_REGISTER_SPOUT(Class) GALE_REGISTER_SPOUT_AS(Class, #Class)
#define GALE_REGISTER_BOLT(Class) GALE_REGISTER_BOLT_AS(Class, #Class)
#define GALE_REGISTER_GROUPING(Class) GALE_REGISTER_GROUPING_AS(Class, #Class)
