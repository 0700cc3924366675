// The gale command line: run, validate and (later) submit topologies.

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bolts/builtins.h"
#include "cli/plugins.h"
#include "common/log.h"
#include "flux/loader.h"
#include "gale/registry.h"
#include "local/local_runner.h"
#include "plan/plan.h"
#include "spouts/builtins.h"
#include "topology/validate.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;

std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted.store(true); }

struct TopologyArgs {
  std::string file;
  std::vector<std::string> libs;
  std::vector<std::string> filters;
  bool env_filter = false;
  std::vector<std::string> overrides;
};

void AddTopologyArgs(CLI::App* cmd, TopologyArgs* args) {
  cmd->add_option("file", args->file, "Topology YAML file (Flux format)")->required();
  cmd->add_option("--lib", args->libs, "Plugin shared library with components (repeatable)");
  cmd->add_option("--filter", args->filters,
                  "Properties file whose key=value pairs replace ${key} in the YAML");
  cmd->add_flag("--env-filter", args->env_filter,
                "Replace ${ENV-NAME} in the YAML with environment variable NAME");
  cmd->add_option("-c,--config", args->overrides,
                  "Topology config override key=value (repeatable)");
}

void PrintError(const std::string& message) { std::fprintf(stderr, "gale: %s\n", message.c_str()); }

// Loads plugins and the topology and validates it; prints the error and
// returns nullopt on failure.
std::optional<gale::TopologySpec> LoadAndValidate(const TopologyArgs& args) {
  for (const std::string& lib : args.libs) {
    gale::Status s = gale::cli::LoadPlugin(lib);
    if (!s.ok()) {
      PrintError(s.message());
      return std::nullopt;
    }
  }
  gale::flux::LoadOptions options;
  options.filter_files = args.filters;
  options.env_filter = args.env_filter;
  options.overrides = args.overrides;
  auto spec = gale::flux::LoadTopologyFile(args.file, options);
  if (!spec.ok()) {
    PrintError(spec.status().message());
    return std::nullopt;
  }
  for (const std::string& lib : spec->libraries) {
    gale::Status s = gale::cli::LoadPlugin(lib);
    if (!s.ok()) {
      PrintError(s.message());
      return std::nullopt;
    }
  }
  gale::Status valid = gale::topology::ValidateTopology(*spec, gale::Registry::Global());
  if (!valid.ok()) {
    PrintError("invalid topology:\n" + valid.message());
    return std::nullopt;
  }
  return std::move(spec).value();
}

int RunLocalCommand(const TopologyArgs& args, double duration, bool quiet) {
  auto spec = LoadAndValidate(args);
  if (!spec) return kExitInvalid;
  auto plan = gale::plan::TopologyPlan::Build(*spec, gale::Registry::Global());
  if (!plan.ok()) {
    PrintError(plan.status().message());
    return kExitInvalid;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  gale::local::LocalOptions options;
  options.duration_secs = duration;
  options.progress = !quiet;
  options.interrupt = &g_interrupted;
  if (!quiet) {
    std::fprintf(stderr, "gale: running topology '%s' in local mode (%d tasks)%s\n",
                 spec->name.c_str(), (*plan)->max_task_id(),
                 duration > 0 ? "" : " until its spouts are exhausted");
  }
  auto report = gale::local::RunLocal(std::move(plan).value(), options);
  if (!report.ok()) {
    PrintError(report.status().message());
    return kExitFailure;
  }
  std::fputs(gale::local::FormatSummary(*report).c_str(), stdout);
  std::fflush(stdout);
  return kExitOk;
}

int ValidateCommand(const TopologyArgs& args) {
  auto spec = LoadAndValidate(args);
  if (!spec) return kExitInvalid;
  auto plan = gale::plan::TopologyPlan::Build(*spec, gale::Registry::Global());
  if (!plan.ok()) {
    PrintError(plan.status().message());
    return kExitInvalid;
  }
  int tasks = (*plan)->max_task_id();
  std::printf("%s: topology '%s' is valid (%zu spouts, %zu bolts, %zu streams, %d tasks)\n",
              args.file.c_str(), spec->name.c_str(), spec->spouts.size(), spec->bolts.size(),
              spec->streams.size(), tasks);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  gale_link_builtin_spouts();
  gale_link_builtin_bolts();

  CLI::App app{"gale: a Storm/Heron-style stream processor"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug, info, warn or error");

  TopologyArgs local_args;
  double duration = 0;
  bool quiet = false;
  CLI::App* local = app.add_subcommand("local", "Run a topology in this process (threads)");
  AddTopologyArgs(local, &local_args);
  local->add_option("--duration", duration, "Stop after this many seconds (default: when the "
                                            "spouts are exhausted)")
      ->check(CLI::NonNegativeNumber);
  local->add_flag("--quiet", quiet, "Print only errors and the final summary");

  TopologyArgs validate_args;
  CLI::App* validate = app.add_subcommand("validate", "Check a topology without running it");
  AddTopologyArgs(validate, &validate_args);

  app.add_subcommand("version", "Print the gale version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInvalid;
  }
  gale::SetLogLevel(log_level);

  if (local->parsed()) return RunLocalCommand(local_args, duration, quiet);
  if (validate->parsed()) return ValidateCommand(validate_args);
  std::printf("gale %s\n", GALE_VERSION);
  return kExitOk;
}
