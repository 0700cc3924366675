// The test broker started the way a script starts it in the background
// (`gale kafka-broker &`, stdin /dev/null): it keeps serving until a signal.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "child_process.h"
#include "kafka_test_client.h"
#include "test_util.h"

namespace gale::testing {
namespace {

// Starts `argv` with stdin from /dev/null (or a pipe) and returns it once it
// printed its bootstrap line, stored in `bootstrap`.
std::unique_ptr<ChildProcess> StartBroker(const std::vector<std::string>& argv, bool pipe_stdin,
                                          const std::string& stderr_file, std::string* bootstrap) {
  ChildProcess::Options o;
  o.argv = argv;
  o.pipe_stdin = pipe_stdin;
  o.pipe_stdout = true;
  o.stderr_file = stderr_file;
  auto child = ChildProcess::Start(o);
  if (!child) return nullptr;
  std::optional<std::string> line = child->ReadLine(std::chrono::seconds(10));
  const std::string prefix = "bootstrap.servers=";
  if (!line || line->rfind(prefix, 0) != 0) {
    ADD_FAILURE() << "broker did not start: first line '" << line.value_or("<none>") << "'\n"
                  << ReadFile(stderr_file);
    return nullptr;
  }
  *bootstrap = line->substr(prefix.size());
  return child;
}

TEST(KafkaBrokerBackground, StdinFromDevNullKeepsItServingUntilSigterm) {
  ScratchDir dir;
  std::string bootstrap;
  // Through the gale program, as `gale kafka-broker --topic bg:2 &` runs it.
  auto broker = StartBroker({kGale, "kafka-broker", "--topic", "bg:2"}, /*pipe_stdin=*/false,
                            dir.Join("broker.err"), &bootstrap);
  ASSERT_NE(broker, nullptr);
  // It answers Kafka requests after stdin (/dev/null) said EOF...
  KafkaTestClient kafka(bootstrap);
  EXPECT_EQ(kafka.EndOffsets("bg").size(), 2u);
  ASSERT_TRUE(kafka.Produce("bg", {{std::nullopt, "still here"}}));
  EXPECT_EQ(kafka.ReadAll("bg").size(), 1u);
  // ...and is still running: it does not exit within half a second either.
  EXPECT_EQ(broker->Wait(std::chrono::milliseconds(500)), std::nullopt)
      << ReadFile(dir.Join("broker.err"));
  EXPECT_NE(ReadFile(dir.Join("broker.err")).find("stdin is /dev/null"), std::string::npos)
      << ReadFile(dir.Join("broker.err"));
  broker->Signal(SIGTERM);
  EXPECT_EQ(broker->Wait(std::chrono::seconds(10)), 0);
}

TEST(KafkaBrokerBackground, StdinIgnoreOutlivesAClosedPipe) {
  ScratchDir dir;
  std::string bootstrap;
  auto broker = StartBroker({kBrokerBin, "--stdin", "ignore", "--topic", "ig"},
                            /*pipe_stdin=*/true, dir.Join("broker.err"), &bootstrap);
  ASSERT_NE(broker, nullptr);
  broker->CloseStdin();
  KafkaTestClient kafka(bootstrap);
  EXPECT_EQ(kafka.EndOffsets("ig").size(), 1u);
  EXPECT_EQ(broker->Wait(std::chrono::milliseconds(500)), std::nullopt);
  broker->Signal(SIGINT);
  EXPECT_EQ(broker->Wait(std::chrono::seconds(10)), 0);
}

TEST(KafkaBrokerBackground, CommandsFromAFileAreAppliedThenItKeepsRunning) {
  ScratchDir dir;
  std::string commands = dir.Write("setup.txt", "create fromfile 3\nhelp\n");
  CommandResult bad = RunCommand(kBrokerBin + " --stdin sometimes < /dev/null", dir, 20);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;

  ChildProcess::Options o;
  // The shell gives the broker the file as stdin; exec keeps the pid.
  o.argv = {"/bin/sh", "-c", "exec " + kBrokerBin + " < " + commands};
  o.pipe_stdout = true;
  o.stderr_file = dir.Join("broker.err");
  auto broker = ChildProcess::Start(o);
  ASSERT_NE(broker, nullptr);
  std::optional<std::string> line = broker->ReadLine(std::chrono::seconds(10));
  ASSERT_TRUE(line && line->rfind("bootstrap.servers=", 0) == 0) << line.value_or("<none>");
  EXPECT_EQ(broker->ReadLine(std::chrono::seconds(10)), "ok");  // create
  std::optional<std::string> help = broker->ReadLine(std::chrono::seconds(10));
  EXPECT_TRUE(help && help->rfind("ok ", 0) == 0) << help.value_or("<none>");
  KafkaTestClient kafka(line->substr(std::string("bootstrap.servers=").size()));
  EXPECT_EQ(kafka.EndOffsets("fromfile").size(), 3u);
  EXPECT_EQ(broker->Wait(std::chrono::milliseconds(500)), std::nullopt);
  broker->Signal(SIGTERM);
  EXPECT_EQ(broker->Wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace gale::testing
