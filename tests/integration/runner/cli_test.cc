// The gale command line as users type it: help and version, global options
// anywhere, one answer for an unknown topology, the local-mode header, and
// logs that outlive a killed or failed topology.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>

#include "state/state_manager.h"
#include "support/gale_cluster.h"
#include "support/run_command.h"

namespace gale {
namespace {

using testing::CommandResult;
using testing::RunCommand;
using testing::ScratchDir;

const std::string kGale = GALE_BIN;
constexpr int kExitNoTopology = 1;  // common/exit_code.h

CommandResult Gale(const std::string& args, const ScratchDir& dir, int timeout_secs = 60) {
  return RunCommand(kGale + " " + args, dir, timeout_secs);
}

TEST(CliStateDir, WithoutHomeTheCommandsSayWhereTheStateGoes) {
  ScratchDir dir;
  CommandResult list = RunCommand("env -u HOME -u GALE_STATE_DIR " + kGale + " list", dir);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  const std::string root = "/tmp/gale-" + std::to_string(::geteuid());
  EXPECT_NE(list.err.find("gale: HOME is not set: the state directory is " + root),
            std::string::npos)
      << list.err;
  EXPECT_NE(list.err.find("set GALE_STATE_DIR or pass --state-dir DIR"), std::string::npos)
      << list.err;
  // Chosen explicitly, nothing is said.
  CommandResult chosen = RunCommand("env -u HOME " + kGale + " --state-dir " +
                                        dir.Join("state") + " list",
                                    dir);
  EXPECT_EQ(chosen.exit_code, 0) << chosen.err;
  EXPECT_EQ(chosen.err, "");
}

TEST(CliHelp, HelpAndVersionWorkEveryWayPeopleTypeThem) {
  ScratchDir dir;
  CommandResult help = Gale("help", dir);
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: gale [OPTIONS] SUBCOMMAND"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("kafka-broker"), std::string::npos) << help.out;
  EXPECT_EQ(Gale("-h", dir).out, help.out);

  CommandResult kill = Gale("help kill", dir);
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_NE(kill.out.find("Usage: gale kill [OPTIONS] name"), std::string::npos) << kill.out;
  EXPECT_EQ(Gale("kill --help", dir).out, kill.out);
  CommandResult nosuch = Gale("help frobnicate", dir);
  EXPECT_EQ(nosuch.exit_code, 2);
  EXPECT_NE(nosuch.err.find("no command 'frobnicate'"), std::string::npos) << nosuch.err;
  CommandResult broker = Gale("help kafka-broker", dir);
  EXPECT_EQ(broker.exit_code, 0) << broker.err;
  EXPECT_NE(broker.out.find("--stdin"), std::string::npos) << broker.out;

  CommandResult version = Gale("version", dir);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(std::regex_match(version.out, std::regex("gale [0-9]+\\.[0-9]+\\.[0-9]+\n")))
      << version.out;
  for (const char* flag : {"--version", "-v"}) {
    CommandResult r = Gale(flag, dir);
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.err;
    EXPECT_EQ(r.out, version.out) << flag;
  }
  CommandResult none = Gale("", dir);
  EXPECT_EQ(none.exit_code, 2);
}

TEST(CliHelp, HelpShowsEveryDefault) {
  ScratchDir dir;
  EXPECT_NE(Gale("help", dir).out.find("--log-level TEXT:{trace,debug,info,warn,error,critical,"
                                       "off}=info"),
            std::string::npos);
  EXPECT_NE(Gale("help submit", dir).out.find("--timeout FLOAT:POSITIVE=60"), std::string::npos);
  EXPECT_NE(Gale("help kill", dir).out.find("--wait FLOAT=10"), std::string::npos);
  EXPECT_NE(Gale("help wait", dir).out.find("--timeout FLOAT=60"), std::string::npos);
  EXPECT_NE(Gale("help local", dir).out.find("--duration FLOAT:NONNEGATIVE=0"),
            std::string::npos);
  EXPECT_NE(Gale("help local", dir).out.find("--http INT:INT in [0 - 65535]=off"),
            std::string::npos);
  EXPECT_NE(Gale("help logs", dir).out.find("--task INT=0"), std::string::npos);
  EXPECT_NE(Gale("help kafka-broker", dir).out.find("--brokers INT=1"), std::string::npos);
}

TEST(CliGlobalOptions, AcceptedBeforeOrAfterTheCommand) {
  ScratchDir dir;
  const std::string state = dir.Join("state");
  const std::string expected = "no topologies in " + state + "\n";
  for (const std::string& args :
       {"--state-dir " + state + " list", "list --state-dir " + state,
        "--log-level warn list --state-dir " + state, "list --state-dir " + state +
        " --log-level debug"}) {
    CommandResult r = Gale(args, dir);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    EXPECT_EQ(r.out, expected) << args;
  }
  CommandResult bad = Gale("list --log-level loud", dir);
  EXPECT_EQ(bad.exit_code, 2);
  // The internal roles take them after the role name too.
  CommandResult role = Gale("_tmaster nope --state-dir " + state, dir);
  EXPECT_NE(role.exit_code, 0);
  EXPECT_EQ(role.err.find("were not expected"), std::string::npos) << role.err;
}

TEST(CliUnknownTopology, EveryCommandSaysTheSameAndExitsFive) {
  ScratchDir dir;
  const std::string state = dir.Join("state");
  const std::string message = "gale: no topology 'nope' in " + state + " (see 'gale list')\n";
  for (const char* command :
       {"status nope", "status nope --json", "activate nope", "deactivate nope", "logs nope",
        "logs nope --runs", "logs nope --run latest", "wait nope", "kill nope",
        "kill nope --force"}) {
    CommandResult r = Gale(std::string(command) + " --state-dir " + state, dir);
    EXPECT_EQ(r.exit_code, kExitNoTopology) << command << ": " << r.err;
    EXPECT_EQ(r.err, message) << command;
    EXPECT_EQ(r.out, "") << command;
  }
}

// State files naming pids that are not the topology's processes (the pid
// was reused, or the file was edited): `gale kill` signals none of them,
// and `..` is never a topology.
TEST(CliKill, NeverSignalsAPidThatIsNotTheTopologysProcess) {
  ScratchDir dir;
  const std::string state = dir.Join("state");
  pid_t bystander = ::fork();
  ASSERT_GE(bystander, 0);
  if (bystander == 0) {
    ::execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string topo = state + "/topologies/victim";
  std::filesystem::create_directories(topo + "/pids");
  const std::string pid = "pid=" + std::to_string(bystander) + "\n";
  dir.Write("state/topologies/victim/scheduler", pid);
  std::filesystem::create_directories(topo + "/alive");
  dir.Write("state/topologies/victim/alive/tmaster", "owner_pid=" + std::to_string(bystander) +
                                                         "\nowner_start=1\n\n" + pid +
                                                         "endpoint=tcp://127.0.0.1:1\n");
  dir.Write("state/topologies/victim/pids/task-1", pid + "restarts=0\n");
  dir.Write("state/topologies/victim/pids/task-2", "pid=1\nrestarts=0\n");

  CommandResult status = Gale("status victim --json --state-dir " + state, dir);
  EXPECT_NE(status.out.find("\"state\":\"dead\""), std::string::npos) << status.out;
  for (const char* command : {"kill victim", "kill victim --force"}) {
    CommandResult r = Gale(std::string(command) + " --state-dir " + state, dir);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == kExitNoTopology) << command << r.err;
  }
  for (const char* command : {"kill ../..", "kill .. --force", "status ../x", "logs a/b",
                              "wait .hidden", "activate ..", "deactivate .."}) {
    CommandResult r = Gale(std::string(command) + " --state-dir " + state, dir);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.err;
    EXPECT_NE(r.err.find("is not a topology name"), std::string::npos) << command << r.err;
  }
  // Still running, not a zombie: nobody signalled it.
  int wstatus = 0;
  EXPECT_EQ(::waitpid(bystander, &wstatus, WNOHANG), 0);
  ::kill(bystander, SIGKILL);
  ::waitpid(bystander, &wstatus, 0);
  EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
  EXPECT_TRUE(std::filesystem::exists(dir.path()));
}

// A process whose command line looks like one of the topology's (a pid
// reused by a new gale process, or a copy of its command line) but whose
// start time differs from the one recorded with the pid is left alone; with
// the recorded start time it is the topology's and `gale kill` stops it. The
// scheduler record names it too, but it does not lead its own process
// group, so its group (this test's) is never signalled.
TEST(CliKill, ChecksTheRecordedStartTimeBeforeSignalling) {
  for (bool same_start : {false, true}) {
    SCOPED_TRACE(same_start ? "recorded start time" : "another start time");
    ScratchDir dir;
    const std::string state = dir.Join("state");
    pid_t lookalike = ::fork();
    ASSERT_GE(lookalike, 0);
    if (lookalike == 0) {
      // Its own process group, as a scheduler's; argv: sh -c SCRIPT
      // _instance victim. The script keeps sh running; its sleep holds no
      // pipe of the test's and goes with the group.
      ::setpgid(0, 0);
      ::execlp("sh", "sh", "-c", "sleep 60 </dev/null >/dev/null 2>&1; true", "_instance",
               "victim", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait until it runs sh (before exec its command line is this test's).
    for (int i = 0; i < 200 && !gale::state::IsTopologyProcess(lookalike, "victim"); ++i) {
      ::usleep(10000);
    }
    ASSERT_TRUE(gale::state::IsTopologyProcess(lookalike, "victim"));
    auto start = gale::state::ProcessStartTime(lookalike);
    ASSERT_TRUE(start.has_value());
    const std::uint64_t recorded = same_start ? *start : *start + 1;
    EXPECT_EQ(gale::state::IsTopologyProcess(lookalike, "victim", recorded), same_start);

    std::filesystem::create_directories(state + "/topologies/victim/pids");
    const std::string pid =
        "pid=" + std::to_string(lookalike) + "\nstart=" + std::to_string(recorded) + "\n";
    dir.Write("state/topologies/victim/scheduler", pid);
    dir.Write("state/topologies/victim/pids/task-1", pid + "restarts=0\n");
    CommandResult r = Gale("kill victim --force --state-dir " + state, dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;

    int wstatus = 0;
    if (same_start) {
      ASSERT_EQ(::waitpid(lookalike, &wstatus, 0), lookalike);
      EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    } else {
      EXPECT_EQ(::waitpid(lookalike, &wstatus, WNOHANG), 0) << "a lookalike was signalled";
      ::kill(lookalike, SIGKILL);
      ::waitpid(lookalike, &wstatus, 0);
      EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    }
    ::kill(-lookalike, SIGKILL);  // its sleep, whichever way it went
  }
}

TEST(CliLocalHeader, SaysHowTheRunWillEnd) {
  ScratchDir dir;
  std::string bounded = dir.Write("bounded.yaml", R"(name: bounded
spouts:
  - {id: ids, className: SequenceSpout, properties: [{name: count, value: 50}]}
bolts:
  - id: out
    className: FileSinkBolt
    properties: [{name: path, value: ")" + dir.Join("bounded.tsv") + R"("}]
streams:
  - {from: ids, to: out, grouping: {type: SHUFFLE}}
)");
  std::string unbounded = dir.Write("unbounded.yaml", R"(name: unbounded
spouts:
  - {id: sentences, className: RandomSentenceSpout}
bolts:
  - {id: split, className: SplitSentenceBolt}
streams:
  - {from: sentences, to: split, grouping: {type: SHUFFLE}}
)");
  const std::string prefix = "gale: running topology ";
  CommandResult r = Gale("local " + bounded, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(prefix + "'bounded' in local mode (2 tasks) until its spouts are "
                                "exhausted and every tuple is processed, or Ctrl-C\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(testing::ReadLines(dir, "bounded.tsv").size(), 50u);
  r = Gale("local " + bounded + " --duration 30", dir);
  EXPECT_NE(r.err.find("(2 tasks) for 30 s (less if its spouts are exhausted first), or until "
                       "Ctrl-C\n"),
            std::string::npos)
      << r.err;
  r = Gale("local " + unbounded + " --duration 0.5", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(prefix + "'unbounded' in local mode (2 tasks) for 0.5 s, or until Ctrl-C\n"),
            std::string::npos)
      << r.err;
  // Unbounded without --duration: only a signal ends it (timeout sends SIGTERM
  // after 3 s; the header is printed before the tasks start).
  r = Gale("local " + unbounded, dir, 3);
  EXPECT_NE(r.err.find(prefix + "'unbounded' in local mode (2 tasks) until Ctrl-C (spout "
                                "'sentences' is unbounded: RandomSentenceSpout without 'count')\n"),
            std::string::npos)
      << r.err;
}

TEST(CliLogArchive, LogsOfKilledAndFailedRunsStayReadable) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  cluster.Track("arch");
  std::string good = dir.Write("good.yaml", R"(name: arch
spouts:
  - {id: ids, className: SequenceSpout, properties: [{name: count, value: 100}]}
bolts:
  - id: out
    className: FileSinkBolt
    properties: [{name: path, value: ")" + dir.Join("good.tsv") + R"("}]
streams:
  - {from: ids, to: out, grouping: {type: SHUFFLE}}
)");
  std::string broken = dir.Write("broken.yaml", R"(name: arch
spouts:
  - {id: ids, className: SequenceSpout, properties: [{name: count, value: 10}]}
bolts:
  - id: sink
    className: FileSinkBolt
    properties: [{name: path, value: "/nonexistent-dir/arch/out.tsv"}]
streams:
  - {from: ids, to: sink, grouping: {type: SHUFFLE}}
)");
  const std::string run_dir = cluster.state() + "/archive/arch/";

  CommandResult submit = cluster.Gale("submit " + good);
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  CommandResult kill = cluster.Gale("kill arch --wait 5");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(kill.out, "topology 'arch' killed\nlogs of run 1 kept in " + run_dir +
                          "1 ('gale logs arch --run 1')\n");
  EXPECT_FALSE(std::filesystem::exists(cluster.TopologyDir("arch")));

  // The topology is gone: `logs` says so and points at the archive.
  CommandResult gone = cluster.Gale("logs arch");
  EXPECT_EQ(gone.exit_code, kExitNoTopology);
  EXPECT_NE(gone.err.find("no topology 'arch' in " + cluster.state()), std::string::npos);
  EXPECT_NE(gone.err.find("'gale logs arch --run latest'"), std::string::npos) << gone.err;

  CommandResult out = cluster.Gale("logs arch --run latest --component out");
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("task 2 (out) started"), std::string::npos) << out.out;
  EXPECT_EQ(out.out.find("==>"), std::string::npos) << "one file, no header";
  CommandResult all = cluster.Gale("logs arch --run 1");
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("==> " + run_dir + "1/logs/tmaster.log <=="), std::string::npos)
      << all.out;

  // A submit that fails (the sink's Prepare throws) keeps its logs too.
  CommandResult failed = cluster.Gale("submit " + broken);
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("logs of run 2 kept in " + run_dir + "2"), std::string::npos)
      << failed.err;
  EXPECT_FALSE(std::filesystem::exists(cluster.TopologyDir("arch")));
  CommandResult sink = cluster.Gale("logs arch --run 2 --component sink");
  EXPECT_EQ(sink.exit_code, 0) << sink.err;
  EXPECT_NE(sink.out.find("/nonexistent-dir/arch/out.tsv"), std::string::npos) << sink.out;

  CommandResult runs = cluster.Gale("logs arch --runs");
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_TRUE(std::regex_search(runs.out, std::regex("\n1 +\\S+Z +[0-9]+  killed +" + run_dir +
                                                     "1\n")))
      << runs.out;
  EXPECT_TRUE(std::regex_search(
      runs.out, std::regex("\n2 +\\S+Z +[0-9]+  submit failed: task-2 +" + run_dir + "2\n")))
      << runs.out;
  CommandResult missing = cluster.Gale("logs arch --run 9");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("archived runs: 1, 2"), std::string::npos) << missing.err;

  // Retention: GALE_LOG_ARCHIVE_RUNS=1 keeps only the newest run.
  CommandResult again = RunCommand("env GALE_LOG_ARCHIVE_RUNS=1 " + kGale + " --state-dir " +
                                       cluster.state() + " submit " + broken,
                                   dir, 180);
  EXPECT_EQ(again.exit_code, 1);
  runs = cluster.Gale("logs arch --runs");
  EXPECT_EQ(runs.out.find("\n1 "), std::string::npos) << runs.out;
  EXPECT_EQ(runs.out.find("\n2 "), std::string::npos) << runs.out;
  EXPECT_NE(runs.out.find("\n3 "), std::string::npos) << runs.out;
}

// Nested aliases ("billion laughs"): a 400-byte file that would expand to
// 10^9 config keys. Every command that reads a topology refuses it at once
// with exit 2, saying where and what to change, and starts nothing.
TEST(CliHostileYaml, BillionLaughsIsRefusedWithExitTwo) {
  ScratchDir dir;
  std::string yaml = "name: laughs\nconfig:\n  l0: &l0 {a: lol, b: lol, c: lol, d: lol, e: lol, "
                     "f: lol, g: lol, h: lol, i: lol, j: lol}\n";
  for (int i = 1; i <= 8; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    yaml += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " {";
    for (char k = 'a'; k <= 'j'; ++k) yaml += std::string(k == 'a' ? "" : ", ") + k + ": " + prev;
    yaml += "}\n";
  }
  yaml += "spouts:\n  - {id: s, className: SequenceSpout}\n";
  const std::string file = dir.Write("laughs.yaml", yaml);
  const std::string state = dir.Join("state");
  for (const std::string& command :
       {"validate " + file, "local " + file, "submit " + file + " --state-dir " + state}) {
    CommandResult r = Gale(command, dir);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.err;
    EXPECT_NE(r.err.find(file + ":7:"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find("YAML aliases up to here repeat more than 100000 nodes in all (this "
                         "'*l3' alone repeats 22221)"),
              std::string::npos)
        << command << ": " << r.err;
    EXPECT_NE(r.err.find("alias fewer or smaller nodes"), std::string::npos) << r.err;
  }
  CommandResult list = Gale("list --state-dir " + state, dir);
  EXPECT_EQ(list.out, "no topologies in " + state + "\n") << list.err;
}

}  // namespace
}  // namespace gale
