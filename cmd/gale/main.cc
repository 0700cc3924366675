// The gale command line: develop (local, validate), deploy and operate
// (submit, list, status, top, activate, deactivate, logs, wait, kill), help and
// version, and the internal roles the local scheduler starts (_scheduler,
// _tmaster, _executor, _stmgr, _instance). Global options (--cluster,
// --state-dir, --log-level) are accepted before or after the command name.

#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bolts/builtins.h"
#include "bolts/kafka/kafka_bolt_link.h"
#include "cluster/cluster_config.h"
#include "cluster/network_address.h"
#include "cluster_commands.h"
#include "common/exit_code.h"
#include "common/names.h"
#include "common/log.h"
#include "common/process.h"
#include "executor/executor.h"
#include "instance/instance_process.h"
#include "launch/topology_source.h"
#include "local/local_runner.h"
#include "local_header.h"
#include "local_http.h"
#include "records/state_records.h"
#include "scheduler/local_scheduler.h"
#include "scheduler/slurm_scheduler.h"
#include "spouts/builtins.h"
#include "spouts/kafka/kafka_spout_link.h"
#include "state/state_manager.h"
#include "stmgr/stmgr.h"
#include "top_command.h"
#include "tmaster/tmaster.h"

namespace {

using gale::kExitFailure;
using gale::kExitInvalid;
using gale::kExitOk;

std::atomic<bool> g_interrupted{false};
void OnSignal(int) { g_interrupted.store(true); }

void AddTopologyArgs(CLI::App* cmd, gale::launch::TopologySource* src) {
  auto* file = cmd->add_option("file", src->file, "Topology YAML file (Flux format)");
  auto* topology = cmd->add_option(
      "--topology", src->topology,
      "Instead of a file: a topology built in C++ and registered by a --lib plugin");
  file->excludes(topology);
  topology->excludes(file);
  cmd->callback([cmd, file, topology] {
    if (file->count() == 0 && topology->count() == 0) {
      throw CLI::RequiredError(cmd->get_name() + ": a topology FILE or --topology NAME");
    }
  });
  // One value per flag, so a FILE after `--lib X` is not taken as a plugin.
  // Repeatable options start empty: no "=[]" default in --help.
  cmd->add_option("--lib", src->libs, "Plugin shared library with components (repeatable)")
      ->allow_extra_args(false)
      ->default_str("");
  cmd->add_option("--filter", src->filters,
                  "Properties file whose key=value pairs replace ${key} in the YAML")
      ->allow_extra_args(false)
      ->default_str("");
  cmd->add_flag("--env-filter", src->env_filter,
                "Replace ${ENV-NAME} in the YAML with environment variable NAME");
  cmd->add_option("-c,--config", src->overrides,
                  "Topology config override key=value (repeatable)")
      ->allow_extra_args(false)
      ->default_str("");
}

void PrintError(const std::string& message) { std::fprintf(stderr, "gale: %s\n", message.c_str()); }

// `http_port` < 0: no HTTP.
int RunLocalCommand(const gale::launch::TopologySource& src, double duration, bool quiet,
                    int http_port) {
  auto loaded = gale::launch::LoadTopology(src);
  if (!loaded.ok()) {
    PrintError(loaded.status().message());
    return kExitInvalid;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  gale::local::LocalOptions options;
  options.duration_secs = duration;
  options.progress = !quiet;
  options.interrupt = &g_interrupted;
  std::unique_ptr<gale::cli::LocalHttp> http;
  if (http_port >= 0) {
    auto started = gale::cli::LocalHttp::Start(loaded->plan, http_port);
    if (!started.ok()) {
      PrintError(started.status().message());
      return kExitFailure;
    }
    http = std::move(*started);
    gale::cli::LocalHttp* h = http.get();
    options.on_metrics = [h](const std::vector<gale::metrics::Report>& r) { h->Add(r); };
    std::fprintf(stderr, "gale: serving %s while the topology runs (/ for the UI, /metrics, "
                         "/api/v1/topologies/%s)\n",
                 http->url().c_str(), loaded->spec.name.c_str());
  }
  if (!quiet) {
    std::fprintf(stderr, "gale: running topology '%s' in local mode (%d tasks)%s\n",
                 loaded->spec.name.c_str(), loaded->plan->max_task_id(),
                 gale::cli::DescribeLocalRunEnd(loaded->plan->components(), duration).c_str());
  }
  auto report = gale::local::RunLocal(loaded->plan, options);
  if (!report.ok()) {
    PrintError(report.status().message());
    return kExitFailure;
  }
  std::fputs(gale::local::FormatSummary(*report).c_str(), stdout);
  std::fflush(stdout);
  return kExitOk;
}

// `gale kafka-broker ARGS...` runs the gale-kafka-broker program installed
// next to gale (the test broker is a tool, not part of the runtime).
int ExecKafkaBroker(const std::vector<std::string>& args) {
  std::string self = gale::SelfExe();
  std::string dir = self.substr(0, self.rfind('/') + 1);
  std::string program = dir + "gale-kafka-broker";
  std::vector<char*> argv;
  argv.push_back(program.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  PrintError("cannot run " + program + ": " + std::strerror(errno) +
             " (the test broker is the program gale-kafka-broker next to gale; build it "
             "with `make build` or `cmake --build BUILD_DIR --target gale-kafka-broker`)");
  return kExitFailure;
}

// Runs one of the internal roles and turns its status into the exit code.
int RunRole(const char* role, const gale::Status& status) {
  if (!status.ok()) gale::Logger(role)->error("{}", status.message());
  return gale::RoleExitCode(status);
}

// A role that cannot start at all: its reason goes to errors/<process>
// (where `gale submit` looks) as well as to its log.
int RoleStartFailure(const gale::state::StateOptions& state, const std::string& topology,
                     const std::string& process, const gale::Status& status) {
  gale::Logger(process)->error("{}", status.message());
  if (auto sm = gale::state::OpenStateManager(state); sm.ok()) {
    (void)(*sm)->WriteRecord(topology, "errors/" + process,
                             gale::records::TaskError{status.message()});
  }
  return gale::kExitStartFailure;
}

int ValidateCommand(const gale::launch::TopologySource& src) {
  auto loaded = gale::launch::LoadTopology(src);
  if (!loaded.ok()) {
    PrintError(loaded.status().message());
    return kExitInvalid;
  }
  std::printf("%s: topology '%s' is valid (%zu spouts, %zu bolts, %zu streams, %d tasks)\n",
              src.file.empty() ? src.topology.c_str() : src.file.c_str(), loaded->spec.name.c_str(), loaded->spec.spouts.size(),
              loaded->spec.bolts.size(), loaded->spec.streams.size(),
              loaded->plan->max_task_id());
  return kExitOk;
}

// Options every command takes, before or after the command name (the
// subcommands fall through to the app for options they do not know).
struct GlobalOptions {
  std::string log_level = "info";
  std::string state_root;    // "" = the cluster file's state.root, else StateManager::DefaultRoot()
  std::string cluster_file;  // "" = $GALE_CLUSTER, else none
};

void AddGlobalOptions(CLI::App* app, GlobalOptions* global) {
  app->add_option("--log-level", global->log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app->add_option("--state-dir", global->state_root,
                  "State directory of submitted topologies (default: the cluster file's "
                  "state.root, else $GALE_STATE_DIR or ~/.gale); with ZooKeeper state, where "
                  "this host keeps logs, metrics and sockets");
  app->add_option("--cluster", global->cluster_file,
                  "Cluster file (YAML): state manager (localfs or zookeeper), ZooKeeper servers, "
                  "scheduler (default $GALE_CLUSTER; none: state in a local directory, "
                  "topologies on this host). See docs/deploy.md");
}

// `gale help [COMMAND]`.
int HelpCommand(CLI::App& app, const std::string& topic) {
  if (topic.empty()) {
    // app.help() would describe the selected subcommand, `help` itself.
    std::fputs(app.get_formatter()->make_help(&app, "gale", CLI::AppFormatMode::Normal).c_str(),
               stdout);
    return kExitOk;
  }
  if (topic == "kafka-broker") return ExecKafkaBroker({"--help"});
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == topic && !sub->get_group().empty()) {
      std::fputs(sub->help("gale").c_str(), stdout);
      return kExitOk;
    }
  }
  PrintError("no command '" + topic + "'; 'gale help' lists the commands");
  return kExitInvalid;
}

}  // namespace

int main(int argc, char** argv) {
  gale::TuneAllocator();
  gale_link_builtin_spouts();
  gale_link_builtin_bolts();
  gale_link_kafka_spout();
  gale_link_kafka_bolt();

  CLI::App app{"gale: a Storm/Heron-style stream processor", "gale"};
  app.require_subcommand(1);
  // Set before any subcommand exists: subcommands inherit both.
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.footer(
      "Global options (--cluster, --state-dir, --log-level) may come before or after the "
      "command.\n"
      "'gale help COMMAND' or 'gale COMMAND --help' shows a command's options.");
  app.set_version_flag("-v,--version", std::string("gale ") + GALE_VERSION,
                       "Print the gale version and exit");
  GlobalOptions global;
  AddGlobalOptions(&app, &global);

  gale::launch::TopologySource local_src;
  double duration = 0;
  bool quiet = false;
  CLI::App* local = app.add_subcommand("local", "Run a topology in this process (threads)");
  AddTopologyArgs(local, &local_src);
  local->add_option("--duration", duration,
                    "Stop after this many seconds; 0: when the spouts are exhausted (or Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  local->add_flag("--quiet", quiet, "Print only errors and the final summary");
  int local_http_port = -1;
  local->add_option("--http", local_http_port,
                    "Serve the web UI, /metrics and /api/v1 on this port while the topology "
                    "runs (0: any free port); the URL is printed at start")
      ->check(CLI::Range(0, 65535))
      ->default_str("off");

  gale::launch::TopologySource validate_src;
  CLI::App* validate = app.add_subcommand("validate", "Check a topology without running it");
  AddTopologyArgs(validate, &validate_src);

  gale::launch::TopologySource submit_src;
  double submit_timeout = 60;
  CLI::App* submit =
      app.add_subcommand("submit", "Run a topology as processes in the background");
  AddTopologyArgs(submit, &submit_src);
  submit->add_option("--timeout", submit_timeout, "Seconds to wait for it to start")
      ->check(CLI::PositiveNumber);

  CLI::App* list = app.add_subcommand("list", "List submitted topologies");

  std::string name;
  bool json = false;
  // Every command that takes a topology name refuses one that could not be a
  // topology (exit 2) before touching the state directory.
  const CLI::Validator topology_name(
      [](std::string& value) -> std::string {
        if (gale::ValidTopologyName(value)) return "";
        return "'" + value.substr(0, gale::kMaxTopologyName) +
               "' is not a topology name (letters, digits, '.', '_' and '-', not starting "
               "with '.', at most " + std::to_string(gale::kMaxTopologyName) + " characters)";
      },
      "NAME");
  CLI::App* status = app.add_subcommand("status", "Show a topology's metrics and processes");
  status->add_option("name", name, "Topology name")->required()->check(topology_name);
  status->add_flag("--json", json, "Print JSON");

  gale::cli::TopOptions top_options;
  CLI::App* top = app.add_subcommand(
      "top", "Show a topology's components live: rates, latency, capacity, backpressure (q quits)");
  top->add_option("name", name, "Topology name")->required()->check(topology_name);
  top->add_option("--interval", top_options.interval_secs, "Seconds between refreshes")
      ->check(CLI::Range(gale::cli::kTopMinIntervalSecs, gale::cli::kTopMaxIntervalSecs));
  top->add_flag("--once", top_options.once,
                "Print one frame after one interval and exit (also when stdout is not a "
                "terminal)");

  CLI::App* activate = app.add_subcommand("activate", "Resume calling the spouts");
  activate->add_option("name", name, "Topology name")->required()->check(topology_name);
  CLI::App* deactivate = app.add_subcommand("deactivate", "Stop calling the spouts");
  deactivate->add_option("name", name, "Topology name")->required()->check(topology_name);

  gale::cli::LogsOptions logs_options;
  CLI::App* logs = app.add_subcommand("logs", "Show the logs of a topology's processes");
  logs->add_option("name", name, "Topology name")->required()->check(topology_name);
  logs->add_option("--component", logs_options.component, "Only this component's instances");
  logs->add_option("--task", logs_options.task, "Only this task (0: every task)");
  logs->add_flag("-f,--follow", logs_options.follow, "Keep printing new lines");
  logs->add_option("--run", logs_options.run,
                   "An archived run of the topology (killed or failed to start): its number "
                   "or 'latest'; works after the topology is gone");
  logs->add_flag("--runs", logs_options.list_runs, "List the archived runs of the topology");

  double wait_timeout = 60;
  CLI::App* wait = app.add_subcommand(
      "wait", "Return when every spout is exhausted and nothing is in flight");
  wait->add_option("name", name, "Topology name")->required()->check(topology_name);
  wait->add_option("--timeout", wait_timeout, "Give up (exit 1) after this many seconds");

  double kill_wait = 10;
  bool force = false;
  CLI::App* kill = app.add_subcommand("kill", "Drain and stop a topology, removing its state");
  kill->add_option("name", name, "Topology name")->required()->check(topology_name);
  kill->add_option("--wait", kill_wait, "Seconds to let in-flight tuples drain");
  kill->add_flag("--force", force, "Kill every process at once");

  CLI::App* kafka_broker = app.add_subcommand(
      "kafka-broker",
      "Run a test Kafka broker (librdkafka mock cluster) on 127.0.0.1 until SIGINT or SIGTERM; "
      "prints 'bootstrap.servers=...' first, then reads commands (help) from stdin when it is "
      "a terminal, a pipe or a file (--stdin). Runs the gale-kafka-broker program; see "
      "'gale kafka-broker --help'");
  // Everything after the command goes to gale-kafka-broker, --help included.
  kafka_broker->prefix_command();
  kafka_broker->set_help_flag();
  kafka_broker->fallthrough(false);

  CLI::App* version = app.add_subcommand("version", "Print the gale version");
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for gale or for one COMMAND");
  help->add_option("command", help_topic, "A command name");

  // Internal roles, started by the local scheduler and executors.
  int role_id = 0;
  CLI::App* role_scheduler = app.add_subcommand("_scheduler")->group("");
  role_scheduler->add_option("name", name)->required();
  std::string role_process;
  CLI::App* role_job = app.add_subcommand("_job")->group("");
  role_job->add_option("name", name)->required();
  role_job->add_option("process", role_process)->required();
  CLI::App* role_tmaster = app.add_subcommand("_tmaster")->group("");
  role_tmaster->add_option("name", name)->required();
  CLI::App* role_executor = app.add_subcommand("_executor")->group("");
  role_executor->add_option("name", name)->required();
  role_executor->add_option("container", role_id)->required();
  CLI::App* role_stmgr = app.add_subcommand("_stmgr")->group("");
  role_stmgr->add_option("name", name)->required();
  role_stmgr->add_option("container", role_id)->required();
  CLI::App* role_instance = app.add_subcommand("_instance")->group("");
  role_instance->add_option("name", name)->required();
  role_instance->add_option("task", role_id)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // --version is a ParseError with exit code 0.
    return app.exit(e) == 0 ? kExitOk : kExitInvalid;
  }
  gale::SetLogLevel(global.log_level);
  if (help->parsed()) return HelpCommand(app, help_topic);
  if (version->parsed()) {
    std::printf("gale %s\n", GALE_VERSION);
    return kExitOk;
  }
  if (local->parsed()) return RunLocalCommand(local_src, duration, quiet, local_http_port);
  if (validate->parsed()) return ValidateCommand(validate_src);
  if (kafka_broker->parsed()) return ExecKafkaBroker(kafka_broker->remaining());

  // Everything below operates submitted topologies: it needs the cluster
  // file (if any) and the state manager it names.
  auto cluster = gale::cluster::ResolveClusterConfig(global.cluster_file);
  if (!cluster.ok()) {
    PrintError(cluster.status().message());
    return kExitInvalid;
  }
  std::string state_dir = global.state_root;
  if (state_dir.empty() && cluster->state_root.empty()) {
    auto choice = gale::state::StateManager::ChooseDefaultRoot();
    state_dir = choice.root;
    // The roles always get --state-dir; only a user's command says where
    // state went when it chose a directory on its own.
    if (!choice.notice.empty()) PrintError(choice.notice);
  }
  const gale::state::StateOptions state = gale::cluster::StateOptionsOf(*cluster, state_dir);
  if (role_scheduler->parsed()) {
    return RunRole("scheduler", gale::scheduler::RunLocalScheduler({state, name}));
  }
  if (role_job->parsed()) {
    auto network = gale::cluster::ChooseUsableNetworkAddress(*cluster);
    if (!network.ok()) {
      return RoleStartFailure(state, name, "job-" + role_process, network.status());
    }
    return RunRole("job", gale::scheduler::RunSlurmJob(
                              {state, *cluster, name, role_process, network->advertise}));
  }
  if (role_tmaster->parsed() || role_stmgr->parsed()) {
    const bool master = role_tmaster->parsed();
    const std::string process = master ? "tmaster" : "stmgr-" + std::to_string(role_id);
    auto network = gale::cluster::ChooseUsableNetworkAddress(*cluster);
    if (!network.ok()) return RoleStartFailure(state, name, process, network.status());
    if (master) {
      return RunRole("tmaster", gale::tmaster::RunTopologyMaster({state, name, *network}));
    }
    return RunRole("stmgr", gale::stmgr::RunStreamManager({state, name, role_id, *network}));
  }
  if (role_executor->parsed()) {
    return RunRole("executor", gale::executor::RunExecutorProcess({state, name, role_id}));
  }
  if (role_instance->parsed()) {
    // Logs its own failures (instance_process.h).
    return gale::RoleExitCode(gale::instance::RunInstanceProcess({state, name, role_id}));
  }

  int open_failed = kExitFailure;
  auto sm = gale::cli::OpenState(state, &open_failed);
  if (!sm) return open_failed;
  // Every command that takes a topology name fails alike when there is none
  // (logs also looks in the log archive, so it checks by itself).
  for (CLI::App* named : {status, top, activate, deactivate, wait, kill}) {
    if (!named->parsed()) continue;
    if (int code = gale::cli::RequireTopology(*sm, name); code != kExitOk) return code;
  }
  if (submit->parsed() && cluster->scheduler == gale::cluster::SchedulerKind::kLocal) {
    // The processes will bind here: a bad address fails now, not in them.
    if (auto network = gale::cluster::ChooseUsableNetworkAddress(*cluster); !network.ok()) {
      PrintError(network.status().message());
      return kExitInvalid;
    }
  }
  if (submit->parsed()) {
    // The cluster's package.store, else a directory of the host-local state.
    const std::string store =
        cluster->package_store.empty() ? state.root + "/packages" : cluster->package_store;
    return gale::cli::Submit(*sm, state, *cluster, submit_src, store, submit_timeout);
  }
  if (list->parsed()) return gale::cli::List(*sm);
  if (status->parsed()) return gale::cli::ShowStatus(*sm, name, json);
  if (top->parsed()) return gale::cli::Top(*sm, name, top_options);
  if (activate->parsed()) return gale::cli::SetActive(*sm, name, true);
  if (deactivate->parsed()) return gale::cli::SetActive(*sm, name, false);
  if (logs->parsed()) return gale::cli::ShowLogs(*sm, name, logs_options);
  if (wait->parsed()) return gale::cli::Wait(*sm, name, wait_timeout);
  if (kill->parsed()) return gale::cli::Kill(*sm, name, kill_wait, force);
  return kExitInvalid;  // require_subcommand(1): not reached
}
