#include "topology/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "gale/registry.h"
#include "topology/defaults.h"

namespace gale::topology {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// --- Components registered for these tests. -------------------------------

class ValidateSentenceSpout : public Spout {
 public:
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{"sentence"});
    declarer.DeclareStream("errors", Fields{"message", "code"});
  }
};

class ValidateSilentSpout : public Spout {
 public:
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer&) const override {}
};

class ValidateSplitBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{"word"});
  }
};

class ValidateSinkBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
};

class ValidateThrowingBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
  void DeclareOutputFields(OutputFieldsDeclarer&) const override {
    throw std::runtime_error("boom");
  }
};

// Names its output field after its `output.field` config (throws when unset).
class ValidateConfiguredBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{declarer.config().GetString("output.field")});
  }
};

// Declares the config keys it reads.
class ValidateDeclaringBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Int("min.length", 5, "shortest word passed on")
        .Range(1, 100)
        .Double("ratio", 0.5)
        .Range(0, 1)
        .Bool("verbose", false)
        .Declare("path", ConfigType::kString, "file to write");
  }
};

class ValidateModGrouping : public CustomGrouping {
 public:
  std::vector<int> ChooseTasks(int, const Values&) override { return {}; }
};

GALE_REGISTER_SPOUT(ValidateSentenceSpout);
GALE_REGISTER_SPOUT(ValidateSilentSpout);
GALE_REGISTER_BOLT(ValidateSplitBolt);
GALE_REGISTER_BOLT(ValidateSinkBolt);
GALE_REGISTER_BOLT(ValidateThrowingBolt);
GALE_REGISTER_BOLT(ValidateConfiguredBolt);
GALE_REGISTER_BOLT(ValidateDeclaringBolt);
GALE_REGISTER_GROUPING(ValidateModGrouping);

// --- Helpers. ---------------------------------------------------------------

Status Validate(const TopologySpec& spec) { return ValidateTopology(spec, Registry::Global()); }

// sentences -> split -> sink, valid.
TopologyBuilder WordCount() {
  TopologyBuilder b("wordcount");
  b.SetSpout("sentences", "ValidateSentenceSpout", 2);
  b.SetBolt("split", "ValidateSplitBolt", 3).ShuffleGrouping("sentences");
  b.SetBolt("sink", "ValidateSinkBolt").FieldsGrouping("split", Fields{"word"});
  return b;
}

SourceLocation At(int line, int column) { return {"wc.yaml", line, column}; }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

void ExpectError(const TopologySpec& spec, const std::string& substring) {
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << substring;
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(substring));
}

// --- Valid topologies. ------------------------------------------------------

TEST(ValidateTest, AcceptsAValidTopology) {
  Status s = Validate(WordCount().Build());
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(ValidateTest, AcceptsNamedStreamsCustomGroupingsAndConfig) {
  TopologyBuilder b("ip-fraud_v1.2");
  b.config().Set("topology.workers", std::int64_t{4});
  b.config().Set("topology.reliability.mode", std::string("ATMOST_ONCE"));
  b.config().Set("topology.max.spout.pending", std::int64_t{100});
  b.config().Set("topology.tick.tuple.freq.secs", 0.5);
  b.SetSpout("sentences", "ValidateSentenceSpout");
  b.SetBolt("split", "ValidateSplitBolt")
      .AddConfiguration("topology.tick.tuple.freq.secs", std::int64_t{1})
      .CustomGrouping("sentences", "default", "ValidateModGrouping", {std::int64_t{3}});
  b.SetBolt("alerts", "ValidateSinkBolt")
      .FieldsGrouping("sentences", "errors", Fields{"code", "message"})
      .ShuffleGrouping("sentences")
      .AllGrouping("split");
  Status s = Validate(b.Build());
  EXPECT_TRUE(s.ok()) << s.message();
}

// --- Names, ids, parallelism. ----------------------------------------------

TEST(ValidateTest, RejectsAnEmptyName) {
  TopologySpec spec = WordCount().Build();
  spec.name = "";
  ExpectError(spec, "the topology name is empty");
}

TEST(ValidateTest, RejectsNamesWithOtherCharacters) {
  TopologySpec spec = WordCount().Build();
  spec.name = "word count/1";
  spec.source_file = "wc.yaml";
  ExpectError(spec,
              "wc.yaml: topology name 'word count/1' may only contain letters, digits, "
              "'.', '_' and '-'");
}

TEST(ValidateTest, RejectsNamesThatWouldLeaveTheStateDirectory) {
  for (const std::string& name :
       std::vector<std::string>{"..", ".", ".hidden", std::string(129, 'a')}) {
    TopologySpec spec = WordCount().Build();
    spec.name = name;
    ExpectError(spec, "may not start with '.', and may be at most 128 characters long");
  }
  TopologySpec ok = WordCount().Build();
  ok.name = "word.count-2_b";
  EXPECT_TRUE(Validate(ok).ok());
}

TEST(ValidateTest, RequiresASpout) {
  TopologyBuilder b("nospouts");
  b.SetBolt("sink", "ValidateSinkBolt");
  ExpectError(b.Build(), "topology 'nospouts' has no spouts");
}

TEST(ValidateTest, RejectsDuplicateIdsAtTheSecondOne) {
  TopologySpec spec = WordCount().Build();
  spec.spouts[0].where = At(3, 5);
  ComponentSpec dup = spec.bolts[1];
  dup.id = "sentences";
  dup.where = At(20, 5);
  spec.bolts.push_back(dup);
  ExpectError(spec,
              "wc.yaml:20:5: duplicate component id 'sentences' (first declared at "
              "wc.yaml:3:5)");
}

TEST(ValidateTest, RejectsIdsWithOtherCharacters) {
  for (const std::string& id : std::vector<std::string>{"split words", "../split", ".split",
                                                         "split/1", std::string(129, 's')}) {
    TopologySpec spec = WordCount().Build();
    spec.bolts[1].id = id;
    ExpectError(spec, "' may only contain letters, digits, '.', '_' and '-', may not start with "
                      "'.', and may be at most 128 characters long; rename it");
  }
  TopologyBuilder ok("wordcount");
  ok.SetSpout("Sentences_1", "ValidateSentenceSpout");
  ok.SetBolt("split.words-2", "ValidateSplitBolt").ShuffleGrouping("Sentences_1");
  Status status = Validate(ok.Build());
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(ValidateTest, RejectsReservedAndEmptyIds) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[1].id = "__acker";
  ExpectError(spec, "component id '__acker' is reserved");
  spec.bolts[1].id = "";
  ExpectError(spec, "a bolt has an empty id");
}

TEST(ValidateTest, RejectsParallelismBelowOneAtItsLocation) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[0].where = At(12, 5);
  spec.bolts[0].parallelism_where = At(14, 18);
  spec.bolts[0].parallelism = 0;
  ExpectError(spec, "wc.yaml:14:18: bolt 'split': parallelism must be from 1 to 10000, got 0");
}

TEST(ValidateTest, NamesTheComponentWhenTheLocationIsUnknown) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[0].parallelism = -1;
  ExpectError(spec, "bolt 'split': bolt 'split': parallelism must be from 1 to 10000, got -1");
}

// --- Classes. ---------------------------------------------------------------

TEST(ValidateTest, UnknownClassListsKnownClassesAndHowToLoadThem) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[0].class_name = "SplitSentenceBolt";
  spec.bolts[0].class_name_where = At(13, 16);
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(),
              HasSubstr("wc.yaml:13:16: bolt 'split': bolt class "
                        "'SplitSentenceBolt' is not registered (known bolt classes: "));
  EXPECT_THAT(s.message(),
              HasSubstr("ValidateConfiguredBolt, ValidateDeclaringBolt, ValidateSinkBolt"));
  EXPECT_THAT(s.message(), HasSubstr("--lib path/to/plugin.so"));
  EXPECT_THAT(s.message(), HasSubstr("'libraries:'"));
}

TEST(ValidateTest, UnknownSpoutClassListsSpoutClasses) {
  TopologySpec spec = WordCount().Build();
  spec.spouts[0].class_name = "KafkaSpout";
  ExpectError(spec,
              "spout class 'KafkaSpout' is not registered (known spout classes: "
              "ValidateSentenceSpout, ValidateSilentSpout)");
}

TEST(ValidateTest, ClassOfTheWrongKindSaysWhereItBelongs) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[1].class_name = "ValidateSentenceSpout";
  ExpectError(spec,
              "bolt 'sink': class 'ValidateSentenceSpout' is a spout, not a bolt; "
              "declare it under 'spouts:'");
  spec = WordCount().Build();
  spec.spouts[0].class_name = "ValidateSinkBolt";
  ExpectError(spec, "class 'ValidateSinkBolt' is a bolt, not a spout");
}

TEST(ValidateTest, ReportsExceptionsFromDeclareOutputFields) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[1].class_name = "ValidateThrowingBolt";
  spec.bolts[1].where = At(17, 5);
  ExpectError(spec,
              "wc.yaml:17:5: bolt 'sink' (class 'ValidateThrowingBolt'): "
              "creating it or "
              "DeclareOutputFields threw: boom");
}

TEST(ValidateTest, DeclareOutputFieldsSeesTheLayeredConfig) {
  TopologyBuilder b("configured");
  b.config().Set("output.field", std::string("from-topology"));
  b.SetSpout("sentences", "ValidateSentenceSpout");
  b.SetBolt("named", "ValidateConfiguredBolt").ShuffleGrouping("sentences");
  b.SetBolt("sink", "ValidateSinkBolt").FieldsGrouping("named", Fields{"from-topology"});
  EXPECT_TRUE(Validate(b.Build()).ok());

  TopologySpec spec = b.Build();
  spec.bolts[0].properties.Set("output.field", std::string("from-properties"));
  ExpectError(spec,
              "FIELDS grouping on 'from-topology', but stream 'default' of 'named' has "
              "fields [from-properties]");

  spec.config.Erase("output.field");
  spec.bolts[0].properties.Erase("output.field");
  ExpectError(spec,
              "bolt 'named' (class 'ValidateConfiguredBolt'): creating it or "
              "DeclareOutputFields threw: component 'named': required config key "
              "'output.field' is missing");
}

// --- Streams. ---------------------------------------------------------------

TEST(ValidateTest, StreamFromAnUndeclaredComponent) {
  TopologySpec spec = WordCount().Build();
  spec.streams[0].from = "sentence";
  spec.streams[0].where = At(22, 5);
  spec.streams[0].from_where = At(22, 11);
  ExpectError(spec,
              "wc.yaml:22:11: stream 'sentence' -> 'split': 'from' names no declared "
              "component 'sentence' (did you mean 'sentences'?) (declared components: "
              "sentences, sink, split)");
}

TEST(ValidateTest, StreamToAnUndeclaredComponent) {
  TopologySpec spec = WordCount().Build();
  spec.streams[1].to = "count";
  ExpectError(spec, "stream 'split' -> 'count': 'to' names no declared component 'count'");
}

TEST(ValidateTest, StreamToASpout) {
  TopologyBuilder b = WordCount();
  TopologySpec spec = b.Build();
  StreamSpec s;
  s.from = "split";
  s.to = "sentences";
  spec.streams.push_back(s);
  ExpectError(spec,
              "stream 'split' -> 'sentences': 'sentences' is a spout; a "
              "stream must end "
              "at a bolt");
}

TEST(ValidateTest, StreamOnAnUndeclaredStreamListsTheDeclaredOnes) {
  TopologySpec spec = WordCount().Build();
  spec.streams[0].stream_id = "warnings";
  ExpectError(spec,
              "'sentences' does not declare stream 'warnings'; its streams are "
              "'default' [sentence], 'errors' [message, code]");
}

TEST(ValidateTest, StreamFromAComponentWithoutOutputs) {
  TopologyBuilder b("silent");
  b.SetSpout("quiet", "ValidateSilentSpout");
  b.SetBolt("sink", "ValidateSinkBolt").ShuffleGrouping("quiet");
  ExpectError(b.Build(),
              "'quiet' does not declare stream 'default'; it declares no output "
              "streams");
}

TEST(ValidateTest, FieldsGroupingOnAnUndeclaredField) {
  TopologySpec spec = WordCount().Build();
  spec.streams[1].grouping.fields = {"word", "count"};
  spec.streams[1].where = At(25, 5);
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "wc.yaml:25:5: stream 'split' -> 'sink': FIELDS grouping on 'count', "
            "but stream 'default' of 'split' has fields [word]");
}

TEST(ValidateTest, FieldsGroupingWithoutFields) {
  TopologySpec spec = WordCount().Build();
  spec.streams[1].grouping.fields.clear();
  ExpectError(spec, "a FIELDS grouping needs at least one field in 'args'");
}

TEST(ValidateTest, CustomGroupingMustBeRegistered) {
  TopologyBuilder b = WordCount();
  b.SetBolt("custom", "ValidateSinkBolt").CustomGrouping("split", "default", "NoSuchGrouping", {});
  ExpectError(b.Build(),
              "grouping class 'NoSuchGrouping' is not registered (known grouping "
              "classes: ValidateModGrouping); load the plugin");
  TopologySpec spec = b.Build();
  spec.streams.back().grouping.custom_class = "";
  ExpectError(spec, "a CUSTOM grouping needs 'customClass'");
}

TEST(ValidateTest, RejectsABoltSubscribedTwiceToOneStream) {
  TopologySpec spec = WordCount().Build();
  spec.streams[1].where = At(25, 5);
  StreamSpec again = spec.streams[1];
  again.grouping = GroupingSpec{};
  again.where = At(28, 5);
  spec.streams.push_back(again);
  ExpectError(spec,
              "wc.yaml:28:5: bolt 'sink' subscribes to stream 'default' "
              "of 'split' twice "
              "(first at wc.yaml:25:5)");
}

TEST(ValidateTest, SubscribingToTwoStreamsOfOneComponentIsFine) {
  TopologyBuilder b = WordCount();
  b.SetBolt("both", "ValidateSinkBolt")
      .ShuffleGrouping("sentences")
      .ShuffleGrouping("sentences", "errors");
  EXPECT_TRUE(Validate(b.Build()).ok());
}

TEST(ValidateTest, EmptyStreamIdIsAnError) {
  TopologySpec spec = WordCount().Build();
  spec.streams[0].stream_id = "";
  ExpectError(spec, "the streamId is empty");
}

// --- Configuration. ---------------------------------------------------------

struct ConfigCase {
  std::string key;
  Value value;
  std::string message;
};

TEST(ValidateTest, ChecksTopologyConfigValues) {
  const std::vector<ConfigCase> cases = {
      {"topology.workers", std::int64_t{0},
       "'topology.workers' must be an integer from 1 to 4096 (containers), got 0"},
      {"topology.workers", std::string("two"),
       "'topology.workers' must be an integer from 1 to 4096 (containers), got 'two'"},
      {"topology.workers", std::int64_t{5000},
       "'topology.workers' must be an integer from 1 to 4096 (containers), got 5000"},
      {"topology.message.timeout.secs", std::int64_t{0},
       "'topology.message.timeout.secs' must be an integer from 1 to 604800 (seconds), got 0"},
      // Would overflow 64-bit nanoseconds.
      {"topology.message.timeout.secs", std::int64_t{99'999'999'999'999},
       "'topology.message.timeout.secs' must be an integer from 1 to 604800 (seconds), "
       "got 99999999999999"},
      {"topology.max.spout.pending", std::int64_t{0},
       "'topology.max.spout.pending' must be an integer from 1 to 10000000"},
      {"topology.max.spout.pending", std::int64_t{10'000'001},
       "'topology.max.spout.pending' must be an integer from 1 to 10000000 (tuple trees in "
       "flight per spout task; leave it out for no limit), got 10000001"},
      {"topology.tick.tuple.freq.secs", std::int64_t{0},
       "'topology.tick.tuple.freq.secs' must be a number above 0 and up to 604800"},
      {"topology.tick.tuple.freq.secs", -1.5,
       "'topology.tick.tuple.freq.secs' must be a number above 0 and up to 604800 (seconds; "
       "leave it out for no tick tuples), got -1.5"},
      {"topology.tick.tuple.freq.secs", 1e12,
       "'topology.tick.tuple.freq.secs' must be a number above 0 and up to 604800 (seconds; "
       "leave it out for no tick tuples), got 1000000000000"},
      {"topology.restart.max.failures", std::int64_t{-1},
       "'topology.restart.max.failures' must be an integer from 0 to 1000000 (exits; 0: "
       "restart forever), got -1"},
      {"topology.restart.window.secs", std::int64_t{604801},
       "'topology.restart.window.secs' must be an integer from 1 to 604800 (seconds), got "
       "604801"},
      {"topology.log.max.bytes", std::int64_t{1000},
       "'topology.log.max.bytes' must be an integer from 65536 to 1099511627776 (bytes per log "
       "file), got 1000"},
      {"topology.log.max.bytes", std::int64_t{1} << 41,
       "'topology.log.max.bytes' must be an integer from 65536 to 1099511627776"},
      {"topology.log.max.files", std::int64_t{0},
       "'topology.log.max.files' must be an integer from 1 to 1000 (rotated files kept per "
       "process), got 0"},
      {"topology.log.max.files", std::int64_t{1001},
       "'topology.log.max.files' must be an integer from 1 to 1000"},
      {"topology.backpressure.high.watermark.tuples", std::int64_t{2'000'000'000},
       "'topology.backpressure.high.watermark.tuples' must be an integer from 1 to 1000000000 "
       "(tuples), got 2000000000"},
      {"topology.acking", std::string("sometimes"), "'topology.acking' must be true or false"},
      {"topology.debug", std::int64_t{1}, "'topology.debug' must be true or false, got 1"},
      {"security.curve", std::string("maybe"),
       "'security.curve' must be true or false, got 'maybe'"},
      {"container.cpu.pinning", std::int64_t{2},
       "'container.cpu.pinning' must be true or false, got 2"},
      {"http.port", std::int64_t{65536},
       "'http.port' must be an integer from 0 to 65535 (TCP port of the topology master's "
       "HTTP; 0: any free port), got 65536"},
      {"http.port", std::int64_t{-1}, "'http.port' must be an integer from 0 to 65535"},
      {"http.bind.address", std::string("localhost; rm"),
       "'http.bind.address' must be an IP address such as 127.0.0.1"},
      {"http.bind.address", std::int64_t{7}, "'http.bind.address' must be an IP address"},
      {"topology.reliability.mode", std::string("EFFECTIVELY_ONCE"),
       "'topology.reliability.mode': EFFECTIVELY_ONCE is not supported by "
       "gale; use "
       "ATLEAST_ONCE"},
      {"topology.reliability.mode", std::string("EXACTLY_ONCE"),
       "'topology.reliability.mode' must be ATLEAST_ONCE or ATMOST_ONCE, got "
       "'EXACTLY_ONCE'"},
      {"topology.backpressure.high.watermark.bytes", std::int64_t{-5},
       "'topology.backpressure.high.watermark.bytes' must be an integer from 1 to "
       "1099511627776 (bytes), got -5"},
  };
  for (const ConfigCase& c : cases) {
    SCOPED_TRACE(c.key);
    TopologySpec spec = WordCount().Build();
    spec.source_file = "wc.yaml";
    spec.config.Set(c.key, c.value);
    Status s = Validate(spec);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("wc.yaml: topology config: " + c.message));
    EXPECT_EQ(Lines(s.message()).size(), 1u) << s.message();
  }
}

TEST(ValidateTest, ChecksComponentConfigAndProperties) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[0].where = At(12, 5);
  spec.bolts[0].config.Set("topology.tick.tuple.freq.secs", std::int64_t{0});
  ExpectError(spec,
              "wc.yaml:12:5: bolt 'split' config: "
              "'topology.tick.tuple.freq.secs' must be "
              "a number above 0 and up to 604800");
  spec = WordCount().Build();
  spec.spouts[0].properties.Set("topology.max.spout.pending", std::int64_t{-1});
  ExpectError(spec,
              "spout 'sentences': spout 'sentences' properties: "
              "'topology.max.spout.pending' must be an integer from 1 to 10000000");
}

TEST(ValidateTest, LowWatermarkMustBeBelowHighWatermark) {
  TopologySpec spec = WordCount().Build();
  spec.config.Set(std::string(kBackpressureHighWatermarkBytesKey), std::int64_t{8 << 20});
  ExpectError(spec,
              "'topology.backpressure.low.watermark.bytes' (16777216) must be below "
              "'topology.backpressure.high.watermark.bytes' (8388608)");
  spec.config.Set(std::string(kBackpressureLowWatermarkBytesKey), std::int64_t{4 << 20});
  EXPECT_TRUE(Validate(spec).ok());
}

TEST(ValidateTest, UnknownConfigKeysAreLeftToComponents) {
  EXPECT_TRUE(CheckConfigEntry("kafka.topic", Value{std::int64_t{0}}).ok());
  EXPECT_TRUE(CheckConfigEntry("topology.workers", Value{std::string("3")}).ok());
  EXPECT_TRUE(
      CheckConfigEntry("topology.reliability.mode", Value{std::string("atmost_once")}).ok());
  EXPECT_FALSE(CheckConfigEntry("topology.workers", std::vector<Value>{std::int64_t{1}}).ok());
}

TEST(ValidateTest, ReportsEveryProblemOnItsOwnLine) {
  TopologySpec spec = WordCount().Build();
  spec.name = "bad name";
  spec.bolts[0].parallelism = 0;
  spec.spouts[0].class_name = "Missing";
  spec.streams[1].grouping.fields = {"nope"};
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  std::vector<std::string> lines = Lines(s.message());
  ASSERT_EQ(lines.size(), 4u) << s.message();
  EXPECT_THAT(lines[0], HasSubstr("topology name 'bad name'"));
  EXPECT_THAT(lines[1], HasSubstr("spout class 'Missing' is not registered"));
  EXPECT_THAT(lines[2], HasSubstr("parallelism must be from 1 to 10000"));
  EXPECT_THAT(lines[3], HasSubstr("FIELDS grouping on 'nope'"));
  // A stream from a component whose class is unknown is not checked further.
  EXPECT_THAT(s.message(), Not(HasSubstr("does not declare stream")));
}

// --- Defaults, layering, acking. --------------------------------------------

TEST(ValidateDefaultsTest, DefaultTopologyConfig) {
  Config c = DefaultTopologyConfig();
  EXPECT_EQ(c.GetInt("topology.workers"), 1);
  EXPECT_TRUE(c.GetBool("topology.acking"));
  EXPECT_EQ(c.GetInt("topology.message.timeout.secs"), 30);
  EXPECT_FALSE(c.GetBool("topology.debug"));
  EXPECT_EQ(c.GetInt("topology.backpressure.high.watermark.bytes"), 32 * 1024 * 1024);
  EXPECT_EQ(c.GetInt("topology.backpressure.low.watermark.bytes"), 16 * 1024 * 1024);
  EXPECT_FALSE(c.Has("topology.max.spout.pending"));
  EXPECT_FALSE(c.Has("topology.reliability.mode"));
}

TEST(ValidateDefaultsTest, LayeredConfigPrecedence) {
  TopologySpec spec = WordCount().Build();
  spec.config.Set("topology.workers", std::int64_t{4});
  spec.config.Set("level", std::string("topology"));
  spec.config.Set("topology.only", true);
  ComponentSpec& split = spec.bolts[0];
  split.config.Set("level", std::string("component"));
  split.config.Set("component.only", std::int64_t{7});
  split.config.Set("topology.message.timeout.secs", std::int64_t{60});
  split.properties.Set("level", std::string("property"));
  split.constructor_args = {std::int64_t{1}, std::string("two")};

  Config c = LayeredConfig(spec, split);
  EXPECT_EQ(c.owner(), "component 'split'");
  EXPECT_EQ(c.GetString("level"), "property");
  EXPECT_EQ(c.GetInt("topology.workers"), 4);
  EXPECT_EQ(c.GetInt("topology.message.timeout.secs"), 60);
  EXPECT_TRUE(c.GetBool("topology.only"));
  EXPECT_EQ(c.GetInt("component.only"), 7);
  EXPECT_FALSE(c.GetBool("topology.debug"));  // a default
  EXPECT_EQ(c.GetList("constructorArgs"),
            (std::vector<Value>{std::int64_t{1}, std::string("two")}));

  split.properties.Erase("level");
  EXPECT_EQ(LayeredConfig(spec, split).GetString("level"), "component");
  split.config.Erase("level");
  EXPECT_EQ(LayeredConfig(spec, split).GetString("level"), "topology");

  Config sink = LayeredConfig(spec, spec.bolts[1]);
  EXPECT_FALSE(sink.Has("constructorArgs"));
  EXPECT_FALSE(sink.Has("component.only"));
  EXPECT_EQ(sink.GetInt("topology.message.timeout.secs"), 30);
}

TEST(ValidateDefaultsTest, LayeredConfigErrorsNameTheComponent) {
  TopologySpec spec = WordCount().Build();
  Config c = LayeredConfig(spec, spec.bolts[0]);
  try {
    c.GetInt("missing.key");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'split'"));
    EXPECT_THAT(e.what(), HasSubstr("'missing.key'"));
  }
}

TEST(ValidateDefaultsTest, AckingEnabled) {
  Config c;
  EXPECT_TRUE(AckingEnabled(c));
  EXPECT_TRUE(AckingEnabled(DefaultTopologyConfig()));
  c.Set("topology.acking", false);
  EXPECT_FALSE(AckingEnabled(c));
  c.Set("topology.reliability.mode", std::string("ATLEAST_ONCE"));
  EXPECT_TRUE(AckingEnabled(c));  // the mode wins over topology.acking
  c.Set("topology.acking", true);
  c.Set("topology.reliability.mode", std::string("ATMOST_ONCE"));
  EXPECT_FALSE(AckingEnabled(c));
  c.Set("topology.reliability.mode", std::string("atmost_once"));
  EXPECT_FALSE(AckingEnabled(c));
  c.Erase("topology.reliability.mode");
  c.Set("topology.acking", std::string("false"));
  EXPECT_FALSE(AckingEnabled(c));
  c.Set("topology.acking", std::string("not a bool"));
  EXPECT_TRUE(AckingEnabled(c));  // rejected by validation; never throws
}

TEST(ValidateDefaultsTest, CurveIsOnUnlessTurnedOff) {
  Config c;
  EXPECT_TRUE(CurveEnabled(c));
  EXPECT_TRUE(CurveEnabled(DefaultTopologyConfig()));
  EXPECT_TRUE(DefaultTopologyConfig().GetBool("security.curve"));
  c.Set("security.curve", false);
  EXPECT_FALSE(CurveEnabled(c));
  c.Set("security.curve", std::string("false"));
  EXPECT_FALSE(CurveEnabled(c));
  c.Set("security.curve", std::string("not a bool"));
  EXPECT_TRUE(CurveEnabled(c));  // rejected by validation; never plain text by mistake
  EXPECT_FALSE(CheckConfigKey("security.curv").ok());  // a misspelling is caught
}

TEST(ValidateDefaultsTest, CpuPinningIsOffUnlessTurnedOn) {
  Config c;
  EXPECT_FALSE(CpuPinningEnabled(c));
  EXPECT_FALSE(CpuPinningEnabled(DefaultTopologyConfig()));
  c.Set("container.cpu.pinning", true);
  EXPECT_TRUE(CpuPinningEnabled(c));
  c.Set("container.cpu.pinning", std::string("true"));
  EXPECT_TRUE(CpuPinningEnabled(c));
  c.Set("container.cpu.pinning", std::string("not a bool"));
  EXPECT_FALSE(CpuPinningEnabled(c));  // rejected by validation; never throws
  EXPECT_TRUE(CheckConfigKey("container.cpu.pinning").ok());
  EXPECT_FALSE(CheckConfigKey("container.cpu.pining").ok());  // a misspelling is caught
}

TEST(ValidateDefaultsTest, AckingFollowsTheLayers) {
  TopologySpec spec = WordCount().Build();
  spec.config.Set("topology.reliability.mode", std::string("ATMOST_ONCE"));
  EXPECT_FALSE(AckingEnabled(LayeredConfig(spec, spec.spouts[0])));
  spec.spouts[0].config.Set("topology.reliability.mode", std::string("ATLEAST_ONCE"));
  EXPECT_TRUE(AckingEnabled(LayeredConfig(spec, spec.spouts[0])));
}

}  // namespace
}  // namespace gale::topology

namespace gale::topology {
namespace {

// --- Declared config keys and suggestions. --------------------------------

// sentences -> split -> sink with sink a ValidateDeclaringBolt.
TopologySpec WithDeclaringSink() {
  TopologySpec spec = WordCount().Build();
  spec.source_file = "wc.yaml";
  spec.bolts[1].class_name = "ValidateDeclaringBolt";
  spec.bolts[1].where = At(17, 5);
  return spec;
}

TEST(ValidateTest, DeclaredIntKeyWithATextValueIsAnErrorAtTheValue) {
  TopologySpec spec = WithDeclaringSink();
  spec.bolts[1].properties.Set("min.length", std::string("six"));
  spec.bolts[1].value_where["min.length"] = At(21, 16);
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "wc.yaml:21:16: bolt 'sink': 'min.length' must be an integer, got 'six' "
            "(class "
            "'ValidateDeclaringBolt' reads it: shortest word passed on; default 5)");
}

TEST(ValidateTest, DeclaredKeyOutsideItsRangeIsAnErrorAtTheValue) {
  TopologySpec spec = WithDeclaringSink();
  spec.bolts[1].properties.Set("min.length", std::int64_t{101});
  spec.bolts[1].value_where["min.length"] = At(21, 16);
  spec.bolts[1].properties.Set("ratio", -0.25);
  spec.bolts[1].value_where["ratio"] = At(22, 11);
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "wc.yaml:21:16: bolt 'sink': 'min.length' must be an integer from 1 to 100 "
            "(shortest word passed on), got 101 (class 'ValidateDeclaringBolt')\n"
            "wc.yaml:22:11: bolt 'sink': 'ratio' must be a number from 0 to 1, got -0.25 "
            "(class 'ValidateDeclaringBolt')");
  // Both ends are allowed.
  spec.bolts[1].properties.Set("min.length", std::int64_t{100});
  spec.bolts[1].properties.Set("ratio", 0.0);
  EXPECT_TRUE(Validate(spec).ok()) << Validate(spec).message();
}

TEST(ValidateTest, ParallelismAndTaskCountHaveUpperBounds) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[0].parallelism = static_cast<int>(kMaxParallelism) + 1;
  ExpectError(spec, "bolt 'split': parallelism must be from 1 to 10000, got 10001");
  spec = WordCount().Build();
  spec.bolts[0].parallelism = static_cast<int>(kMaxParallelism);
  EXPECT_TRUE(Validate(spec).ok()) << Validate(spec).message();
  for (int i = 0; i < 10; ++i) {
    ComponentSpec extra = spec.bolts[0];
    extra.id = "extra" + std::to_string(i);
    spec.bolts.push_back(extra);
  }
  ExpectError(spec, "has 110003 tasks, more than the 100000 gale runs in one topology");
}

TEST(ValidateTest, EveryNumericTopologySettingHasBothBounds) {
  for (const NumericSetting& n : NumericSettings()) {
    SCOPED_TRACE(std::string(n.key));
    EXPECT_LT(n.min, n.max);
    for (double bad : {n.min - 1, n.max + 1}) {
      ConfigValue v = n.integer ? ConfigValue(Value{static_cast<std::int64_t>(bad)})
                                : ConfigValue(Value{bad});
      EXPECT_FALSE(CheckConfigEntry(n.key, v).ok()) << bad;
    }
    ConfigValue top = n.integer ? ConfigValue(Value{static_cast<std::int64_t>(n.max)})
                                : ConfigValue(Value{n.max});
    EXPECT_TRUE(CheckConfigEntry(n.key, top).ok());
    ConfigValue bottom = n.integer ? ConfigValue(Value{static_cast<std::int64_t>(n.min)})
                                   : ConfigValue(Value{n.min});
    EXPECT_EQ(CheckConfigEntry(n.key, bottom).ok(), !n.min_exclusive);
  }
}

TEST(ValidateTest, DeclaredKeysAcceptWhatTheGettersAccept) {
  TopologySpec spec = WithDeclaringSink();
  spec.bolts[1].properties.Set("min.length", std::string("6"));
  spec.bolts[1].properties.Set("ratio", std::int64_t{1});
  spec.bolts[1].properties.Set("verbose", std::string("true"));
  spec.bolts[1].properties.Set("path", std::int64_t{7});
  spec.bolts[1].properties.Set("something.else", std::string("anything"));
  Status s = Validate(spec);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(ValidateTest, DeclaredKeyFromTheTopologyConfigPointsThere) {
  TopologySpec spec = WithDeclaringSink();
  spec.config.Set("verbose", std::string("yes"));
  spec.config_where["verbose"] = At(4, 12);
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "wc.yaml:4:12: bolt 'sink': 'verbose' must be true or "
            "false, got 'yes' (class "
            "'ValidateDeclaringBolt' reads it: default false)");
}

TEST(ValidateTest, DeclaredKeyWithoutALocationNamesTheComponent) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[1].class_name = "ValidateDeclaringBolt";
  spec.bolts[1].properties.SetList("path", {Value{std::string("a")}});
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "bolt 'sink': bolt 'sink': 'path' must be a single "
            "value, got a list (class "
            "'ValidateDeclaringBolt' reads it: file to write)");
}

TEST(ValidateTest, PropertyNearADeclaredKeyIsATypo) {
  TopologySpec spec = WithDeclaringSink();
  spec.bolts[1].properties.Set("min.lenght", std::int64_t{6});
  spec.bolts[1].value_where["min.lenght"] = At(21, 16);
  Status s = Validate(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "wc.yaml:21:16: bolt 'sink': property 'min.lenght' is not read by class "
            "'ValidateDeclaringBolt' (did you mean 'min.length'?); it reads: min.length, "
            "ratio, verbose, path");
}

TEST(ValidateTest, UnknownClassSuggestsTheClosestRegisteredOne) {
  TopologySpec spec = WordCount().Build();
  spec.bolts[0].class_name = "ValidateSplitBlt";
  ExpectError(spec,
              "bolt class 'ValidateSplitBlt' is not registered (did you mean "
              "'ValidateSplitBolt'?) (known bolt classes: ");
  spec.bolts[0].class_name = "ValidateSplit";
  ExpectError(spec,
              "bolt class 'ValidateSplit' is not registered (did you mean "
              "'ValidateSplitBolt'?)");
  spec.bolts[0].class_name = "Unrelated";
  Status s = Validate(spec);
  EXPECT_THAT(s.message(), Not(HasSubstr("did you mean")));
}

TEST(ValidateTest, FieldsGroupingOnAnUndeclaredFieldPointsAtTheField) {
  TopologySpec spec = WordCount().Build();
  spec.streams[1].grouping.fields = {"word", "words"};
  spec.streams[1].where = At(25, 5);
  spec.streams[1].fields_where = {At(27, 38), At(27, 44)};
  ExpectError(spec, "wc.yaml:27:44: stream 'split' -> 'sink': FIELDS grouping on 'words'");
}

TEST(ValidateTest, UndeclaredStreamIdPointsAtTheStreamId) {
  TopologySpec spec = WordCount().Build();
  spec.streams[0].stream_id = "nope";
  spec.streams[0].where = At(22, 5);
  spec.streams[0].stream_id_where = At(24, 43);
  ExpectError(spec,
              "wc.yaml:24:43: stream 'sentences' -> 'split': 'sentences' "
              "does not declare "
              "stream 'nope'");
}

}  // namespace
}  // namespace gale::topology
