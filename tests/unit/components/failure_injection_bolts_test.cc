// FailingBolt, ForgetfulBolt and SlowBolt: the pass-through bolts used by
// reliability and backpressure tests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bolts/failing_bolt.h"
#include "bolts/forgetful_bolt.h"
#include "bolts/slow_bolt.h"
#include "support/fake_collectors.h"

namespace gale::builtin {
namespace {

using test_support::FakeOutputCollector;
using test_support::MakeContext;
using test_support::MakeTickTuple;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Tuple> Inputs(int n) {
  std::vector<Tuple> inputs;
  inputs.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) inputs.push_back(Tuple::ForTesting({std::int64_t{i}}, {"id"}));
  return inputs;
}

// The indexes of the inputs a FailingBolt task fails.
std::vector<int> FailedIndexes(const Config& config, int task_index, int n) {
  FailingBolt bolt;
  FakeOutputCollector collector;
  bolt.Prepare(config, MakeContext("fail", 4, task_index), collector);
  std::vector<Tuple> inputs = Inputs(n);
  std::vector<int> failed;
  for (int i = 0; i < n; ++i) {
    bolt.Execute(inputs[static_cast<std::size_t>(i)]);
    if (collector.WasFailed(inputs[static_cast<std::size_t>(i)])) failed.push_back(i);
  }
  return failed;
}

Config Fraction(const char* key, double fraction) {
  Config config("component 'chaos'");
  config.Set(key, fraction);
  return config;
}

template <typename B>
Fields Declared(const Config& config) {
  B bolt;
  OutputFieldsDeclarer declarer(&config);
  bolt.DeclareOutputFields(declarer);
  return declarer.streams().at("default");
}

TEST(FailingBoltTest, FailsRoughlyTheFractionAndForwardsTheRest) {
  constexpr int kN = 20000;
  FailingBolt bolt;
  FakeOutputCollector collector;
  bolt.Prepare(Fraction("fail.fraction", 0.25), MakeContext("fail"), collector);
  std::vector<Tuple> inputs = Inputs(kN);
  for (const Tuple& t : inputs) bolt.Execute(t);

  EXPECT_GT(collector.failed.size(), kN * 0.23);
  EXPECT_LT(collector.failed.size(), kN * 0.27);
  EXPECT_EQ(bolt.failed(), collector.failed.size());
  EXPECT_EQ(collector.acked.size() + collector.failed.size(), static_cast<std::size_t>(kN));
  ASSERT_EQ(collector.emits.size(), collector.acked.size());
  for (std::size_t i = 0; i < collector.emits.size(); ++i) {
    const auto& e = collector.emits[i];
    ASSERT_EQ(e.anchors.size(), 1u);
    EXPECT_EQ(e.anchors[0], collector.acked[i]);  // forwarded, then acked
    EXPECT_EQ(e.values, e.anchors[0]->GetValues());
    EXPECT_EQ(e.stream, "default");
  }
  for (const Tuple& t : inputs) EXPECT_EQ(collector.Settlements(t), 1);
}

TEST(FailingBoltTest, FailValueFailsThatTupleEveryTime) {
  FailingBolt bolt;
  FakeOutputCollector collector;
  Config config("component 'chaos'");
  config.Set("fail.value", std::string("poison"));
  config.Set("fail.field", std::string("key"));
  bolt.Prepare(config, MakeContext("fail"), collector);
  Fields fields{"key", "value"};
  Tuple poison = Tuple::ForTesting({std::string("poison"), std::string("v")}, fields);
  Tuple again = Tuple::ForTesting({std::string("poison"), std::string("w")}, fields);
  Tuple fine = Tuple::ForTesting({std::string("ok"), std::string("poison")}, fields);
  Tuple null_key = Tuple::ForTesting({Value{}, std::string("v")}, fields);
  for (const Tuple* t : {&poison, &again, &fine, &null_key}) bolt.Execute(*t);
  EXPECT_TRUE(collector.WasFailed(poison));
  EXPECT_TRUE(collector.WasFailed(again));
  EXPECT_TRUE(collector.WasAcked(fine)) << "only the chosen field counts";
  EXPECT_TRUE(collector.WasAcked(null_key));
  EXPECT_EQ(bolt.failed(), 2u);
}

TEST(FailingBoltTest, DecisionsAreDeterministicPerSeedAndTask) {
  Config config = Fraction("fail.fraction", 0.5);
  config.Set("seed", std::int64_t{9});
  EXPECT_EQ(FailedIndexes(config, 0, 500), FailedIndexes(config, 0, 500));
  EXPECT_NE(FailedIndexes(config, 0, 500), FailedIndexes(config, 1, 500));
  Config other_seed = config;
  other_seed.Set("seed", std::int64_t{10});
  EXPECT_NE(FailedIndexes(config, 0, 500), FailedIndexes(other_seed, 0, 500));
  // seed + task index: seed 9 task 1 decides as seed 10 task 0.
  EXPECT_EQ(FailedIndexes(config, 1, 500), FailedIndexes(other_seed, 0, 500));
}

TEST(FailingBoltTest, ZeroAndOneAreExact) {
  EXPECT_TRUE(FailedIndexes(Fraction("fail.fraction", 0.0), 0, 1000).empty());
  EXPECT_EQ(FailedIndexes(Fraction("fail.fraction", 1.0), 0, 1000).size(), 1000u);
  EXPECT_TRUE(FailedIndexes(Config(), 0, 1000).empty());  // default 0
}

TEST(FailingBoltTest, FractionOutsideZeroOneOrNotANumberIsAConfigError) {
  FailingBolt bolt;
  FakeOutputCollector collector;
  try {
    bolt.Prepare(Fraction("fail.fraction", 1.5), MakeContext("fail"), collector);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'chaos'"));
    EXPECT_THAT(e.what(), HasSubstr("'fail.fraction' must be between 0 and 1, got 1.5"));
  }
  Config text("component 'chaos'");
  text.Set("fail.fraction", std::string("a lot"));
  EXPECT_THROW(bolt.Prepare(text, MakeContext("fail"), collector), ConfigError);
}

TEST(FailingBoltTest, TickTuplesAreAckedAndDoNotConsumeDecisions) {
  Config config = Fraction("fail.fraction", 0.5);
  FailingBolt bolt;
  FakeOutputCollector collector;
  bolt.Prepare(config, MakeContext("fail", 4, 0), collector);
  std::vector<Tuple> inputs = Inputs(200);
  Tuple tick = MakeTickTuple();
  std::vector<int> failed;
  for (int i = 0; i < 200; ++i) {
    bolt.Execute(tick);
    bolt.Execute(inputs[static_cast<std::size_t>(i)]);
    if (collector.WasFailed(inputs[static_cast<std::size_t>(i)])) failed.push_back(i);
  }
  EXPECT_EQ(failed, FailedIndexes(config, 0, 200));
  EXPECT_FALSE(collector.WasFailed(tick));
}

TEST(PassThroughFieldsTest, DefaultIdOrTheFieldsProperty) {
  EXPECT_EQ(Declared<FailingBolt>(Config()), (Fields{"id"}));
  Config config;
  config.SetList("fields", {Value{std::string("word")}, Value{std::string("count")}});
  EXPECT_EQ(Declared<FailingBolt>(config), (Fields{"word", "count"}));
  EXPECT_EQ(Declared<ForgetfulBolt>(config), (Fields{"word", "count"}));
  EXPECT_EQ(Declared<SlowBolt>(config), (Fields{"word", "count"}));
  Config single;
  single.Set("fields", std::string("line"));
  EXPECT_EQ(Declared<SlowBolt>(single), (Fields{"line"}));
}

TEST(PassThroughFieldsTest, NonStringFieldNameIsAConfigError) {
  Config config("component 'chaos'");
  config.SetList("fields", {Value{std::string("word")}, Value{std::int64_t{3}}});
  try {
    Declared<FailingBolt>(config);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'chaos'"));
    EXPECT_THAT(e.what(), HasSubstr("'fields' element 1 is a int"));
  }
  Config empty;
  empty.SetList("fields", {});
  EXPECT_THROW(Declared<ForgetfulBolt>(empty), ConfigError);
}

TEST(ForgetfulBoltTest, ForwardsEverythingAndAcksAllButTheFraction) {
  constexpr int kN = 10000;
  ForgetfulBolt bolt;
  FakeOutputCollector collector;
  bolt.Prepare(Fraction("forget.fraction", 0.1), MakeContext("forget"), collector);
  std::vector<Tuple> inputs = Inputs(kN);
  for (const Tuple& t : inputs) bolt.Execute(t);
  EXPECT_EQ(collector.emits.size(), static_cast<std::size_t>(kN));
  EXPECT_TRUE(collector.failed.empty());
  std::size_t forgotten = kN - collector.acked.size();
  EXPECT_EQ(forgotten, bolt.forgotten());
  EXPECT_GT(forgotten, kN * 0.08);
  EXPECT_LT(forgotten, kN * 0.12);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_THAT(collector.emits[i].anchors, ElementsAre(&inputs[i]));
    EXPECT_LE(collector.Settlements(inputs[i]), 1);
  }
}

TEST(ForgetfulBoltTest, TickTuplesAreAcked) {
  ForgetfulBolt bolt;
  FakeOutputCollector collector;
  bolt.Prepare(Fraction("forget.fraction", 1.0), MakeContext("forget"), collector);
  Tuple tick = MakeTickTuple();
  bolt.Execute(tick);
  EXPECT_TRUE(collector.WasAcked(tick));
  EXPECT_TRUE(collector.emits.empty());
}

TEST(SlowBoltTest, ForwardsAnchoredAndAcks) {
  Config config;
  config.Set("sleep.us", std::int64_t{0});
  SlowBolt bolt;
  FakeOutputCollector collector;
  bolt.Prepare(config, MakeContext("slow"), collector);
  Tuple t = Tuple::ForTesting({std::int64_t{5}}, {"id"});
  Tuple tick = MakeTickTuple();
  bolt.Execute(t);
  bolt.Execute(tick);
  ASSERT_EQ(collector.emits.size(), 1u);
  EXPECT_EQ(collector.emits[0].values, t.GetValues());
  EXPECT_THAT(collector.emits[0].anchors, ElementsAre(&t));
  EXPECT_THAT(collector.acked, ElementsAre(&t, &tick));
}

TEST(SlowBoltTest, SleepProperties) {
  FakeOutputCollector collector;
  auto prepared = [&](const Config& config) {
    SlowBolt bolt;
    bolt.Prepare(config, MakeContext("slow"), collector);
    return bolt.sleep_us();
  };
  EXPECT_EQ(prepared(Config()), 1000);
  Config ms;
  ms.Set("sleep.ms", std::int64_t{3});
  EXPECT_EQ(prepared(ms), 3000);
  Config us;
  us.Set("sleep.us", std::int64_t{250});
  EXPECT_EQ(prepared(us), 250);

  Config both("component 'slow'");
  both.Set("sleep.ms", std::int64_t{1});
  both.Set("sleep.us", std::int64_t{1});
  try {
    prepared(both);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("only one of"));
  }
  Config negative;
  negative.Set("sleep.ms", std::int64_t{-1});
  EXPECT_THROW(prepared(negative), ConfigError);
  Config text;
  text.Set("sleep.us", std::string("slow"));
  EXPECT_THROW(prepared(text), ConfigError);
}

}  // namespace
}  // namespace gale::builtin
