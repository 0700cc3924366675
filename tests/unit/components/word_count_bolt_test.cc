#include "bolts/word_count_bolt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fake_collectors.h"

namespace gale::builtin {
namespace {

using test_support::FakeOutputCollector;
using test_support::MakeContext;
using test_support::MakeTickTuple;
using ::testing::ElementsAre;

class WordCountBoltTest : public ::testing::Test {
 protected:
  void SetUp() override { bolt_.Prepare(Config(), MakeContext("count"), collector_); }
  WordCountBolt bolt_;
  FakeOutputCollector collector_;
};

TEST_F(WordCountBoltTest, DeclaresWordAndCount) {
  OutputFieldsDeclarer declarer;
  bolt_.DeclareOutputFields(declarer);
  EXPECT_EQ(declarer.streams().at("default"), (Fields{"word", "count"}));
}

TEST_F(WordCountBoltTest, EmitsRunningCountsAnchoredAndAcks) {
  std::vector<Tuple> inputs;
  for (const char* w : {"apple", "pear", "apple", "apple", "pear"}) {
    inputs.push_back(Tuple::ForTesting({std::string(w)}, {"word"}));
  }
  for (const Tuple& t : inputs) bolt_.Execute(t);
  ASSERT_EQ(collector_.emits.size(), 5u);
  std::vector<std::int64_t> counts;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& e = collector_.emits[i];
    EXPECT_EQ(std::get<std::string>(e.values.at(0)), inputs[i].GetString(0));
    counts.push_back(std::get<std::int64_t>(e.values.at(1)));
    EXPECT_THAT(e.anchors, ElementsAre(&inputs[i]));
    EXPECT_EQ(collector_.Settlements(inputs[i]), 1);
    EXPECT_TRUE(collector_.WasAcked(inputs[i]));
  }
  EXPECT_THAT(counts, ElementsAre(1, 1, 2, 3, 2));
  EXPECT_EQ(bolt_.CountOf("apple"), 3);
  EXPECT_EQ(bolt_.CountOf("pear"), 2);
  EXPECT_EQ(bolt_.CountOf("plum"), 0);
  EXPECT_EQ(bolt_.distinct_words(), 2u);
}

TEST_F(WordCountBoltTest, PrefersFieldNamedWordElseTheFirst) {
  Tuple named = Tuple::ForTesting({std::int64_t{1}, std::string("x")}, {"n", "word"});
  Tuple first = Tuple::ForTesting({std::string("x"), std::int64_t{1}}, {"token", "n"});
  bolt_.Execute(named);
  bolt_.Execute(first);
  EXPECT_EQ(bolt_.CountOf("x"), 2);
}

TEST_F(WordCountBoltTest, TickTuplesAreAckedAndIgnored) {
  Tuple tick = MakeTickTuple();
  bolt_.Execute(tick);
  EXPECT_TRUE(collector_.emits.empty());
  EXPECT_TRUE(collector_.WasAcked(tick));
  EXPECT_EQ(bolt_.distinct_words(), 0u);
}

}  // namespace
}  // namespace gale::builtin
