#include "bolts/split_sentence_bolt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "support/fake_collectors.h"

namespace gale::builtin {
namespace {

using test_support::FakeOutputCollector;
using test_support::MakeContext;
using test_support::MakeTickTuple;
using ::testing::ElementsAre;

std::vector<std::string> Words(const FakeOutputCollector& collector) {
  std::vector<std::string> words;
  for (const auto& e : collector.emits) words.push_back(std::get<std::string>(e.values.at(0)));
  return words;
}

class SplitSentenceBoltTest : public ::testing::Test {
 protected:
  void Prepare(const Config& config = Config()) {
    bolt_.Prepare(config, MakeContext("split"), collector_);
  }
  SplitSentenceBolt bolt_;
  FakeOutputCollector collector_;
};

TEST_F(SplitSentenceBoltTest, DeclaresWordField) {
  OutputFieldsDeclarer declarer;
  bolt_.DeclareOutputFields(declarer);
  EXPECT_EQ(declarer.streams().at("default"), (Fields{"word"}));
}

TEST_F(SplitSentenceBoltTest, EmitsEachWordAnchoredThenAcks) {
  Prepare();
  Tuple input = Tuple::ForTesting({std::string("  the cow\tjumped \n over  ")}, {"sentence"});
  bolt_.Execute(input);
  EXPECT_THAT(Words(collector_), ElementsAre("the", "cow", "jumped", "over"));
  for (const auto& e : collector_.emits) {
    EXPECT_EQ(e.stream, "default");
    ASSERT_EQ(e.values.size(), 1u);
    EXPECT_THAT(e.anchors, ElementsAre(&input));
  }
  EXPECT_THAT(collector_.acked, ElementsAre(&input));
  EXPECT_TRUE(collector_.failed.empty());
}

TEST_F(SplitSentenceBoltTest, EmptyTextIsAckedWithoutEmits) {
  Prepare();
  Tuple input = Tuple::ForTesting({std::string(" \t ")}, {"sentence"});
  bolt_.Execute(input);
  EXPECT_TRUE(collector_.emits.empty());
  EXPECT_EQ(collector_.Settlements(input), 1);
  EXPECT_TRUE(collector_.WasAcked(input));
}

TEST_F(SplitSentenceBoltTest, FieldPropertySelectsTheInput) {
  Config config;
  config.Set("field", std::string("text"));
  Prepare(config);
  Tuple input = Tuple::ForTesting({std::int64_t{7}, std::string("a b")}, {"id", "text"});
  bolt_.Execute(input);
  EXPECT_THAT(Words(collector_), ElementsAre("a", "b"));
}

TEST_F(SplitSentenceBoltTest, NonStringInputThrowsAndIsNotAcked) {
  Prepare();
  Tuple input = Tuple::ForTesting({std::int64_t{7}}, {"sentence"});
  EXPECT_THROW(bolt_.Execute(input), std::invalid_argument);
  EXPECT_EQ(collector_.Settlements(input), 0);  // the executor fails it
}

TEST_F(SplitSentenceBoltTest, TickTuplesAreAckedAndIgnored) {
  Prepare();
  Tuple tick = MakeTickTuple();
  bolt_.Execute(tick);
  EXPECT_TRUE(collector_.emits.empty());
  EXPECT_TRUE(collector_.WasAcked(tick));
}

}  // namespace
}  // namespace gale::builtin
