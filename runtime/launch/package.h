#pragma once

// Topology packages: what `gale submit` hands every process of a topology.
//
// A package is a directory <store>/<id>/ holding
//   MANIFEST        what the package holds (below)
//   files/...       the topology's YAML file and every file it includes,
//                   after --filter/--env-filter substitution, laid out as
//                   they were relative to each other (so `includes:` and
//                   relative `libraries:` resolve the same way)
//   lib/...         every plugin library: the --lib ones and the YAML's
//                   `libraries:`
// and <id> is the SHA-256 of MANIFEST, which names the SHA-256 and size of
// every other file: the package is content addressed, and the same
// submission makes the same package (written once, reused after).
//
// MANIFEST is text, one entry a line:
//   gale-package 1
//   topology files/REL           the YAML to load (absent for a C++ topology)
//   registered NAME              the C++ topology a plugin registers
//   override TEXT                each -c key=value, in order (\n and \\ escaped)
//   lib SHA256 SIZE lib/NAME     each --lib, in order
//   library SHA256 SIZE lib/NAME each of the YAML's libraries, in the order
//                                the loader lists them
//   file SHA256 SIZE files/REL   each YAML file
//   program-lib PATH             a --lib (or program-library PATH: a YAML
//                                library) the gale program links itself,
//                                e.g. libgale_kafka_spout.so: part of the
//                                installation, named by path, not copied
// The -c overrides are kept as the user gave them and re-applied on load
// (as `gale submit` applied them), which gives the identical config.
//
// Loading checks every digest first: a package that was edited, truncated
// or lost a file is refused with an error naming the file.
//
// Packages are referenced by topology: <store>/<id>.refs/ holds one file per
// topology using the package; the topology's removal (gale kill) drops its
// reference and the last one removes the package.

#include <string>
#include <vector>

#include "common/status.h"
#include "flux/loader.h"
#include "launch/topology_source.h"

namespace gale::launch {

inline constexpr char kManifest[] = "MANIFEST";

struct PackageFile {
  std::string path;  // relative to the package directory
  std::string content;
};

struct Package {
  std::string id;  // SHA-256 of `manifest`, 64 hex digits
  std::string manifest;
  std::vector<PackageFile> files;
};

// The package of a topology `gale submit` loaded from `source` (absolute
// paths) into `spec`, reading `files_read`. Reads the plugin libraries.
Result<Package> MakePackage(const TopologySource& source, const TopologySpec& spec,
                            const std::vector<flux::SourceFile>& files_read);

// The name of the reference of topology `name` in the state at `state_root`.
std::string PackageRefName(const std::string& state_root, const std::string& name);

// Writes `package` to <store>/<id>/ (into a temporary directory renamed into
// place; an intact package already there is reused) and records the
// reference `ref`. Directories 0700, files 0600; the store is created 0700
// when missing. On error (store not writable, disk full) nothing of this
// call is left behind. The package directory.
Result<std::string> StorePackage(const Package& package, const std::string& store,
                                 const std::string& ref);

// Drops the reference `ref` to the package at `dir`; removes the package
// when no reference is left. A missing package or reference is no error.
Status ReleasePackage(const std::string& dir, const std::string& ref);

// Checks the package at `dir` against `id` (its manifest's digest and every
// file's) and loads the topology from it: plugins by their full path in the
// package, the YAML parsed as resolved at submit, the overrides re-applied.
Result<LoadedTopology> LoadPackagedTopology(const std::string& dir, const std::string& id);

}  // namespace gale::launch
