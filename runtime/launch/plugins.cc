#include "launch/plugins.h"

#include <dlfcn.h>

#include <filesystem>
#include <set>

#include "gale/registry.h"

namespace gale::launch {

namespace {

// Libraries LoadPlugin was asked for that the gale program itself links
// (canonical paths).
std::set<std::string>& ProgramLibraries() {
  static std::set<std::string> libraries;
  return libraries;
}

}  // namespace

bool IsProgramLibrary(const std::string& path) {
  std::error_code ec;
  std::string canonical = std::filesystem::canonical(path, ec).string();
  return !ec && ProgramLibraries().count(canonical) > 0;
}

Status LoadPlugin(const std::string& path) {
  static std::set<std::string> loaded;
  std::error_code ec;
  std::filesystem::path p(path);
  if (!std::filesystem::exists(p, ec)) {
    return NotFound("plugin '" + path + "' does not exist (check the --lib path or the " +
                    "topology's libraries: entry)");
  }
  std::string canonical = std::filesystem::canonical(p, ec).string();
  if (ec) canonical = path;
  if (loaded.count(canonical) > 0) return Status::Ok();
  // Already in the process without LoadPlugin: a library the gale program
  // links (e.g. --lib libgale_kafka_spout.so); its components are there.
  if (void* linked = dlopen(canonical.c_str(), RTLD_LAZY | RTLD_NOLOAD); linked != nullptr) {
    dlclose(linked);
    ProgramLibraries().insert(canonical);
    loaded.insert(canonical);
    return Status::Ok();
  }
  Registry::Global().SetLoadingLibrary(canonical);
  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_GLOBAL);
  Registry::Global().SetLoadingLibrary("");
  if (handle == nullptr) {
    const char* err = dlerror();
    return InvalidArgument("cannot load plugin '" + path + "': " + (err ? err : "unknown error") +
                           " (build it with gale_add_plugin() against the same gale version)");
  }
  loaded.insert(canonical);
  std::string conflicts;
  for (const std::string& c : Registry::Global().TakeConflicts()) conflicts += "\n  " + c;
  if (!conflicts.empty()) {
    return InvalidArgument("plugin '" + path + "' registers names that already exist:" +
                           conflicts);
  }
  return Status::Ok();
}

}  // namespace gale::launch
