#include "local_header.h"

#include <gtest/gtest.h>

namespace gale::cli {
namespace {

plan::ComponentInfo Spout(std::string id, std::string class_name,
                          std::vector<std::pair<std::string, Value>> properties = {}) {
  plan::ComponentInfo c;
  c.kind = ComponentKind::kSpout;
  c.id = std::move(id);
  c.class_name = std::move(class_name);
  for (auto& [key, value] : properties) c.config.Set(key, value);
  return c;
}

plan::ComponentInfo Bolt(std::string id) {
  plan::ComponentInfo c;
  c.kind = ComponentKind::kBolt;
  c.id = std::move(id);
  c.class_name = "WordCountBolt";
  return c;
}

TEST(LocalHeader, ClassifiesBuiltInSpoutsByTheirProperties) {
  EXPECT_EQ(ClassifySpout(Spout("s", "SequenceSpout", {{"count", std::int64_t{10}}})).end,
            SpoutEnd::kBounded);
  EXPECT_EQ(ClassifySpout(Spout("s", "FileSpout", {{"path", std::string("x")}})).end,
            SpoutEnd::kBounded);
  EXPECT_EQ(ClassifySpout(Spout("s", "RandomSentenceSpout", {{"count", std::int64_t{5}}})).end,
            SpoutEnd::kBounded);
  SpoutEndInfo random = ClassifySpout(Spout("s", "RandomSentenceSpout"));
  EXPECT_EQ(random.end, SpoutEnd::kUnbounded);
  EXPECT_EQ(random.why, "RandomSentenceSpout without 'count'");
  EXPECT_EQ(ClassifySpout(Spout("k", "KafkaSpout", {{"bounded", true}})).end, SpoutEnd::kBounded);
  EXPECT_EQ(ClassifySpout(Spout("k", "KafkaSpout", {{"max.records", std::int64_t{3}}})).end,
            SpoutEnd::kBounded);
  EXPECT_EQ(ClassifySpout(Spout("k", "KafkaSpout", {{"bounded", false}})).end,
            SpoutEnd::kUnbounded);
  EXPECT_EQ(ClassifySpout(Spout("u", "MySpout")).end, SpoutEnd::kUnknown);
  // A mistyped property is Open's to report; the end is then unknown.
  EXPECT_EQ(ClassifySpout(Spout("k", "KafkaSpout", {{"bounded", std::string("maybe")}})).end,
            SpoutEnd::kUnknown);
}

TEST(LocalHeader, SaysHowTheRunEnds) {
  std::vector<plan::ComponentInfo> bounded = {Spout("ids", "SequenceSpout"), Bolt("count")};
  std::vector<plan::ComponentInfo> unbounded = {Spout("ids", "SequenceSpout"),
                                                Spout("sentences", "RandomSentenceSpout"),
                                                Bolt("count")};
  std::vector<plan::ComponentInfo> unknown = {Spout("ids", "SequenceSpout"),
                                              Spout("mine", "MySpout")};
  EXPECT_EQ(DescribeLocalRunEnd(bounded, 0),
            " until its spouts are exhausted and every tuple is processed, or Ctrl-C");
  EXPECT_EQ(DescribeLocalRunEnd(unbounded, 0),
            " until Ctrl-C (spout 'sentences' is unbounded: RandomSentenceSpout without "
            "'count')");
  EXPECT_EQ(DescribeLocalRunEnd(unknown, 0), " until its spouts are exhausted or Ctrl-C");
  EXPECT_EQ(DescribeLocalRunEnd(unbounded, 10), " for 10 s, or until Ctrl-C");
  EXPECT_EQ(DescribeLocalRunEnd(bounded, 2.5),
            " for 2.5 s (less if its spouts are exhausted first), or until Ctrl-C");
  EXPECT_EQ(DescribeLocalRunEnd(unknown, 3),
            " for 3 s (less if its spouts are exhausted first), or until Ctrl-C");
}

}  // namespace
}  // namespace gale::cli
