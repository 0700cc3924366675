#pragma once

// Reads a topology written in Storm Flux YAML into a TopologySpec.
//
// Supported: name, config, spouts, bolts, streams, includes (files only;
// nested; cycles rejected), numTasks, shared `components:` referenced with
// `ref` and `configMethods` (both become component config keys; see
// flux/component_values.h), and gale's additions `libraries:` and a
// component's own `config:` map. Flux features gale does not implement
// (topologySource, reflist, factory, classpath resources) and any unknown
// key are errors. Every error reads
// "FILE:LINE:COLUMN: what is wrong (and how to fix it)"; all problems of a
// load are reported, one per line.
//
// This checks the file's structure and the values of the config keys gale
// reads; whether classes are registered and streams fit together is
// topology::ValidateTopology's job once plugins are loaded.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "gale/topology.h"

namespace gale::flux {

// One file a load read: its path as the loader used it (absolute when the
// topology's path was) and its substituted text.
struct SourceFile {
  std::string path;
  std::string text;
};

struct LoadOptions {
  // --filter FILE.properties: `key=value` lines (# comments) whose values
  // replace ${key} in the YAML text. Later files win.
  std::vector<std::string> filter_files;
  // --env-filter: ${ENV-NAME} is replaced by the environment variable NAME.
  bool env_filter = false;
  // -c key=value: topology config overrides applied last; the value is typed
  // like a YAML scalar (2 -> int, true -> bool, [a, b] -> list, "2" -> string).
  std::vector<std::string> overrides;
  // false: the text is already substituted (a topology package's resolved
  // files) and is parsed as it is; filter_files and env_filter must be unset.
  bool substitute = true;
  // When set, every file read (the topology and its includes) is appended
  // here with its text after substitution, in the order read.
  std::vector<SourceFile>* files_read = nullptr;
};


// How many files this process refused because a YAML node threw while the
// file was read: a reader used a node without checking it. The file is
// refused with an error ("... a bug in gale's YAML reader ...") rather than
// the process ended; the fuzz target treats any as a crash.
std::uint64_t ReaderBugCount();

// Loads the topology in the file at `path` (and the files it includes).
// Errors: kNotFound when `path` or a --filter file does not exist,
// kInvalidArgument for anything wrong in the topology or the options, kIo
// when a file cannot be read.
Result<TopologySpec> LoadTopologyFile(const std::string& path, const LoadOptions& options);

// Loads a topology from `text`, reported as `file_name` in errors and
// locations; includes and libraries are resolved against its directory
// (the current directory when `file_name` has none).
Result<TopologySpec> LoadTopologyString(const std::string& text, const std::string& file_name,
                                        const LoadOptions& options);

// Applies `-c key=value` overrides (typed as in LoadOptions::overrides) to
// a config, e.g. of a topology built in C++.
Status ApplyConfigOverrides(const std::vector<std::string>& overrides, Config* config);

}  // namespace gale::flux
