#pragma once

// One Flux YAML file read into the pieces of a topology, before its
// includes are merged in.

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "flux/diagnostics.h"
#include "gale/config.h"
#include "gale/topology.h"

namespace gale::flux {

struct IncludeDefinition {
  std::string file;       // as written, relative to the including file
  bool override = false;  // the included file's entries win
  SourceLocation where;   // of the `file:` value
};

struct FileDefinition {
  std::optional<std::string> name;
  bool has_name_key = false;
  Config config;
  std::map<std::string, SourceLocation, std::less<>> config_where;  // of each config value
  std::vector<ComponentSpec> spouts;
  std::vector<ComponentSpec> bolts;
  std::vector<StreamSpec> streams;
  std::vector<IncludeDefinition> includes;
  std::vector<std::string> libraries;          // absolute
  std::optional<SourceLocation> spouts_where;  // of the `spouts` key
  std::size_t spout_entries = 0;               // items in `spouts`, valid or not
};

// Reads the top-level map `root` of one file; relative `libraries` are
// resolved against `base_dir`. Problems go to `diag`; what could be read is
// returned anyway.
FileDefinition ReadDefinition(const YAML::Node& root, const std::string& base_dir,
                              Diagnostics& diag);

}  // namespace gale::flux
