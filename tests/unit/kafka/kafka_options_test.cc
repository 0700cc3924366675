#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "bolts/kafka/kafka_bolt_options.h"
#include "spouts/kafka/kafka_properties.h"
#include "spouts/kafka/kafka_spout_options.h"

namespace gale::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// The layering the runtime does: topology config under the properties.
Config Layered(std::initializer_list<std::pair<std::string, Value>> topology,
               std::initializer_list<std::pair<std::string, Value>> properties) {
  Config config("component 'k'");
  for (const auto& [k, v] : topology) config.Set(k, v);
  for (const auto& [k, v] : properties) config.Set(k, v);
  return config;
}

std::vector<std::pair<std::string, std::string>> Pairs(const LibrdkafkaSettings& settings) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const LibrdkafkaSetting& s : settings) out.emplace_back(s.name, s.value);
  return out;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(LibrdkafkaProperties, StripsThePrefixAndKeepsTheRoleSpecificOnesLast) {
  Config c = Layered({{"kafka.bootstrap.servers", std::string("h:1")},
                      {"kafka.consumer.session.timeout.ms", std::int64_t{6000}},
                      {"kafka.producer.linger.ms", std::int64_t{1}},
                      {"kafka.session.timeout.ms", std::int64_t{9000}},
                      {"topology.workers", std::int64_t{2}}},
                     {});
  EXPECT_THAT(Pairs(LibrdkafkaProperties(c, "KafkaSpout", "consumer")),
              ElementsAre(Pair("bootstrap.servers", "h:1"), Pair("session.timeout.ms", "9000"),
                          Pair("session.timeout.ms", "6000")));
  EXPECT_THAT(Pairs(LibrdkafkaProperties(c, "KafkaBolt", "producer")),
              ElementsAre(Pair("bootstrap.servers", "h:1"), Pair("session.timeout.ms", "9000"),
                          Pair("linger.ms", "1")));
  EXPECT_EQ(LibrdkafkaProperties(c, "KafkaSpout", "consumer").back().key,
            "kafka.consumer.session.timeout.ms");
}

TEST(LibrdkafkaProperties, RejectsListsAndEmptyNames) {
  Config c("component 'k'");
  c.SetList("kafka.bootstrap.servers", {Value{std::string("a")}, Value{std::string("b")}});
  EXPECT_THAT(ErrorOf([&] { LibrdkafkaProperties(c, "KafkaSpout", "consumer"); }),
              HasSubstr("comma-separated"));
  Config d("component 'k'");
  d.Set("kafka.consumer.", std::string("x"));
  EXPECT_THAT(ErrorOf([&] { LibrdkafkaProperties(d, "KafkaSpout", "consumer"); }),
              HasSubstr("names no librdkafka setting"));
}

TEST(KafkaSpoutOptions, BootstrapPropertyOverridesTheTopologyKey) {
  Config c = Layered({{"kafka.bootstrap.servers", std::string("topology:1")}},
                     {{"topic", std::string("t")}});
  EXPECT_EQ(KafkaSpoutOptions::FromConfig(c, "topo", "spout").bootstrap_servers, "topology:1");
  c.Set("bootstrap.servers", std::string("own:2"));
  EXPECT_EQ(KafkaSpoutOptions::FromConfig(c, "topo", "spout").bootstrap_servers, "own:2");
}

TEST(KafkaSpoutOptions, Defaults) {
  Config c =
      Layered({{"kafka.bootstrap.servers", std::string("h:1")}}, {{"topic", std::string("words")}});
  KafkaSpoutOptions o = KafkaSpoutOptions::FromConfig(c, "topo", "spout");
  EXPECT_THAT(o.topics, ElementsAre("words"));
  EXPECT_EQ(o.group_id, "gale-topo-spout");
  EXPECT_EQ(o.first_poll, FirstPollOffsetStrategy::kUncommittedEarliest);
  EXPECT_EQ(o.translator, Translator::kDefault);
  EXPECT_FALSE(o.bytes);
  EXPECT_EQ(o.max_retries, 10) << "finite: one poison record must not pin its partition";
  EXPECT_EQ(o.max_retries, kDefaultMaxRetries);
  EXPECT_EQ(o.dead_letter_topic, "");
  EXPECT_TRUE(o.dead_letter_librdkafka.empty());
  EXPECT_EQ(o.tombstones, SpoutTombstones::kEmit);
  EXPECT_FALSE(o.bounded);
  EXPECT_EQ(o.max_records, -1);
  EXPECT_EQ(o.commit_period_ms, 5000);
  EXPECT_EQ(o.poll_timeout_ms, 0);
}

TEST(KafkaSpoutOptions, ReadsEverySetting) {
  Config c("component 'k'");
  c.Set("bootstrap.servers", std::string("h:1"));
  c.Set("topic", std::string("a"));
  c.SetList("topics", {Value{std::string("b")}, Value{std::string("a")}});
  c.Set("group.id", std::string("g"));
  c.Set("first.poll.offset.strategy", std::string("latest"));
  c.Set("translator", std::string("value"));
  c.Set("deserializer", std::string("bytes"));
  c.Set("max.retries", std::int64_t{3});
  c.Set("bounded", true);
  c.Set("max.records", std::int64_t{100});
  c.Set("offset.commit.period.ms", std::int64_t{250});
  c.Set("poll.timeout.ms", std::int64_t{1});
  c.Set("dead.letter.topic", std::string("a-dead"));
  c.Set("tombstones", std::string("skip"));
  KafkaSpoutOptions o = KafkaSpoutOptions::FromConfig(c, "topo", "spout");
  EXPECT_EQ(o.dead_letter_topic, "a-dead");
  EXPECT_EQ(o.tombstones, SpoutTombstones::kSkip);
  EXPECT_THAT(o.topics, ElementsAre("a", "b"));
  EXPECT_EQ(o.group_id, "g");
  EXPECT_EQ(o.first_poll, FirstPollOffsetStrategy::kLatest);
  EXPECT_EQ(o.translator, Translator::kValue);
  EXPECT_TRUE(o.bytes);
  EXPECT_EQ(o.max_retries, 3);
  EXPECT_TRUE(o.bounded);
  EXPECT_EQ(o.max_records, 100);
  EXPECT_EQ(o.commit_period_ms, 250);
  EXPECT_EQ(o.poll_timeout_ms, 1);
}

TEST(KafkaSpoutOptions, MinusOneStillMeansNoLimit) {
  Config c = Layered({{"kafka.bootstrap.servers", std::string("h:1")}},
                     {{"topic", std::string("t")}, {"max.retries", std::int64_t{-1}}});
  EXPECT_EQ(KafkaSpoutOptions::FromConfig(c, "topo", "spout").max_retries, -1);
  c.Set("max.retries", std::int64_t{0});
  EXPECT_EQ(KafkaSpoutOptions::FromConfig(c, "topo", "spout").max_retries, 0);
}

TEST(KafkaSpoutOptions, DeadLetterProducerTakesTheProducerSettings) {
  Config c = Layered({{"kafka.bootstrap.servers", std::string("h:1")},
                      {"kafka.consumer.session.timeout.ms", std::int64_t{6000}},
                      {"kafka.producer.linger.ms", std::int64_t{1}}},
                     {{"topic", std::string("t")}, {"dead.letter.topic", std::string("t-dlt")}});
  KafkaSpoutOptions o = KafkaSpoutOptions::FromConfig(c, "topo", "spout");
  EXPECT_THAT(Pairs(o.dead_letter_librdkafka),
              ElementsAre(Pair("bootstrap.servers", "h:1"), Pair("linger.ms", "1")));
  EXPECT_THAT(Pairs(o.librdkafka), ElementsAre(Pair("bootstrap.servers", "h:1"),
                                               Pair("session.timeout.ms", "6000")));
}

TEST(KafkaSpoutOptions, GroupIdFromKafkaPassThrough) {
  Config c = Layered({{"kafka.bootstrap.servers", std::string("h:1")},
                      {"kafka.group.id", std::string("from-kafka")}},
                     {{"topic", std::string("t")}});
  EXPECT_EQ(KafkaSpoutOptions::FromConfig(c, "topo", "spout").group_id, "from-kafka");
}

TEST(KafkaSpoutOptions, ErrorsNameTheComponentAndTheProperty) {
  auto error = [](std::initializer_list<std::pair<std::string, Value>> props) {
    Config c = Layered({{"kafka.bootstrap.servers", std::string("h:1")}}, props);
    return ErrorOf([&] { KafkaSpoutOptions::FromConfig(c, "topo", "spout"); });
  };
  EXPECT_THAT(error({}), HasSubstr("no topic to read"));
  EXPECT_THAT(
      error({{"topic", std::string("t")}, {"first.poll.offset.strategy", std::string("NEWEST")}}),
      HasSubstr("'first.poll.offset.strategy' must be EARLIEST"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"translator", std::string("json")}}),
              HasSubstr("'translator' must be 'default'"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"deserializer", std::string("avro")}}),
              HasSubstr("'deserializer'"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"kafka.enable.auto.commit", true}}),
              HasSubstr("cannot be turned on"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"poll.timeout.ms", std::int64_t{1000}}}),
              HasSubstr("at most 100"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"max.records", std::int64_t{-5}}}),
              HasSubstr("'max.records' must be >= 0"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"max.retries", std::int64_t{-2}}}),
              HasSubstr("'max.retries' must be >= 0 (replays of a failed record), or -1"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"dead.letter.topic", std::string("t")}}),
              HasSubstr("'dead.letter.topic' names 't', a topic this spout reads"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"dead.letter.topic", std::string("")}}),
              HasSubstr("'dead.letter.topic' must not be empty"));
  EXPECT_THAT(error({{"topic", std::string("t")},
                     {"dead.letter.topic", std::string("d")},
                     {"max.retries", std::int64_t{-1}}}),
              HasSubstr("needs a finite max.retries"));
  EXPECT_THAT(error({{"topic", std::string("t")}, {"tombstones", std::string("drop")}}),
              HasSubstr("'tombstones' must be 'emit'"));
  std::string missing = ErrorOf([] {
    Config c("component 'k'");
    c.Set("topic", std::string("t"));
    KafkaSpoutOptions::FromConfig(c, "topo", "spout");
  });
  EXPECT_THAT(missing, HasSubstr("component 'k'"));
  EXPECT_THAT(missing, HasSubstr("kafka.bootstrap.servers"));
}

TEST(KafkaSpoutOptions, TranslatorFields) {
  EXPECT_EQ(TranslatorFields(Translator::kDefault),
            (Fields{"topic", "partition", "offset", "key", "value"}));
  EXPECT_EQ(TranslatorFields(Translator::kValue), Fields{"value"});
}

KafkaBoltOptions BoltOptions(std::initializer_list<std::pair<std::string, Value>> props) {
  return KafkaBoltOptions::FromConfig(
      Layered({{"kafka.bootstrap.servers", std::string("h:1")}}, props));
}

TEST(KafkaBoltOptions, NeedsExactlyOneTopicSetting) {
  EXPECT_THAT(ErrorOf([] { BoltOptions({}); }), HasSubstr("exactly one of"));
  EXPECT_THAT(ErrorOf([] {
                BoltOptions({{"topic", std::string("a")}, {"topic.field", std::string("t")}});
              }),
              HasSubstr("exactly one of"));
  EXPECT_THAT(ErrorOf([] {
                BoltOptions({{"topic", std::string("a")}, {"value.format", std::string("xml")}});
              }),
              HasSubstr("'value.format'"));
  EXPECT_EQ(BoltOptions({{"topic", std::string("a")}}).flush_timeout_ms, 10000);
}

TEST(KafkaBoltOptions, Tombstones) {
  EXPECT_EQ(BoltOptions({{"topic", std::string("a")}}).tombstones, BoltTombstones::kProduce);
  EXPECT_EQ(BoltOptions({{"topic", std::string("a")}, {"tombstones", std::string("skip")}})
                .tombstones,
            BoltTombstones::kSkip);
  EXPECT_THAT(ErrorOf([] {
                BoltOptions({{"topic", std::string("a")}, {"tombstones", std::string("fail")}});
              }),
              HasSubstr("'tombstones' must be 'produce'"));
}

TEST(MakeRecord, WordCountKeyAndDecimalCount) {
  KafkaBoltOptions o = BoltOptions({{"topic", std::string("word-counts")},
                                    {"key.field", std::string("word")},
                                    {"value.field", std::string("count")}});
  Tuple t = Tuple::ForTesting({std::string("storm"), std::int64_t{42}}, Fields{"word", "count"});
  std::string error;
  auto r = MakeRecord(o, t, &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->topic, "word-counts");
  EXPECT_EQ(r->key, "storm");
  EXPECT_EQ(r->value, "42");
}

TEST(MakeRecord, DefaultValueFieldAndNoKey) {
  KafkaBoltOptions o = BoltOptions({{"topic", std::string("out")}});
  std::string error;
  auto r = MakeRecord(
      o, Tuple::ForTesting({std::string("x"), std::string("hello")}, Fields{"other", "value"}),
      &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->key, std::nullopt);
  EXPECT_EQ(r->value, "hello");
  auto missing = MakeRecord(o, Tuple::ForTesting({std::string("x")}, Fields{"word"}), &error);
  EXPECT_FALSE(missing);
  EXPECT_THAT(error, HasSubstr("no field 'value'"));
  EXPECT_THAT(error, HasSubstr("value.format: json"));
}

TEST(MakeRecord, JsonWholeTupleAndTopicFromAField) {
  KafkaBoltOptions o =
      BoltOptions({{"topic.field", std::string("dest")}, {"value.format", std::string("json")}});
  std::string error;
  auto r = MakeRecord(
      o,
      Tuple::ForTesting({std::string("alerts"), std::int64_t{7}, Value{}, std::string("a \"q\"")},
                        Fields{"dest", "n", "none", "text"}),
      &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->topic, "alerts");
  EXPECT_EQ(r->value, R"({"dest":"alerts","n":7,"none":null,"text":"a \"q\""})");
  auto bad = MakeRecord(o, Tuple::ForTesting({Value{}}, Fields{"dest"}), &error);
  EXPECT_FALSE(bad);
  EXPECT_THAT(error, HasSubstr("topic.field"));
}

TEST(MakeRecord, NullValueIsATombstone) {
  KafkaBoltOptions o = BoltOptions({{"topic", std::string("t")}, {"key.field", std::string("k")}});
  std::string error;
  auto r =
      MakeRecord(o, Tuple::ForTesting({std::string("id1"), Value{}}, Fields{"k", "value"}), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->key, "id1");
  EXPECT_EQ(r->value, std::nullopt);
}

TEST(MakeRecord, NullValueIsATombstoneInJsonToo) {
  KafkaBoltOptions o = BoltOptions({{"topic", std::string("t")},
                                    {"key.field", std::string("k")},
                                    {"value.format", std::string("json")}});
  std::string error;
  auto r =
      MakeRecord(o, Tuple::ForTesting({std::string("id1"), Value{}}, Fields{"k", "value"}), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->value, std::nullopt) << "not the text 'null'";
  auto whole = MakeRecord(BoltOptions({{"topic", std::string("t")},
                                       {"value.format", std::string("json")}}),
                          Tuple::ForTesting({Value{}}, Fields{"other"}), &error);
  ASSERT_TRUE(whole) << error;
  EXPECT_EQ(whole->value, R"({"other":null})") << "a whole tuple is never a tombstone";
}

}  // namespace
}  // namespace gale::kafka
