#include "spouts/sequence_spout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "support/fake_collectors.h"

namespace gale::builtin {
namespace {

using test_support::FakeSpoutCollector;
using test_support::MakeContext;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Config Sequence(std::int64_t count) {
  Config config("component 'numbers'");
  config.Set("count", count);
  return config;
}

// Runs one task to the end of its range, acking nothing.
std::vector<std::int64_t> Drain(SequenceSpout& spout, FakeSpoutCollector& collector) {
  for (int guard = 0; guard < 100000; ++guard) {
    std::size_t before = collector.emits.size();
    spout.NextTuple();
    if (collector.emits.size() == before) break;
  }
  std::vector<std::int64_t> values;
  for (const auto& e : collector.emits) values.push_back(std::get<std::int64_t>(e.values.at(0)));
  return values;
}

TEST(SequenceSpoutTest, DeclaresIdField) {
  SequenceSpout spout;
  OutputFieldsDeclarer declarer;
  spout.DeclareOutputFields(declarer);
  EXPECT_EQ(declarer.streams().at("default"), (Fields{"id"}));
}

TEST(SequenceSpoutTest, OneTaskEmitsOneToNWithMatchingMessageIds) {
  SequenceSpout spout;
  FakeSpoutCollector collector;
  spout.Open(Sequence(5), MakeContext("numbers"), collector);
  EXPECT_THAT(Drain(spout, collector), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(collector.Ids(), ElementsAre(1u, 2u, 3u, 4u, 5u));
  EXPECT_FALSE(spout.Exhausted());
  for (MessageId id : collector.Ids()) spout.Ack(id);
  EXPECT_TRUE(spout.Exhausted());
}

TEST(SequenceSpoutTest, UnionOverTasksIsExactlyTheRange) {
  for (int parallelism : {1, 2, 3, 7, 150}) {
    SCOPED_TRACE(parallelism);
    constexpr std::int64_t kCount = 100;
    std::multiset<std::int64_t> all;
    for (int task = 0; task < parallelism; ++task) {
      SequenceSpout spout;
      FakeSpoutCollector collector;
      spout.Open(Sequence(kCount), MakeContext("numbers", parallelism, task), collector);
      std::vector<std::int64_t> values = Drain(spout, collector);
      for (std::int64_t v : values) {
        EXPECT_EQ((v - 1) % parallelism, task) << v;
        all.insert(v);
      }
      for (MessageId id : collector.Ids()) spout.Ack(id);
      EXPECT_TRUE(spout.Exhausted());
    }
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kCount));
    std::int64_t expected = 1;
    for (std::int64_t v : all) EXPECT_EQ(v, expected++);
  }
}

TEST(SequenceSpoutTest, StartShiftsTheRange) {
  Config config = Sequence(4);
  config.Set("start", std::int64_t{10});
  SequenceSpout spout;
  FakeSpoutCollector collector;
  spout.Open(config, MakeContext("numbers", 2, 1), collector);
  EXPECT_THAT(Drain(spout, collector), ElementsAre(11, 13));
}

TEST(SequenceSpoutTest, FailedIdsAreReplayedUntilAcked) {
  SequenceSpout spout;
  FakeSpoutCollector collector;
  spout.Open(Sequence(3), MakeContext("numbers"), collector);
  Drain(spout, collector);
  spout.Ack(1);
  spout.Fail(3);
  spout.Fail(2);
  EXPECT_FALSE(spout.Exhausted());
  collector.Clear();
  EXPECT_THAT(Drain(spout, collector), ElementsAre(3, 2));  // in the order they failed
  EXPECT_THAT(collector.Ids(), ElementsAre(3u, 2u));
  spout.Fail(2);
  collector.Clear();
  EXPECT_THAT(Drain(spout, collector), ElementsAre(2));
  spout.Ack(2);
  EXPECT_FALSE(spout.Exhausted());
  spout.Ack(3);
  EXPECT_TRUE(spout.Exhausted());
  EXPECT_EQ(spout.dropped(), 0u);
}

TEST(SequenceSpoutTest, MaxReplaysDropsAndReports) {
  Config config = Sequence(1);
  config.Set("max.replays", std::int64_t{1});
  SequenceSpout spout;
  FakeSpoutCollector collector;
  spout.Open(config, MakeContext("numbers"), collector);
  Drain(spout, collector);
  spout.Fail(1);
  Drain(spout, collector);
  EXPECT_EQ(collector.emits.size(), 2u);
  EXPECT_TRUE(collector.errors.empty());
  spout.Fail(1);
  EXPECT_EQ(spout.dropped(), 1u);
  ASSERT_EQ(collector.errors.size(), 1u);
  EXPECT_THAT(collector.errors[0], HasSubstr("id 1"));
  EXPECT_TRUE(spout.Exhausted());
  Drain(spout, collector);
  EXPECT_EQ(collector.emits.size(), 2u);
}

TEST(SequenceSpoutTest, AckInsideEmitWhenAckingIsOff) {
  SequenceSpout spout;
  FakeSpoutCollector collector;
  collector.AckImmediately(&spout);
  spout.Open(Sequence(3), MakeContext("numbers"), collector);
  EXPECT_THAT(Drain(spout, collector), ElementsAre(1, 2, 3));
  EXPECT_TRUE(spout.Exhausted());
}

TEST(SequenceSpoutTest, BatchEmitsSeveralPerCall) {
  Config config = Sequence(5);
  config.Set("batch", std::int64_t{2});
  SequenceSpout spout;
  FakeSpoutCollector collector;
  spout.Open(config, MakeContext("numbers"), collector);
  spout.NextTuple();
  EXPECT_EQ(collector.emits.size(), 2u);
}

TEST(SequenceSpoutTest, CountIsRequiredAndMustBeAnInteger) {
  SequenceSpout spout;
  FakeSpoutCollector collector;
  auto context = MakeContext("numbers");
  Config missing("component 'numbers'");
  try {
    spout.Open(missing, context, collector);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'numbers'"));
    EXPECT_THAT(e.what(), HasSubstr("'count' is missing"));
  }
  Config wrong("component 'numbers'");
  wrong.Set("count", 2.5);
  try {
    spout.Open(wrong, context, collector);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'count'"));
    EXPECT_THAT(e.what(), HasSubstr("expected an integer"));
  }
  EXPECT_THROW(spout.Open(Sequence(-5), context, collector), ConfigError);
}

}  // namespace
}  // namespace gale::builtin
