#include "flux/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <tuple>

#include "common/log.h"
#include "flux/definition.h"
#include "flux/diagnostics.h"
#include "flux/substitution.h"
#include "flux/yaml_reader.h"
#include "topology/validate.h"

namespace gale::flux {
namespace {

namespace fs = std::filesystem;

// More problems than this are summarised: the first ones matter most.
// A topology file is a few KiB; anything larger than this is a mistake or
// an attack, refused before the parser holds it.
constexpr std::size_t kMaxTopologyFileBytes = 4 << 20;
constexpr std::size_t kMaxReportedErrors = 50;

std::atomic<std::uint64_t> reader_bugs{0};

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound(path + ": no such file");
  if (fs::is_directory(path, ec)) {
    return InvalidArgument(path + ": is a directory, not a topology YAML file");
  }
  // Read with a bound, not by its size: a pipe or a device (/dev/zero) has
  // none.
  const std::string too_large = path + ": more than " + std::to_string(kMaxTopologyFileBytes) +
                                " bytes; a topology file (with each of its includes) may be at "
                                "most 4 MiB";
  if (std::uintmax_t size = fs::file_size(path, ec); !ec && size > kMaxTopologyFileBytes) {
    return InvalidArgument(too_large);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot be read");
  std::string text;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxTopologyFileBytes) return InvalidArgument(too_large);
  }
  if (in.bad()) return IoError(path + ": cannot be read");
  return text;
}

std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

std::string DirectoryOf(const std::string& file) {
  fs::path parent = fs::path(file).parent_path();
  return parent.empty() ? "." : parent.string();
}

bool SameStream(const StreamSpec& a, const StreamSpec& b) {
  return std::tie(a.from, a.to, a.stream_id) == std::tie(b.from, b.to, b.stream_id);
}

// Merges an included file's definition into the includer's. Entries with
// the same identity (config key, component id, stream from/to/streamId)
// keep the includer's unless `override`.
void Merge(FileDefinition* into, FileDefinition&& inc, bool override) {
  for (const auto& [key, value] : inc.config.entries()) {
    if (override || !into->config.Has(key)) {
      into->config.SetValue(key, value);
      if (auto where = inc.config_where.find(key); where != inc.config_where.end()) {
        into->config_where[key] = where->second;
      }
    }
  }
  for (std::vector<ComponentSpec>* list : {&inc.spouts, &inc.bolts}) {
    for (ComponentSpec& c : *list) {
      std::vector<ComponentSpec>& target =
          c.kind == ComponentKind::kSpout ? into->spouts : into->bolts;
      bool replaced = false;
      bool skip = false;
      for (std::vector<ComponentSpec>* mine : {&into->spouts, &into->bolts}) {
        auto it = std::find_if(mine->begin(), mine->end(),
                               [&](const ComponentSpec& m) { return m.id == c.id; });
        if (it == mine->end()) continue;
        if (!override) {
          skip = true;
        } else if (mine == &target) {
          *it = std::move(c);
          replaced = true;
        } else {
          mine->erase(it);
        }
        break;
      }
      if (!skip && !replaced) target.push_back(std::move(c));
    }
  }
  for (StreamSpec& s : inc.streams) {
    auto it = std::find_if(into->streams.begin(), into->streams.end(),
                           [&](const StreamSpec& m) { return SameStream(m, s); });
    if (it == into->streams.end()) {
      into->streams.push_back(std::move(s));
    } else if (override) {
      *it = std::move(s);
    }
  }
  for (std::string& lib : inc.libraries) {
    if (std::find(into->libraries.begin(), into->libraries.end(), lib) == into->libraries.end()) {
      into->libraries.push_back(std::move(lib));
    }
  }
}

struct ChainLink {
  std::string canonical;
  std::string shown;
};

// Loads one file and, recursively, what it includes. Errors accumulate.
class Loader {
 public:
  static constexpr std::size_t kMaxIncludes = 64;

  Loader(const SubstitutionOptions& substitution, const LoadOptions& options)
      : substitution_(substitution), options_(options) {}

  std::optional<FileDefinition> Load(std::string_view raw, const std::string& shown,
                                     std::vector<ChainLink>* chain) {
    const std::size_t errors_before = errors_.size();
    SubstitutedText text;
    if (options_.substitute) {
      text = Substitute(raw, shown, substitution_, &errors_);
    } else {
      text.text = std::string(raw);
    }
    if (errors_.size() != errors_before) return std::nullopt;
    if (options_.files_read != nullptr) options_.files_read->push_back({shown, text.text});
    Diagnostics diag(shown, &text.positions, &errors_);
    YAML::Node root;
    try {
      root = YAML::Load(text.text);
    } catch (const YAML::Exception& e) {
      std::string hint;
      if (e.msg.find("flow not found") != std::string::npos) {
        hint = " (a '[' or '{' opened earlier is not closed)";
      }
      diag.Error(e.mark, "YAML syntax error: " + e.msg + hint);
      return std::nullopt;
    }
    if (!CheckAliases(text.text, diag)) return std::nullopt;
    if (!root.IsDefined() || root.IsNull()) {
      diag.Error(diag.Start(),
                 "the file holds no topology; it needs at least 'name' and "
                 "'spouts'");
      return std::nullopt;
    }
    FileDefinition def;
    try {
      def = ReadDefinition(root, DirectoryOf(shown), diag);
    } catch (const YAML::Exception& e) {
      // The readers check each node before they use it; should one slip,
      // the file is refused rather than the process ended.
      reader_bugs.fetch_add(1, std::memory_order_relaxed);
      diag.Error(e.mark, "cannot read this YAML (" + e.msg +
                             "); this is a bug in gale's YAML reader, please report it with "
                             "the file");
      return std::nullopt;
    }
    for (const IncludeDefinition& inc : def.includes) {
      std::string path = (fs::path(DirectoryOf(shown)) / inc.file).lexically_normal().string();
      std::string canonical = Canonical(path);
      auto loop = std::find_if(chain->begin(), chain->end(),
                               [&](const ChainLink& l) { return l.canonical == canonical; });
      if (loop != chain->end()) {
        std::string cycle;
        for (auto it = loop; it != chain->end(); ++it) cycle += it->shown + " -> ";
        diag.Error(inc.where, "include cycle: " + cycle + path + "; remove one of the includes");
        continue;
      }
      // Cycles are refused above; this bounds the rest (a file including
      // the next one twice, twenty deep, would load a million files).
      if (++includes_ > kMaxIncludes) {
        diag.Error(inc.where, "more than " + std::to_string(kMaxIncludes) +
                                  " includes in all (counting repeats); include each file once");
        break;
      }
      Result<std::string> included = ReadFile(path);
      if (!included.ok()) {
        diag.Error(inc.where, "cannot include '" + inc.file + "': " + included.status().message() +
                                  " (include paths are relative to the including file)");
        continue;
      }
      chain->push_back({canonical, path});
      std::optional<FileDefinition> sub = Load(included.value(), path, chain);
      chain->pop_back();
      if (sub) Merge(&def, std::move(*sub), inc.override);
    }
    return def;
  }

  std::vector<std::string>& errors() { return errors_; }

 private:
  const SubstitutionOptions& substitution_;
  const LoadOptions& options_;
  std::vector<std::string> errors_;
  std::size_t includes_ = 0;  // include directives followed so far, repeats counted
};

// The value of a -c override, typed like a YAML scalar.
Result<ConfigValue> ParseOverrideValue(const std::string& text) {
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return ConfigValue{Value{text}};
  }
  if (node.IsMap()) return ConfigValue{Value{text}};
  std::vector<std::string> errors;
  Diagnostics diag("", nullptr, &errors);  // no file: messages start with ": "
  std::optional<ConfigValue> value = ReadConfigValue(node, "the value", diag);
  if (!value) return InvalidArgument(errors.empty() ? "bad value" : errors.front().substr(2));
  return *value;
}

void ApplyOverrides(const std::vector<std::string>& overrides, Config* config,
                    std::vector<std::string>* errors,
                    std::map<std::string, SourceLocation, std::less<>>* where = nullptr) {
  for (const std::string& override : overrides) {
    const std::string prefix = "command line: -c '" + override + "': ";
    std::size_t eq = override.find('=');
    if (eq == std::string::npos) {
      errors->push_back(prefix + "expected key=value, e.g. -c topology.workers=2");
      continue;
    }
    std::string key = override.substr(0, eq);
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    if (key.empty()) {
      errors->push_back(prefix + "the key before '=' is empty; expected key=value");
      continue;
    }
    Result<ConfigValue> value = ParseOverrideValue(override.substr(eq + 1));
    if (!value.ok()) {
      errors->push_back(prefix + value.status().message());
      continue;
    }
    if (Status s = topology::CheckConfigEntry(key, value.value()); !s.ok()) {
      errors->push_back(prefix + s.message());
      continue;
    }
    config->SetValue(key, std::move(value).value());
    if (where != nullptr) where->erase(key);  // set on the command line now
  }
}

Status ErrorsToStatus(const std::vector<std::string>& errors) {
  std::vector<std::string> unique;
  for (const std::string& e : errors) {
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  }
  std::string message;
  for (std::size_t i = 0; i < unique.size() && i < kMaxReportedErrors; ++i) {
    if (i > 0) message += '\n';
    message += unique[i];
  }
  if (unique.size() > kMaxReportedErrors) {
    message += "\n... and " + std::to_string(unique.size() - kMaxReportedErrors) + " more problems";
  }
  return InvalidArgument(std::move(message));
}

Result<TopologySpec> Load(const std::string& text, const std::string& shown,
                          const std::string& canonical, const LoadOptions& options) {
  Result<SubstitutionOptions> substitution =
      ReadFilterFiles(options.filter_files, options.env_filter);
  if (!substitution.ok()) return substitution.status();
  Loader loader(substitution.value(), options);
  std::vector<ChainLink> chain{{canonical, shown}};
  std::optional<FileDefinition> def = loader.Load(text, shown, &chain);
  std::vector<std::string>& errors = loader.errors();
  const SourceLocation start{shown, 1, 1};
  if (def) {
    if (!def->has_name_key) {
      errors.push_back(start.ToString() + ": missing the required key 'name' (the topology name)");
    }
    if (def->spouts.empty() && def->spout_entries == 0) {
      errors.push_back(def->spouts_where
                           ? def->spouts_where->ToString() +
                                 ": 'spouts' is empty; a topology needs at least one spout"
                           : start.ToString() +
                                 ": missing the required key 'spouts' (a list "
                                 "of spouts, each starting with '- id: ...')");
    }
  }
  TopologySpec spec;
  if (def) {
    spec.config = std::move(def->config);
    spec.config_where = std::move(def->config_where);
  }
  ApplyOverrides(options.overrides, &spec.config, &errors, &spec.config_where);
  if (!errors.empty()) return ErrorsToStatus(errors);

  spec.name = def->name.value_or("");
  spec.config.set_owner("topology '" + spec.name + "'");
  spec.spouts = std::move(def->spouts);
  spec.bolts = std::move(def->bolts);
  spec.streams = std::move(def->streams);
  spec.libraries = std::move(def->libraries);
  spec.source_file = shown;
  Logger("flux")->debug("loaded topology name={} file={} spouts={} bolts={} streams={}", spec.name,
                        shown, spec.spouts.size(), spec.bolts.size(), spec.streams.size());
  return spec;
}

}  // namespace

std::uint64_t ReaderBugCount() { return reader_bugs.load(std::memory_order_relaxed); }

Status ApplyConfigOverrides(const std::vector<std::string>& overrides, Config* config) {
  std::vector<std::string> errors;
  ApplyOverrides(overrides, config, &errors);
  return errors.empty() ? Status::Ok() : ErrorsToStatus(errors);
}

Result<TopologySpec> LoadTopologyFile(const std::string& path, const LoadOptions& options) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Load(text.value(), path, Canonical(path), options);
}

Result<TopologySpec> LoadTopologyString(const std::string& text, const std::string& file_name,
                                        const LoadOptions& options) {
  if (text.size() > kMaxTopologyFileBytes) {
    return InvalidArgument((file_name.empty() ? std::string("<string>") : file_name) +
                           ": more than " + std::to_string(kMaxTopologyFileBytes) +
                           " bytes; a topology may be at most 4 MiB");
  }
  if (file_name.empty()) return Load(text, "<string>", "", options);
  return Load(text, file_name, Canonical(file_name), options);
}

}  // namespace gale::flux
