// The Kafka components and the example plugin's components without a broker:
// configuration errors, declared fields, and the example bolts and spouts
// against the fake collectors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bolts/kafka/kafka_bolt.h"
#include "spouts/kafka/kafka_spout.h"
#include "support/fake_collectors.h"
#include "topologies/ip_fraud/fraud_detector_bolt.h"
#include "topologies/ip_fraud/producer_spouts.h"
#include "topologies/ip_fraud/web_log.h"

namespace gale {
namespace {

using test_support::FakeOutputCollector;
using test_support::FakeSpoutCollector;
using test_support::MakeContext;
using test_support::MakeTickTuple;
using ::testing::HasSubstr;

TEST(KafkaComponents, RegisteredByName) {
  EXPECT_TRUE(Registry::Global().HasSpout("KafkaSpout"));
  EXPECT_TRUE(Registry::Global().HasBolt("KafkaBolt"));
  EXPECT_TRUE(Registry::Global().HasBolt("FraudDetectorBolt"));
  EXPECT_TRUE(Registry::Global().HasSpout("RandomWordSpout"));
  EXPECT_TRUE(Registry::Global().HasSpout("WebLogSpout"));
}

TEST(KafkaComponents, SpoutFieldsFollowTheTranslator) {
  kafka::KafkaSpout spout;
  Config config("component 'k'");
  OutputFieldsDeclarer by_default(&config);
  spout.DeclareOutputFields(by_default);
  EXPECT_EQ(by_default.streams().at("default"),
            (Fields{"topic", "partition", "offset", "key", "value"}));
  config.Set("translator", std::string("value"));
  OutputFieldsDeclarer value_only(&config);
  spout.DeclareOutputFields(value_only);
  EXPECT_EQ(value_only.streams().at("default"), Fields{"value"});
}

TEST(KafkaComponents, OpenWithoutBrokersFailsWithAClearMessage) {
  kafka::KafkaSpout spout;
  FakeSpoutCollector collector;
  Config config("component 'k'");
  config.Set("topic", std::string("t"));
  try {
    spout.Open(config, MakeContext("k"), collector);
    FAIL() << "Open should throw";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("kafka.bootstrap.servers"));
  }
  EXPECT_FALSE(spout.Exhausted());
}

TEST(KafkaComponents, UnknownLibrdkafkaSettingIsAConfigError) {
  kafka::KafkaBolt bolt;
  FakeOutputCollector collector;
  Config config("component 'out'");
  config.Set("kafka.bootstrap.servers", std::string("127.0.0.1:1"));
  config.Set("topic", std::string("t"));
  config.Set("kafka.no.such.setting", std::string("1"));
  try {
    bolt.Prepare(config, MakeContext("out"), collector);
    FAIL() << "Prepare should throw";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("property 'kafka.no.such.setting'"));
    EXPECT_THAT(e.what(), HasSubstr("component 'out'"));
  }
}

TEST(KafkaComponents, DeadLetterProducerSettingErrorsNameTheProperty) {
  kafka::KafkaSpout spout;
  FakeSpoutCollector collector;
  Config config("component 'in'");
  config.Set("kafka.bootstrap.servers", std::string("127.0.0.1:1"));
  config.Set("topic", std::string("t"));
  config.Set("dead.letter.topic", std::string("t-dead"));
  config.Set("kafka.producer.no.such.setting", std::string("1"));
  try {
    spout.Open(config, MakeContext("in"), collector);
    FAIL() << "Open should throw";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("dead-letter producer"));
    EXPECT_THAT(e.what(), HasSubstr("property 'kafka.producer.no.such.setting'"));
  }
}

// A tuple with a null value and `tombstones: skip`: nothing is produced (so
// no broker is needed), the tuple is acked and counted as dropped.
TEST(KafkaComponents, BoltSkipsTombstonesWhenAsked) {
  kafka::KafkaBolt bolt;
  FakeOutputCollector collector;
  Config config("component 'out'");
  config.Set("kafka.bootstrap.servers", std::string("127.0.0.1:1"));
  config.Set("topic", std::string("t"));
  config.Set("key.field", std::string("k"));
  config.Set("tombstones", std::string("skip"));
  bolt.Prepare(config, MakeContext("out"), collector);
  Tuple tombstone = Tuple::ForTesting({std::string("id1"), Value{}}, Fields{"k", "value"});
  bolt.Execute(tombstone);
  EXPECT_TRUE(collector.WasAcked(tombstone));
  EXPECT_EQ(collector.Settlements(tombstone), 1);
  EXPECT_EQ(collector.dropped, 1u);
  EXPECT_EQ(bolt.pending(), 0u) << "nothing was handed to the producer";
  EXPECT_TRUE(collector.errors.empty());
  bolt.Cleanup();
}

TEST(WebLog, ParsesAndFormats) {
  auto r = examples::ParseWebLogLine("203.0.113.7,2024-05-01 12:00:03,/cart,HTTP/1.1,200");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ip, "203.0.113.7");
  EXPECT_EQ(r->octets[0], 203);
  EXPECT_EQ(r->octets[3], 7);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(examples::FormatWebLogLine(*r), "203.0.113.7,2024-05-01 12:00:03,/cart,HTTP/1.1,200");
  EXPECT_FALSE(examples::ParseWebLogLine(""));
  EXPECT_FALSE(examples::ParseWebLogLine("1.2.3.4,d,/,HTTP/1.1"));
  EXPECT_FALSE(examples::ParseWebLogLine("1.2.3,d,/,HTTP/1.1,200"));
  EXPECT_FALSE(examples::ParseWebLogLine("1.2.3.4.5,d,/,HTTP/1.1,200"));
  EXPECT_FALSE(examples::ParseWebLogLine("256.2.3.4,d,/,HTTP/1.1,200"));
  EXPECT_FALSE(examples::ParseWebLogLine("1.2.3.4,d,/,HTTP/1.1,OK"));
  EXPECT_FALSE(examples::ParseWebLogLine("1..3.4,d,/,HTTP/1.1,200"));
}

class FraudDetectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config("component 'detect'");
    config.SetList("fraud.prefixes", {Value{std::int64_t{10}}, Value{std::int64_t{172}}});
    bolt_.Prepare(config, MakeContext("detect"), collector_);
  }
  Tuple Line(const std::string& text) { return Tuple::ForTesting({text}, Fields{"value"}); }

  examples::FraudDetectorBolt bolt_;
  FakeOutputCollector collector_;
};

TEST_F(FraudDetectorTest, EmitsOnlyListedFirstOctets) {
  Tuple fraud = Line("10.1.2.3,2024-05-01 00:00:00,/,HTTP/1.1,200");
  Tuple fine = Line("11.1.2.3,2024-05-01 00:00:00,/,HTTP/1.1,200");
  Tuple other = Line("172.16.0.1,2024-05-01 00:00:01,/login,HTTP/1.1,302");
  bolt_.Execute(fraud);
  bolt_.Execute(fine);
  bolt_.Execute(other);
  ASSERT_EQ(collector_.emits.size(), 2u);
  EXPECT_EQ(collector_.emits[0].values,
            (Values{std::string("10.1.2.3"),
                    std::string("10.1.2.3,2024-05-01 00:00:00,/,HTTP/1.1,200")}));
  EXPECT_EQ(collector_.emits[0].anchors, std::vector<const Tuple*>{&fraud});
  EXPECT_EQ(std::get<std::string>(collector_.emits[1].values[0]), "172.16.0.1");
  EXPECT_TRUE(collector_.WasAcked(fraud));
  EXPECT_TRUE(collector_.WasAcked(fine));
  EXPECT_TRUE(collector_.WasAcked(other));
  EXPECT_EQ(bolt_.frauds(), 2u);
}

TEST_F(FraudDetectorTest, MalformedLinesAreAckedAndReported) {
  Tuple bad = Line("garbage");
  bolt_.Execute(bad);
  Tuple tick = MakeTickTuple();
  bolt_.Execute(tick);
  EXPECT_TRUE(collector_.emits.empty());
  EXPECT_TRUE(collector_.WasAcked(bad));
  EXPECT_TRUE(collector_.WasAcked(tick));
  ASSERT_EQ(collector_.errors.size(), 1u);
  EXPECT_THAT(collector_.errors[0], HasSubstr("garbage"));
  EXPECT_EQ(bolt_.malformed(), 1u);
}

TEST(FraudDetector, PrefixesAreRequiredAndChecked) {
  examples::FraudDetectorBolt bolt;
  FakeOutputCollector collector;
  Config config("component 'detect'");
  EXPECT_THROW(bolt.Prepare(config, MakeContext("detect"), collector), ConfigError);
  config.SetList("fraud.prefixes", {Value{std::int64_t{300}}});
  EXPECT_THROW(bolt.Prepare(config, MakeContext("detect"), collector), ConfigError);
}

TEST(ProducerSpouts, BoundedRunReplaysFailuresWithTheSameValues) {
  examples::WebLogSpout spout;
  FakeSpoutCollector collector;
  Config config("component 'logs'");
  config.Set("interval.ms", std::int64_t{0});
  config.Set("count", std::int64_t{3});
  spout.Open(config, MakeContext("logs"), collector);
  for (int i = 0; i < 10; ++i) spout.NextTuple();
  ASSERT_EQ(collector.emits.size(), 3u);
  for (const auto& e : collector.emits) {
    EXPECT_TRUE(examples::ParseWebLogLine(std::get<std::string>(e.values[0])))
        << std::get<std::string>(e.values[0]);
  }
  EXPECT_FALSE(spout.Exhausted());
  spout.Fail(*collector.emits[1].id);
  spout.Ack(*collector.emits[0].id);
  spout.Ack(*collector.emits[2].id);
  spout.NextTuple();
  ASSERT_EQ(collector.emits.size(), 4u);
  EXPECT_EQ(collector.emits[3].values, collector.emits[1].values);
  EXPECT_EQ(collector.emits[3].id, collector.emits[1].id);
  EXPECT_FALSE(spout.Exhausted());
  spout.Ack(*collector.emits[3].id);
  EXPECT_TRUE(spout.Exhausted());
}

TEST(ProducerSpouts, RandomWordsComeFromTheVocabulary) {
  examples::RandomWordSpout spout;
  FakeSpoutCollector collector;
  Config config("component 'words'");
  config.Set("interval.ms", std::int64_t{0});
  config.SetList("words", {Value{std::string("x")}, Value{std::string("y")}});
  spout.Open(config, MakeContext("words"), collector);
  for (int i = 0; i < 50; ++i) spout.NextTuple();
  ASSERT_EQ(collector.emits.size(), 50u);
  std::set<std::string> seen;
  for (const auto& e : collector.emits) seen.insert(std::get<std::string>(e.values[0]));
  EXPECT_EQ(seen, (std::set<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace gale
