#include "launch/topology_source.h"

#include <filesystem>

#include "flux/loader.h"
#include "gale/registry.h"
#include "launch/plugins.h"
#include "topology/validate.h"

namespace gale::launch {
namespace {

std::string AbsolutePath(const std::string& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p : abs.lexically_normal().string();
}

// A topology a plugin builds in C++, with the -c overrides applied.
Result<TopologySpec> BuildRegisteredTopology(const TopologySource& source) {
  Registry::TopologyFactory factory = Registry::Global().FindTopology(source.topology);
  if (!factory) {
    std::string known;
    for (const std::string& n : Registry::Global().TopologyNames()) {
      known += (known.empty() ? "" : ", ") + n;
    }
    return NotFound("no topology '" + source.topology + "' is registered (known: " +
                    (known.empty() ? "none" : known) +
                    "); pass the plugin that registers it with --lib");
  }
  TopologySpec spec;
  try {
    spec = factory();
  } catch (const std::exception& e) {
    return Status(ErrorCode::kUserCode,
                  "building topology '" + source.topology + "' threw: " + e.what());
  }
  GALE_RETURN_IF_ERROR(flux::ApplyConfigOverrides(source.overrides, &spec.config));
  return spec;
}

}  // namespace

TopologySource TopologySource::Absolute() const {
  TopologySource s = *this;
  if (!file.empty()) s.file = AbsolutePath(file);
  for (auto& l : s.libs) l = AbsolutePath(l);
  for (auto& f : s.filters) f = AbsolutePath(f);
  return s;
}

state::KeyValues TopologySource::ToKeyValues() const {
  state::KeyValues kv;
  kv.Add("file", file);
  kv.Add("topology", topology);
  for (const auto& l : libs) kv.Add("lib", l);
  for (const auto& f : filters) kv.Add("filter", f);
  kv.Add("env_filter", env_filter ? "1" : "0");
  for (const auto& o : overrides) kv.Add("override", o);
  return kv;
}

TopologySource TopologySource::FromKeyValues(const state::KeyValues& kv) {
  TopologySource s;
  s.file = kv.GetOr("file", "");
  s.topology = kv.GetOr("topology", "");
  s.libs = kv.GetAll("lib");
  s.filters = kv.GetAll("filter");
  s.env_filter = kv.GetOr("env_filter", "0") == "1";
  s.overrides = kv.GetAll("override");
  return s;
}

Result<LoadedTopology> LoadTopology(const TopologySource& source) {
  for (const std::string& lib : source.libs) GALE_RETURN_IF_ERROR(LoadPlugin(lib));
  Result<TopologySpec> spec = Status();
  if (!source.topology.empty()) {
    spec = BuildRegisteredTopology(source);
  } else {
    flux::LoadOptions options;
    options.filter_files = source.filters;
    options.env_filter = source.env_filter;
    options.overrides = source.overrides;
    spec = flux::LoadTopologyFile(source.file, options);
  }
  if (!spec.ok()) return spec.status();
  for (const std::string& lib : spec->libraries) GALE_RETURN_IF_ERROR(LoadPlugin(lib));
  Status valid = topology::ValidateTopology(*spec, Registry::Global());
  if (!valid.ok()) return Status(valid.code(), "invalid topology:\n" + valid.message());
  auto plan = plan::TopologyPlan::Build(*spec, Registry::Global());
  if (!plan.ok()) return plan.status();
  return LoadedTopology{std::move(spec).value(), std::move(plan).value()};
}

Result<LoadedTopology> LoadSubmittedTopology(const state::StateManager& sm,
                                             const std::string& name) {
  auto submit = sm.ReadKv(name, "submit");
  if (!submit) return NotFound("no submitted topology '" + name + "' in " + sm.root());
  return LoadTopology(TopologySource::FromKeyValues(*submit));
}

}  // namespace gale::launch
