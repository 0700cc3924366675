#include "spouts/random_sentence_spout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "support/fake_collectors.h"

namespace gale::builtin {
namespace {

using test_support::FakeSpoutCollector;
using test_support::MakeContext;
using ::testing::HasSubstr;

bool IsKnownSentence(const std::string& s) {
  const auto& list = RandomSentenceSpout::kSentences;
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

struct Harness {
  explicit Harness(Config config, int parallelism = 1, int task_index = 0)
      : config(std::move(config)) {
    spout.Open(this->config, MakeContext("sentences", parallelism, task_index), collector);
  }
  void Next(int times) {
    for (int i = 0; i < times; ++i) spout.NextTuple();
  }
  std::vector<std::string> Sentences() const {
    std::vector<std::string> out;
    for (const auto& e : collector.emits) out.push_back(std::get<std::string>(e.values.at(0)));
    return out;
  }

  Config config;
  RandomSentenceSpout spout;
  FakeSpoutCollector collector;
};

Config WithCount(std::int64_t count) {
  Config config("component 'sentences'");
  config.Set("count", count);
  return config;
}

TEST(RandomSentenceSpoutTest, DeclaresSentenceField) {
  RandomSentenceSpout spout;
  OutputFieldsDeclarer declarer;
  spout.DeclareOutputFields(declarer);
  ASSERT_EQ(declarer.streams().size(), 1u);
  EXPECT_EQ(declarer.streams().at("default"), (Fields{"sentence"}));
}

TEST(RandomSentenceSpoutTest, EmitsKnownSentencesWithDistinctIds) {
  Harness h{Config()};
  h.Next(1000);
  ASSERT_EQ(h.collector.emits.size(), 1000u);
  std::set<MessageId> ids;
  std::set<std::string> seen;
  for (const auto& e : h.collector.emits) {
    EXPECT_EQ(e.stream, "default");
    ASSERT_EQ(e.values.size(), 1u);
    const std::string& s = std::get<std::string>(e.values[0]);
    EXPECT_TRUE(IsKnownSentence(s)) << s;
    seen.insert(s);
    ASSERT_TRUE(e.id.has_value());
    ids.insert(*e.id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(seen.size(), RandomSentenceSpout::kSentenceCount);
  EXPECT_FALSE(h.spout.Exhausted());  // unbounded
}

TEST(RandomSentenceSpoutTest, SeedAndTaskIndexMakeTheSequence) {
  Config seeded;
  seeded.Set("seed", std::int64_t{7});
  Harness a{seeded, 2, 0}, b{seeded, 2, 0}, other_task{seeded, 2, 1};
  Harness default_task0{Config(), 2, 0};
  a.Next(50);
  b.Next(50);
  other_task.Next(50);
  default_task0.Next(50);
  EXPECT_EQ(a.Sentences(), b.Sentences());
  EXPECT_NE(a.Sentences(), other_task.Sentences());
  EXPECT_NE(a.Sentences(), default_task0.Sentences());

  // No seed behaves as seed 42, plus the task index.
  Config seed42;
  seed42.Set("seed", std::int64_t{42});
  Harness explicit42{seed42, 2, 0};
  explicit42.Next(50);
  EXPECT_EQ(explicit42.Sentences(), default_task0.Sentences());
}

TEST(RandomSentenceSpoutTest, CountBoundsEmitsAndExhaustedWaitsForAcks) {
  Harness h{WithCount(5)};
  h.Next(10);
  ASSERT_EQ(h.collector.emits.size(), 5u);
  EXPECT_FALSE(h.spout.Exhausted());
  std::vector<MessageId> ids = h.collector.Ids();
  for (std::size_t i = 0; i + 1 < ids.size(); ++i) h.spout.Ack(ids[i]);
  EXPECT_FALSE(h.spout.Exhausted());
  h.spout.Ack(ids.back());
  EXPECT_TRUE(h.spout.Exhausted());
}

TEST(RandomSentenceSpoutTest, FailReplaysTheSameSentenceWithTheSameId) {
  Harness h{WithCount(3)};
  h.Next(3);
  ASSERT_EQ(h.collector.emits.size(), 3u);
  auto failed = h.collector.emits[1];
  h.spout.Ack(*h.collector.emits[0].id);
  h.spout.Ack(*h.collector.emits[2].id);
  h.spout.Fail(*failed.id);
  h.spout.Fail(*failed.id);  // a second fail does not replay twice
  EXPECT_FALSE(h.spout.Exhausted());

  h.Next(3);
  ASSERT_EQ(h.collector.emits.size(), 4u);
  EXPECT_EQ(h.collector.emits[3].id, failed.id);
  EXPECT_EQ(h.collector.emits[3].values, failed.values);
  EXPECT_FALSE(h.spout.Exhausted());
  h.spout.Ack(*failed.id);
  EXPECT_TRUE(h.spout.Exhausted());
}

TEST(RandomSentenceSpoutTest, ReplaysComeBeforeNewSentences) {
  Harness h{Config()};
  h.Next(2);
  h.spout.Fail(*h.collector.emits[0].id);
  h.Next(1);
  EXPECT_EQ(h.collector.emits[2].id, h.collector.emits[0].id);
  h.Next(1);
  EXPECT_NE(h.collector.emits[3].id, h.collector.emits[0].id);
}

TEST(RandomSentenceSpoutTest, UnknownAckAndFailAreIgnored) {
  Harness h{WithCount(1)};
  h.spout.Ack(99);
  h.spout.Fail(99);
  h.Next(3);
  EXPECT_EQ(h.collector.emits.size(), 1u);
}

TEST(RandomSentenceSpoutTest, AckInsideEmitWhenAckingIsOff) {
  Config config = WithCount(4);
  RandomSentenceSpout spout;
  FakeSpoutCollector collector;
  collector.AckImmediately(&spout);
  spout.Open(config, MakeContext("sentences"), collector);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(spout.Exhausted());
    spout.NextTuple();
  }
  EXPECT_EQ(collector.emits.size(), 4u);
  EXPECT_TRUE(spout.Exhausted());
}

TEST(RandomSentenceSpoutTest, UnreliableEmitsWithoutIds) {
  Config config = WithCount(3);
  config.Set("reliable", false);
  Harness h{config};
  h.Next(5);
  ASSERT_EQ(h.collector.emits.size(), 3u);
  for (const auto& e : h.collector.emits) EXPECT_FALSE(e.id.has_value());
  EXPECT_TRUE(h.spout.Exhausted());
}

TEST(RandomSentenceSpoutTest, BatchEmitsSeveralPerCall) {
  Config config = WithCount(10);
  config.Set("batch", std::int64_t{4});
  Harness h{config};
  h.Next(1);
  EXPECT_EQ(h.collector.emits.size(), 4u);
  h.Next(5);
  EXPECT_EQ(h.collector.emits.size(), 10u);
}

TEST(RandomSentenceSpoutTest, ZeroCountIsExhaustedAtOnce) {
  Harness h{WithCount(0)};
  h.Next(2);
  EXPECT_TRUE(h.collector.emits.empty());
  EXPECT_TRUE(h.spout.Exhausted());
}

TEST(RandomSentenceSpoutTest, BadPropertiesThrowNamingComponentAndKey) {
  RandomSentenceSpout spout;
  FakeSpoutCollector collector;
  auto context = MakeContext("sentences");

  Config wrong_type("component 'sentences'");
  wrong_type.Set("count", std::string("many"));
  try {
    spout.Open(wrong_type, context, collector);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'sentences'"));
    EXPECT_THAT(e.what(), HasSubstr("'count'"));
  }

  Config negative = WithCount(-1);
  EXPECT_THROW(
      {
        try {
          spout.Open(negative, context, collector);
        } catch (const ConfigError& e) {
          EXPECT_THAT(e.what(), HasSubstr("'count' must be >= 0, got -1"));
          throw;
        }
      },
      ConfigError);

  Config bad_batch;
  bad_batch.Set("batch", std::int64_t{0});
  EXPECT_THROW(spout.Open(bad_batch, context, collector), ConfigError);

  Config bad_bool;
  bad_bool.Set("reliable", std::string("yes"));
  EXPECT_THROW(spout.Open(bad_bool, context, collector), ConfigError);
}

}  // namespace
}  // namespace gale::builtin
