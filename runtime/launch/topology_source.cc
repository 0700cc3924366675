#include "launch/topology_source.h"

#include <filesystem>

#include "flux/loader.h"
#include "gale/registry.h"
#include "launch/package.h"
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

records::Submission TopologySource::ToRecord() const {
  return records::Submission{file, topology, libs, filters, env_filter, overrides, "", ""};
}

TopologySource TopologySource::FromRecord(const records::Submission& r) {
  TopologySource s;
  s.file = r.file;
  s.topology = r.topology;
  s.libs = r.libs;
  s.filters = r.filters;
  s.env_filter = r.env_filter;
  s.overrides = r.overrides;
  return s;
}

Result<LoadedTopology> LoadTopologyFrom(const TopologySource& source, bool substitute,
                                        const std::vector<std::string>* libraries,
                                        std::vector<flux::SourceFile>* files_read) {
  for (const std::string& lib : source.libs) GALE_RETURN_IF_ERROR(LoadPlugin(lib));
  Result<TopologySpec> spec = Status();
  if (!source.topology.empty()) {
    spec = BuildRegisteredTopology(source);
  } else {
    flux::LoadOptions options;
    options.filter_files = source.filters;
    options.env_filter = source.env_filter;
    options.overrides = source.overrides;
    options.substitute = substitute;
    options.files_read = files_read;
    spec = flux::LoadTopologyFile(source.file, options);
  }
  if (!spec.ok()) return spec.status();
  if (libraries != nullptr) {
    if (libraries->size() != spec->libraries.size()) {
      return InvalidArgument("the topology " + source.file + " lists " +
                             std::to_string(spec->libraries.size()) +
                             " libraries, its package holds " +
                             std::to_string(libraries->size()) +
                             "; the package is damaged: submit the topology again");
    }
    spec->libraries = *libraries;
  }
  for (const std::string& lib : spec->libraries) GALE_RETURN_IF_ERROR(LoadPlugin(lib));
  Status valid = topology::ValidateTopology(*spec, Registry::Global());
  if (!valid.ok()) return Status(valid.code(), "invalid topology:\n" + valid.message());
  auto plan = plan::TopologyPlan::Build(*spec, Registry::Global());
  if (!plan.ok()) return plan.status();
  return LoadedTopology{std::move(spec).value(), std::move(plan).value()};
}

Result<LoadedTopology> LoadTopology(const TopologySource& source,
                                    std::vector<flux::SourceFile>* files_read) {
  return LoadTopologyFrom(source, /*substitute=*/true, nullptr, files_read);
}

Result<LoadedTopology> LoadSubmittedTopology(const state::StateManager& sm,
                                             const std::string& name) {
  auto submit = sm.ReadRecord<records::Submission>(name, "submit");
  if (submit.status().code() == ErrorCode::kNotFound) {
    return NotFound("no submitted topology '" + name + "' in " + sm.root());
  }
  if (!submit.ok()) return submit.status();
  if (submit->package.empty() || submit->package_dir.empty()) {
    return Status(ErrorCode::kFailedPrecondition, "the submission of topology '" + name +
                              "' names no topology package (it was submitted by an older gale); "
                              "kill it and submit it again");
  }
  Result<LoadedTopology> loaded = LoadPackagedTopology(submit->package_dir, submit->package);
  if (!loaded.ok()) {
    return Status(loaded.status().code(),
                  "topology '" + name + "': " + loaded.status().message());
  }
  return loaded;
}

records::PackingPlan PackingOf(const plan::TopologyPlan& plan) {
  records::PackingPlan packing;
  packing.workers = plan.workers();
  for (std::int32_t t = 1; t <= plan.max_task_id(); ++t) {
    packing.tasks.push_back({t, plan.container_of(t), plan.component_of(t).id});
  }
  return packing;
}

}  // namespace gale::launch
