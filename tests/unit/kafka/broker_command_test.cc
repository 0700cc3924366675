#include "kafka_broker/broker_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gale::kafka_broker {
namespace {

using ::testing::HasSubstr;
using Kind = BrokerCommand::Kind;

TEST(ParseTopicSpec, NameAndOptionalPartitions) {
  auto a = ParseTopicSpec("words");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "words");
  EXPECT_EQ(a->partitions, 1);
  auto b = ParseTopicSpec("word-counts:12");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name, "word-counts");
  EXPECT_EQ(b->partitions, 12);
  EXPECT_FALSE(ParseTopicSpec("").ok());
  EXPECT_FALSE(ParseTopicSpec(":3").ok());
  EXPECT_FALSE(ParseTopicSpec("t:0").ok());
  EXPECT_FALSE(ParseTopicSpec("t:x").ok());
  EXPECT_THAT(ParseTopicSpec("t:").status().message(), HasSubstr("partition count"));
}

TEST(ParseBrokerCommand, EveryCommand) {
  auto down = ParseBrokerCommand("down 2");
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->kind, Kind::kDown);
  EXPECT_EQ(down->broker, 2);
  auto all = ParseBrokerCommand("  up   all \r");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->kind, Kind::kUp);
  EXPECT_EQ(all->broker, -1);
  auto leader = ParseBrokerCommand("leader words 3 -1");
  ASSERT_TRUE(leader.ok());
  EXPECT_EQ(leader->kind, Kind::kLeader);
  EXPECT_EQ(leader->topic, "words");
  EXPECT_EQ(leader->partition, 3);
  EXPECT_EQ(leader->broker, -1);
  auto coordinator = ParseBrokerCommand("coordinator group my-group 1");
  ASSERT_TRUE(coordinator.ok());
  EXPECT_EQ(coordinator->kind, Kind::kCoordinator);
  EXPECT_EQ(coordinator->key_type, "group");
  EXPECT_EQ(coordinator->key, "my-group");
  EXPECT_EQ(coordinator->broker, 1);
  auto create = ParseBrokerCommand("create t 6");
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(create->kind, Kind::kCreate);
  EXPECT_EQ(create->partitions, 6);
  auto rtt = ParseBrokerCommand("rtt 1 250");
  ASSERT_TRUE(rtt.ok());
  EXPECT_EQ(rtt->rtt_ms, 250);
  EXPECT_EQ(ParseBrokerCommand("quit")->kind, Kind::kQuit);
  EXPECT_EQ(ParseBrokerCommand("help")->kind, Kind::kHelp);
  EXPECT_EQ(ParseBrokerCommand("")->kind, Kind::kEmpty);
  EXPECT_EQ(ParseBrokerCommand("# note")->kind, Kind::kEmpty);
}

TEST(ParseBrokerCommand, ErrorsSayWhatWasExpected) {
  EXPECT_THAT(ParseBrokerCommand("down").status().message(), HasSubstr("usage: down BROKER"));
  EXPECT_THAT(ParseBrokerCommand("down x").status().message(), HasSubstr("bad broker id"));
  EXPECT_THAT(ParseBrokerCommand("leader t 0").status().message(), HasSubstr("usage: leader"));
  EXPECT_THAT(ParseBrokerCommand("leader t -1 1").status().message(), HasSubstr("bad partition"));
  EXPECT_THAT(ParseBrokerCommand("coordinator txn id 1").status().message(),
              HasSubstr("'group' or 'transaction'"));
  EXPECT_THAT(ParseBrokerCommand("coordinator group g all").status().message(),
              HasSubstr("bad broker id"));
  EXPECT_THAT(ParseBrokerCommand("create t 0").status().message(), HasSubstr(">= 1"));
  EXPECT_THAT(ParseBrokerCommand("quit now").status().message(), HasSubstr("no arguments"));
  EXPECT_THAT(ParseBrokerCommand("restart").status().message(),
              HasSubstr("unknown command 'restart'"));
}

}  // namespace
}  // namespace gale::kafka_broker
