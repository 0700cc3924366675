// The test broker as a process: bootstrap line, control commands, shutdown.

#include <gtest/gtest.h>
#include <signal.h>

#include "kafka_test_client.h"
#include "support/run_command.h"
#include "test_broker.h"
#include "test_util.h"

namespace gale::testing {
namespace {

TEST(KafkaBroker, AnswersControlCommands) {
  ScratchDir dir;
  auto broker =
      TestBroker::Start(kBrokerBin, {"--brokers", "3", "--topic", "t:3"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  // Three brokers, three addresses on 127.0.0.1.
  EXPECT_EQ(std::count(broker->bootstrap().begin(), broker->bootstrap().end(), ','), 2)
      << broker->bootstrap();
  EXPECT_EQ(broker->bootstrap().rfind("127.0.0.1:", 0), 0u) << broker->bootstrap();

  EXPECT_EQ(broker->Command("down 2"), "ok");
  EXPECT_EQ(broker->Command("up 2"), "ok");
  EXPECT_EQ(broker->Command("leader t 0 3"), "ok");
  EXPECT_EQ(broker->Command("coordinator group g 2"), "ok");
  EXPECT_EQ(broker->Command("rtt 1 5"), "ok");
  EXPECT_EQ(broker->Command("create t2 5"), "ok");
  EXPECT_EQ(broker->Command("create t2 5").rfind("error: ", 0), 0u);
  EXPECT_EQ(broker->Command("down 4").rfind("error: no broker 4", 0), 0u);
  EXPECT_EQ(broker->Command("leader t 0").rfind("error: ", 0), 0u);
  EXPECT_EQ(broker->Command("frobnicate").rfind("error: unknown command", 0), 0u);
  EXPECT_EQ(broker->Command("help").rfind("ok ", 0), 0u);

  KafkaTestClient kafka(broker->bootstrap());
  EXPECT_EQ(kafka.EndOffsets("t").size(), 3u);
  EXPECT_EQ(kafka.EndOffsets("t2").size(), 5u);
  ASSERT_TRUE(kafka.Produce("t", {{std::nullopt, "x"}, {std::string("k"), "y"}}));
  EXPECT_EQ(kafka.ReadAll("t").size(), 2u);

  EXPECT_EQ(broker->Command("quit"), "ok");
  EXPECT_EQ(broker->process().Wait(std::chrono::seconds(10)), 0);
}

TEST(KafkaBroker, StopsCleanlyOnEofAndSigterm) {
  ScratchDir dir;
  auto a = TestBroker::Start(kBrokerBin, {}, dir.Join("a.err"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->Stop(), 0);
  auto b = TestBroker::Start(kBrokerBin, {"--topic", "x"}, dir.Join("b.err"));
  ASSERT_NE(b, nullptr);
  b->process().Signal(SIGTERM);
  EXPECT_EQ(b->process().Wait(std::chrono::seconds(10)), 0);
}

TEST(KafkaBroker, RejectsAFixedPortAndBadTopics) {
  ScratchDir dir;
  CommandResult r = RunCommand(kBrokerBin + " --port 9092 < /dev/null", dir, 20);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot use a fixed port"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  r = RunCommand(kBrokerBin + " --topic words:zero < /dev/null", dir, 20);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("words:zero"), std::string::npos) << r.err;
}

// kcat (a third-party client) sees the broker like any Kafka cluster.
TEST(KafkaBroker, WorksWithKcat) {
  if (std::system("command -v kcat > /dev/null 2>&1") != 0) GTEST_SKIP() << "kcat not installed";
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "k:2"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  CommandResult p = RunCommand(
      "printf 'a:1\\nb:2\\n' | kcat -P -b " + broker->bootstrap() + " -t k -K:", dir, 30);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  CommandResult c =
      RunCommand("kcat -C -b " + broker->bootstrap() + " -t k -e -q -f '%k=%s\\n' | sort", dir, 30);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "a=1\nb=2\n");
  EXPECT_EQ(broker->Stop(), 0);
}

}  // namespace
}  // namespace gale::testing
