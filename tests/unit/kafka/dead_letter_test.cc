// What a KafkaSpout writes to its dead-letter topic for a record it gave up
// on: the record's key and value as read, and headers saying where it came
// from and why. No broker.

#include "spouts/kafka/dead_letter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gale::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

RecordTracker::Record Tracked(Values values, std::optional<std::string> key = std::nullopt) {
  RecordTracker::Record r;
  r.tp = {"events", 3};
  r.offset = 17;
  r.values = std::move(values);
  r.replays = 2;
  r.key = std::move(key);
  return r;
}

TEST(DeadLetter, KeyAndValueFromTheDefaultTranslatorsFields) {
  DeadLetter d = MakeDeadLetter(Tracked({std::string("events"), std::int64_t{3}, std::int64_t{17},
                                         std::string("k1"), std::string("poison")}),
                                Translator::kDefault, "g", "why");
  EXPECT_EQ(d.origin, (TopicPartition{"events", 3}));
  EXPECT_EQ(d.offset, 17);
  EXPECT_EQ(d.key, "k1");
  EXPECT_EQ(d.value, "poison");
  EXPECT_THAT(d.Headers(),
              ElementsAre(Pair("gale.origin.topic", "events"), Pair("gale.origin.partition", "3"),
                          Pair("gale.origin.offset", "17"), Pair("gale.origin.group", "g"),
                          Pair("gale.failure.reason", "why")));
}

TEST(DeadLetter, BytesComeBackUnchangedAndNullsStayNull) {
  const Bytes raw = {0x00, 0xff, 0x10};
  DeadLetter d = MakeDeadLetter(
      Tracked({std::string("events"), std::int64_t{3}, std::int64_t{17}, Value{}, raw}),
      Translator::kDefault, "g", "why");
  EXPECT_EQ(d.key, std::nullopt);
  EXPECT_EQ(d.value, std::string("\x00\xff\x10", 3));
  DeadLetter tombstone = MakeDeadLetter(
      Tracked({std::string("events"), std::int64_t{3}, std::int64_t{17}, Bytes{}, Value{}}),
      Translator::kDefault, "g", "why");
  EXPECT_EQ(tombstone.key, std::string()) << "an empty key is not a null key";
  EXPECT_EQ(tombstone.value, std::nullopt);
}

TEST(DeadLetter, ValueTranslatorTakesTheKeptKey) {
  DeadLetter d =
      MakeDeadLetter(Tracked({std::string("v")}, std::string("k")), Translator::kValue, "g", "why");
  EXPECT_EQ(d.key, "k");
  EXPECT_EQ(d.value, "v");
  DeadLetter no_key = MakeDeadLetter(Tracked({std::string("v")}), Translator::kValue, "g", "why");
  EXPECT_EQ(no_key.key, std::nullopt);
}

}  // namespace
}  // namespace gale::kafka
