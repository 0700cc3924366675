#include "gale/registry.h"

#include <utility>

namespace gale {

Registry& Registry::Global() {
  static Registry* registry = new Registry();  // never destroyed: plugins may outlive exit order
  return *registry;
}

template <typename F>
bool Registry::Add(std::map<std::string, std::pair<F, std::string>, std::less<>>& table,
                   const char* kind, std::string name, F factory) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = table.find(name);
  if (it != table.end()) {
    auto where = [](const std::string& lib) { return lib.empty() ? "the gale program" : lib; };
    conflicts_.push_back(std::string(kind) + " class '" + name + "' is registered twice: by " +
                         where(it->second.second) + " and by " + where(loading_library_) +
                         " (the first one is used; rename one of them)");
    return true;
  }
  table.emplace(std::move(name), std::make_pair(std::move(factory), loading_library_));
  return true;
}

bool Registry::AddSpout(std::string name, SpoutFactory factory) {
  return Add(spouts_, "spout", std::move(name), std::move(factory));
}
bool Registry::AddBolt(std::string name, BoltFactory factory) {
  return Add(bolts_, "bolt", std::move(name), std::move(factory));
}
bool Registry::AddGrouping(std::string name, GroupingFactory factory) {
  return Add(groupings_, "grouping", std::move(name), std::move(factory));
}

namespace {

template <typename Table>
auto Create(const Table& table, std::string_view name) -> decltype(table.begin()->second.first()) {
  auto it = table.find(name);
  if (it == table.end()) return nullptr;
  return it->second.first();
}

template <typename Table>
std::vector<std::string> Names(const Table& table) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : table) names.push_back(name);
  return names;
}

}  // namespace

bool Registry::AddTopology(std::string name, TopologyFactory factory) {
  return Add(topologies_, "topology", std::move(name), std::move(factory));
}

Registry::TopologyFactory Registry::FindTopology(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = topologies_.find(name);
  return it == topologies_.end() ? TopologyFactory() : it->second.first;
}

std::vector<std::string> Registry::TopologyNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Names(topologies_);
}

std::unique_ptr<Spout> Registry::NewSpout(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return Create(spouts_, name);
}
std::unique_ptr<Bolt> Registry::NewBolt(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return Create(bolts_, name);
}
std::unique_ptr<CustomGrouping> Registry::NewGrouping(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return Create(groupings_, name);
}

bool Registry::HasSpout(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return spouts_.find(name) != spouts_.end();
}
bool Registry::HasBolt(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return bolts_.find(name) != bolts_.end();
}
bool Registry::HasGrouping(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return groupings_.find(name) != groupings_.end();
}

std::vector<std::string> Registry::SpoutNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Names(spouts_);
}
std::vector<std::string> Registry::BoltNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Names(bolts_);
}
std::vector<std::string> Registry::GroupingNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Names(groupings_);
}

void Registry::SetLoadingLibrary(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  loading_library_ = std::move(path);
}

std::vector<std::string> Registry::TakeConflicts() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(conflicts_, {});
}

}  // namespace gale
