#include "flux/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace gale::flux {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kData = GALE_FLUX_TEST_DATA;

// The first "FILE:LINE:COLUMN: message" line of an error.
struct Position {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
};

Position FirstError(const Status& status) {
  std::string first = status.message().substr(0, status.message().find('\n'));
  static const std::regex kForm(R"(^(.*?):(\d+):(\d+): (.*)$)");
  std::smatch m;
  if (!std::regex_match(first, m, kForm)) return {"", 0, 0, first};
  return {m[1], std::stoi(m[2]), std::stoi(m[3]), m[4]};
}

TopologySpec MustLoad(const std::string& yaml, const LoadOptions& options = {},
                      const std::string& file = "test.yaml") {
  Result<TopologySpec> spec = LoadTopologyString(yaml, file, options);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? spec.value() : TopologySpec{};
}

const ComponentSpec& Component(const TopologySpec& spec, const std::string& id) {
  const ComponentSpec* c = spec.FindComponent(id);
  EXPECT_NE(c, nullptr) << "no component " << id;
  static const ComponentSpec kNone;
  return c != nullptr ? *c : kNone;
}

Value Scalar(const Config& config, const std::string& key) {
  const ConfigValue* v = config.Find(key);
  EXPECT_NE(v, nullptr) << "missing key " << key;
  if (v == nullptr || !std::holds_alternative<Value>(*v)) return Value{std::string("<absent>")};
  return std::get<Value>(*v);
}

// A directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gale_flux_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string file = (fs::path(path_) / name).string();
    std::ofstream(file) << text;
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr char kWordCount[] = R"(name: wordcount
config:
  topology.workers: 2              # containers
  topology.acking: true            # or topology.reliability.mode: ATLEAST_ONCE / ATMOST_ONCE
  topology.max.spout.pending: 1000
  topology.message.timeout.secs: 30
spouts:
  - id: sentences
    className: RandomSentenceSpout
    parallelism: 2
    properties:
      - name: seed
        value: 42
bolts:
  - id: split
    className: SplitSentenceBolt
    parallelism: 4
  - id: count
    className: WordCountBolt
    parallelism: 4
streams:
  - from: sentences
    to: split
    grouping: {type: SHUFFLE}
  - from: split
    to: count
    grouping: {type: FIELDS, args: [word]}
)";

void ExpectWordCount(const TopologySpec& spec, const std::string& file) {
  EXPECT_EQ(spec.name, "wordcount");
  EXPECT_EQ(spec.source_file, file);
  EXPECT_EQ(Scalar(spec.config, "topology.workers"), Value{std::int64_t{2}});
  EXPECT_EQ(Scalar(spec.config, "topology.acking"), Value{true});
  EXPECT_EQ(Scalar(spec.config, "topology.max.spout.pending"), Value{std::int64_t{1000}});
  EXPECT_EQ(Scalar(spec.config, "topology.message.timeout.secs"), Value{std::int64_t{30}});
  EXPECT_EQ(spec.config.entries().size(), 4u);

  ASSERT_EQ(spec.spouts.size(), 1u);
  const ComponentSpec& sentences = spec.spouts[0];
  EXPECT_EQ(sentences.kind, ComponentKind::kSpout);
  EXPECT_EQ(sentences.id, "sentences");
  EXPECT_EQ(sentences.class_name, "RandomSentenceSpout");
  EXPECT_EQ(sentences.parallelism, 2);
  EXPECT_EQ(Scalar(sentences.properties, "seed"), Value{std::int64_t{42}});
  EXPECT_EQ(sentences.where.ToString(), file + ":8:5");
  EXPECT_EQ(sentences.class_name_where.ToString(), file + ":9:16");
  EXPECT_EQ(sentences.parallelism_where.ToString(), file + ":10:18");

  ASSERT_EQ(spec.bolts.size(), 2u);
  EXPECT_EQ(spec.bolts[0].id, "split");
  EXPECT_EQ(spec.bolts[0].kind, ComponentKind::kBolt);
  EXPECT_EQ(spec.bolts[0].class_name, "SplitSentenceBolt");
  EXPECT_EQ(spec.bolts[0].parallelism, 4);
  EXPECT_EQ(spec.bolts[1].id, "count");
  EXPECT_EQ(spec.bolts[1].class_name, "WordCountBolt");
  EXPECT_EQ(spec.bolts[1].where.ToString(), file + ":18:5");

  ASSERT_EQ(spec.streams.size(), 2u);
  EXPECT_EQ(spec.streams[0].from, "sentences");
  EXPECT_EQ(spec.streams[0].to, "split");
  EXPECT_EQ(spec.streams[0].stream_id, "default");
  EXPECT_EQ(spec.streams[0].grouping.type, GroupingType::kShuffle);
  EXPECT_EQ(spec.streams[0].where.ToString(), file + ":22:5");
  EXPECT_EQ(spec.streams[1].grouping.type, GroupingType::kFields);
  EXPECT_EQ(spec.streams[1].grouping.fields, std::vector<std::string>{"word"});
  EXPECT_EQ(spec.streams[1].where.ToString(), file + ":25:5");
  EXPECT_TRUE(spec.libraries.empty());
}

TEST(LoaderTest, LoadsTheWordCountExampleFromAString) {
  ExpectWordCount(MustLoad(kWordCount, {}, "wordcount.yaml"), "wordcount.yaml");
}

TEST(LoaderTest, LoadsTheWordCountExampleFromAFile) {
  const std::string file = kData + "/wordcount.yaml";
  Result<TopologySpec> spec = LoadTopologyFile(file, {});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ExpectWordCount(spec.value(), file);
}

TEST(LoaderTest, MissingFileIsNotFound) {
  Result<TopologySpec> spec = LoadTopologyFile(kData + "/no_such_topology.yaml", {});
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(spec.status().message(), HasSubstr("no_such_topology.yaml: no such file"));
}

TEST(LoaderTest, RefusesAFileOverFourMebibytes) {
  std::string file = ::testing::TempDir() + "/gale-huge-topology.yaml";
  {
    std::ofstream out(file, std::ios::binary);
    out << kWordCount << "\n#";
    out << std::string((4 << 20) + 1, 'x') << "\n";
  }
  Result<TopologySpec> spec = LoadTopologyFile(file, {});
  std::filesystem::remove(file);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr("may be at most 4 MiB"));
}

TEST(LoaderTest, RefusesAStringOverFourMebibytes) {
  std::string text = std::string(kWordCount) + "\n#" + std::string((4 << 20) + 1, 'x') + "\n";
  Result<TopologySpec> spec = LoadTopologyString(text, "big.yaml", {});
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr("big.yaml: more than 4194304 bytes"));
  EXPECT_TRUE(LoadTopologyString(kWordCount, "small.yaml", {}).ok());
}

TEST(LoaderTest, ReadsADeviceOrPipeOnlyUpToTheLimit) {
  // /dev/zero has no size and no end: read by its size it would be read
  // forever, as the main file or as an include.
  Result<TopologySpec> spec = LoadTopologyFile("/dev/zero", {});
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr("/dev/zero: more than 4194304 bytes"));

  TempDir dir;
  std::string main = dir.Write("main.yaml", "name: t\nincludes:\n  - file: /dev/zero\n");
  spec = LoadTopologyFile(main, {});
  ASSERT_FALSE(spec.ok());
  Position p = FirstError(spec.status());
  EXPECT_EQ(p.file, main);
  EXPECT_EQ(p.line, 3);
  EXPECT_THAT(p.message, HasSubstr("cannot include '/dev/zero'"));
  EXPECT_THAT(p.message, HasSubstr("may be at most 4 MiB"));
}

TEST(LoaderTest, AnchorsAndAliasesRepeatNodes) {
  TopologySpec spec = MustLoad(R"(name: anchored
config: &common
  topology.acking: true
  topology.message.timeout.secs: 30
spouts:
  - id: numbers
    className: SequenceSpout
    parallelism: &two 2
    config: *common
bolts:
  - &sink
    id: sink
    className: PrinterBolt
    parallelism: *two
    properties: &props
      - name: path
        value: [a, b]
  - id: sink2
    className: PrinterBolt
    properties: *props
streams:
  - {from: numbers, to: sink, grouping: &shuffle {type: SHUFFLE}}
  - {from: numbers, to: sink2, grouping: *shuffle}
)");
  EXPECT_EQ(Scalar(spec.config, "topology.message.timeout.secs"), Value{std::int64_t{30}});
  const ComponentSpec& numbers = Component(spec, "numbers");
  EXPECT_EQ(numbers.parallelism, 2);
  EXPECT_EQ(Scalar(numbers.config, "topology.acking"), Value{true});
  EXPECT_EQ(Component(spec, "sink").parallelism, 2);
  const ConfigValue* path = Component(spec, "sink2").properties.Find("path");
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(*path, ConfigValue(std::vector<Value>{Value{std::string("a")}, Value{std::string("b")}}));
  ASSERT_EQ(spec.streams.size(), 2u);
  EXPECT_EQ(spec.streams[1].grouping.type, GroupingType::kShuffle);
}

// Nested aliases ("billion laughs"): ten lines that expand to 10^9 config
// keys (l8.a.a.a.a.a.a.a.a, ...).
std::string BillionLaughs() {
  auto map_of = [](const std::string& value) {
    std::string map = "{";
    for (char k = 'a'; k < 'a' + 10; ++k) map += std::string(k == 'a' ? "" : ", ") + k + ": " + value;
    return map + "}";
  };
  std::string yaml = "name: laughs\nconfig:\n  l0: &l0 " + map_of("lol") + "\n";
  for (int i = 1; i <= 8; ++i) {
    yaml += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " " +
            map_of("*l" + std::to_string(i - 1)) + "\n";
  }
  return yaml + "spouts:\n  - {id: s, className: SequenceSpout}\n";
}

TEST(LoaderTest, RefusesAliasesThatExpandBeyondTheBound) {
  // Without the bound this makes 10^9 config keys (minutes and tens of
  // gigabytes, so the test times out); with it, it takes milliseconds.
  Result<TopologySpec> spec = LoadTopologyString(BillionLaughs(), "laughs.yaml", {});
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidArgument);
  // Refused where the count passes 100000: in l4 (each alias of l3
  // repeats 22221 nodes; l1..l3 already repeated 24630).
  Position p = FirstError(spec.status());
  EXPECT_EQ(p.file, "laughs.yaml");
  EXPECT_EQ(p.line, 7);
  EXPECT_THAT(p.message, HasSubstr("YAML aliases up to here repeat more than 100000 nodes"));
  EXPECT_THAT(p.message, HasSubstr("'*l3' alone repeats 22221"));
  EXPECT_THAT(p.message, HasSubstr("alias fewer or smaller nodes"));
  EXPECT_EQ(spec.status().message().find('\n'), std::string::npos) << spec.status().message();
}

TEST(LoaderTest, AcceptsAliasesJustUnderTheBound) {
  // A list of 11100 values is 11101 nodes: 9 aliases of it repeat 99909
  // nodes, under the bound; a tenth is over it.
  std::string base = "name: many\nconfig:\n  big: &big [";
  for (int i = 0; i < 11100; ++i) base += i ? ", x" : "x";
  base += "]\n";
  auto with_aliases = [&](int aliases) {
    std::string yaml = base;
    for (int i = 0; i < aliases; ++i) yaml += "  k" + std::to_string(i) + ": *big\n";
    return yaml + "spouts:\n  - {id: s, className: SequenceSpout}\n";
  };
  TopologySpec spec = MustLoad(with_aliases(9), {}, "many.yaml");
  const ConfigValue* k8 = spec.config.Find("k8");
  ASSERT_NE(k8, nullptr);
  ASSERT_TRUE(std::holds_alternative<std::vector<Value>>(*k8));
  EXPECT_EQ(std::get<std::vector<Value>>(*k8).size(), 11100u);

  Result<TopologySpec> over = LoadTopologyString(with_aliases(10), "many.yaml", {});
  ASSERT_FALSE(over.ok());
  Position p = FirstError(over.status());
  EXPECT_EQ(p.line, 13);
  EXPECT_THAT(p.message, HasSubstr("YAML aliases up to here repeat more than 100000 nodes"));
}

TEST(LoaderTest, RefusesAnAliasInsideItsOwnAnchor) {
  // yaml-cpp makes this a node that contains itself; walking it would
  // never end.
  for (const char* yaml : {"name: t\nconfig: &a {b: *a}\nspouts: [{id: s, className: S}]\n",
                           "name: t\nspouts: &a\n  - id: s\n    className: S\n    config:\n"
                           "      x: *a\n"}) {
    Result<TopologySpec> spec = LoadTopologyString(yaml, "self.yaml", {});
    ASSERT_FALSE(spec.ok()) << yaml;
    Position p = FirstError(spec.status());
    EXPECT_EQ(p.file, "self.yaml");
    EXPECT_THAT(p.message, HasSubstr("the alias '*a' is inside the node its anchor '&a' (line "))
        << yaml;
    EXPECT_THAT(p.message, HasSubstr("endlessly deep")) << yaml;
  }
}

TEST(LoaderTest, TypesConfigPropertiesAndConstructorArgs) {
  TopologySpec spec = MustLoad(R"(name: typed
config:
  b.true: true
  b.false: False
  i.pos: 42
  i.neg: -7
  i.hex: 0x1F
  d.dec: 1.5
  d.exp: 1e3
  d.inf: -.inf
  n.null: null
  n.tilde: ~
  n.empty:
  s.double: "quoted"
  s.single: 'single'
  s.true: "true"
  s.num: "42"
  s.plain: hello world
  s.yes: yes
  s.tagged: !!str 7
  list: [1, "a", true, 2.5]
spouts:
  - id: s
    className: S
    constructorArgs: [1, "two", 3.0, false, ~]
    properties:
      - name: seed
        value: 42
      - name: hosts
        value: [a, b]
      - name: label
        value: "007"
)");
  const Config& c = spec.config;
  EXPECT_EQ(Scalar(c, "b.true"), Value{true});
  EXPECT_EQ(Scalar(c, "b.false"), Value{false});
  EXPECT_EQ(Scalar(c, "i.pos"), Value{std::int64_t{42}});
  EXPECT_EQ(Scalar(c, "i.neg"), Value{std::int64_t{-7}});
  EXPECT_EQ(Scalar(c, "i.hex"), Value{std::int64_t{31}});
  EXPECT_EQ(Scalar(c, "d.dec"), Value{1.5});
  EXPECT_EQ(Scalar(c, "d.exp"), Value{1000.0});
  EXPECT_EQ(Scalar(c, "d.inf"), Value{-INFINITY});
  EXPECT_EQ(Scalar(c, "n.null"), Value{});
  EXPECT_EQ(Scalar(c, "n.tilde"), Value{});
  EXPECT_EQ(Scalar(c, "n.empty"), Value{});
  EXPECT_EQ(Scalar(c, "s.double"), Value{std::string("quoted")});
  EXPECT_EQ(Scalar(c, "s.single"), Value{std::string("single")});
  EXPECT_EQ(Scalar(c, "s.true"), Value{std::string("true")});
  EXPECT_EQ(Scalar(c, "s.num"), Value{std::string("42")});
  EXPECT_EQ(Scalar(c, "s.plain"), Value{std::string("hello world")});
  EXPECT_EQ(Scalar(c, "s.yes"), Value{std::string("yes")});
  EXPECT_EQ(Scalar(c, "s.tagged"), Value{std::string("7")});
  ASSERT_TRUE(c.IsList("list"));
  EXPECT_EQ(c.GetList("list"), (std::vector<Value>{std::int64_t{1}, std::string("a"), true, 2.5}));

  const ComponentSpec& s = Component(spec, "s");
  EXPECT_EQ(s.constructor_args,
            (std::vector<Value>{std::int64_t{1}, std::string("two"), 3.0, false, Value{}}));
  EXPECT_EQ(Scalar(s.properties, "seed"), Value{std::int64_t{42}});
  EXPECT_EQ(s.properties.GetList("hosts"),
            (std::vector<Value>{std::string("a"), std::string("b")}));
  EXPECT_EQ(Scalar(s.properties, "label"), Value{std::string("007")});
  EXPECT_EQ(s.parallelism, 1);
}

TEST(LoaderTest, FlattensNestedConfigMapsAndReadsComponentConfig) {
  TopologySpec spec = MustLoad(R"(name: nested
config:
  kafka:
    bootstrap:
      servers: "localhost:9092"
    topic: words
  a: {b: {c: 1}}
spouts:
  - id: s
    className: S
    config:
      topology.tick.tuple.freq.secs: 1
      window: {length: 10, slide: 5}
)");
  EXPECT_EQ(Scalar(spec.config, "kafka.bootstrap.servers"), Value{std::string("localhost:9092")});
  EXPECT_EQ(Scalar(spec.config, "kafka.topic"), Value{std::string("words")});
  EXPECT_EQ(Scalar(spec.config, "a.b.c"), Value{std::int64_t{1}});
  EXPECT_FALSE(spec.config.Has("kafka"));
  const ComponentSpec& s = Component(spec, "s");
  EXPECT_EQ(Scalar(s.config, "topology.tick.tuple.freq.secs"), Value{std::int64_t{1}});
  EXPECT_EQ(Scalar(s.config, "window.length"), Value{std::int64_t{10}});
  EXPECT_EQ(Scalar(s.config, "window.slide"), Value{std::int64_t{5}});
  EXPECT_FALSE(spec.config.Has("topology.tick.tuple.freq.secs"));
}

TEST(LoaderTest, ReadsGroupingsStreamIdsAndCustomClasses) {
  TopologySpec spec = MustLoad(R"(name: groupings
spouts:
  - id: s
    className: S
bolts:
  - id: a
    className: A
  - id: b
    className: B
  - id: c
    className: C
streams:
  - name: custom-string
    from: s
    to: a
    grouping:
      type: custom
      customClass: ModGrouping
      args: [3, "x"]
  - from: s
    to: b
    grouping:
      type: CUSTOM
      streamId: alerts
      customClass:
        className: ModGrouping
        constructorArgs: [5]
  - {from: s, to: c, grouping: {type: local_or_shuffle, streamId: errors}}
  - {from: s, to: c, grouping: {type: All}}
  - {from: s, to: a, grouping: {type: GLOBAL, streamId: g}}
  - {from: s, to: b, grouping: {type: NONE, streamId: n}}
  - {from: s, to: c, grouping: {type: DIRECT, streamId: d}}
  - {from: s, to: c, grouping: {type: FIELDS, args: [user, "ip"], streamId: f}}
)");
  ASSERT_EQ(spec.streams.size(), 8u);
  const GroupingSpec& g0 = spec.streams[0].grouping;
  EXPECT_EQ(g0.type, GroupingType::kCustom);
  EXPECT_EQ(g0.custom_class, "ModGrouping");
  EXPECT_EQ(g0.args, (std::vector<Value>{std::int64_t{3}, std::string("x")}));
  EXPECT_EQ(spec.streams[0].stream_id, "default");
  const GroupingSpec& g1 = spec.streams[1].grouping;
  EXPECT_EQ(g1.type, GroupingType::kCustom);
  EXPECT_EQ(g1.custom_class, "ModGrouping");
  EXPECT_EQ(g1.args, (std::vector<Value>{std::int64_t{5}}));
  EXPECT_EQ(spec.streams[1].stream_id, "alerts");
  EXPECT_EQ(spec.streams[2].grouping.type, GroupingType::kLocalOrShuffle);
  EXPECT_EQ(spec.streams[2].stream_id, "errors");
  EXPECT_EQ(spec.streams[3].grouping.type, GroupingType::kAll);
  EXPECT_EQ(spec.streams[4].grouping.type, GroupingType::kGlobal);
  EXPECT_EQ(spec.streams[5].grouping.type, GroupingType::kNone);
  EXPECT_EQ(spec.streams[6].grouping.type, GroupingType::kDirect);
  EXPECT_EQ(spec.streams[7].grouping.fields, (std::vector<std::string>{"user", "ip"}));
  EXPECT_EQ(spec.streams[7].where.ToString(), "test.yaml:33:5");
}

TEST(LoaderTest, IncludedDefinitionsLoseToTheIncluderWithoutOverride) {
  const std::string file = kData + "/include_main.yaml";
  Result<TopologySpec> result = LoadTopologyFile(file, {});
  ASSERT_TRUE(result.ok()) << result.status().message();
  const TopologySpec& spec = result.value();
  EXPECT_EQ(spec.name, "included");
  EXPECT_EQ(Scalar(spec.config, "topology.workers"), Value{std::int64_t{5}});
  EXPECT_EQ(Scalar(spec.config, "topology.debug"), Value{true});
  ASSERT_EQ(spec.spouts.size(), 1u);
  EXPECT_EQ(spec.spouts[0].id, "sentences");
  EXPECT_EQ(spec.spouts[0].where.file, kData + "/include_base.yaml");
  EXPECT_EQ(spec.spouts[0].where.line, 9);
  ASSERT_EQ(spec.bolts.size(), 2u);
  EXPECT_EQ(Component(spec, "split").parallelism, 7);
  EXPECT_EQ(Component(spec, "split").where.file, file);
  EXPECT_EQ(spec.streams.size(), 2u);
  EXPECT_EQ(spec.libraries, std::vector<std::string>{kData + "/libbase.so"});
}

TEST(LoaderTest, IncludedDefinitionsWinWithOverride) {
  Result<TopologySpec> result = LoadTopologyFile(kData + "/include_override.yaml", {});
  ASSERT_TRUE(result.ok()) << result.status().message();
  const TopologySpec& spec = result.value();
  EXPECT_EQ(spec.name, "overridden");
  EXPECT_EQ(Scalar(spec.config, "topology.workers"), Value{std::int64_t{3}});
  EXPECT_EQ(Component(spec, "split").parallelism, 2);
  EXPECT_EQ(Component(spec, "split").where.file, kData + "/include_base.yaml");
  EXPECT_EQ(Component(spec, "count").class_name, "WordCountBolt");
  EXPECT_EQ(spec.bolts.size(), 2u);
  EXPECT_EQ(spec.streams.size(), 2u);
}

TEST(LoaderTest, NestedIncludesResolveAgainstTheIncludingFile) {
  Result<TopologySpec> result = LoadTopologyFile(kData + "/include_nested.yaml", {});
  ASSERT_TRUE(result.ok()) << result.status().message();
  const TopologySpec& spec = result.value();
  EXPECT_EQ(spec.name, "nested");
  ASSERT_EQ(spec.spouts.size(), 1u);
  EXPECT_EQ(spec.spouts[0].where.file, kData + "/sub/leaf.yaml");
  EXPECT_EQ(spec.bolts.size(), 1u);
  EXPECT_EQ(spec.streams.size(), 1u);
  EXPECT_EQ(spec.libraries, std::vector<std::string>{kData + "/sub/lib/libleaf.so"});
}

TEST(LoaderTest, IncludeCycleIsAnError) {
  Result<TopologySpec> result = LoadTopologyFile(kData + "/cycle_a.yaml", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  Position p = FirstError(result.status());
  EXPECT_EQ(p.file, kData + "/cycle_b.yaml");
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 11);
  EXPECT_THAT(p.message, HasSubstr("include cycle: " + kData + "/cycle_a.yaml -> " + kData +
                                   "/cycle_b.yaml -> " + kData + "/cycle_a.yaml"));
}

TEST(LoaderTest, IncludeBombIsRefusedFast) {
  // bomb-0 includes bomb-1 twice, which includes bomb-2 twice, ... : no
  // cycle, but 2^20 loads without a bound.
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "gale-include-bomb";
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 20; ++i) {
    std::ofstream out(dir / ("bomb-" + std::to_string(i) + ".yaml"));
    if (i == 0) out << "name: bomb\n";
    std::string next = "bomb-" + std::to_string(i + 1) + ".yaml";
    out << "includes:\n  - file: " << next << "\n  - file: " << next << "\n";
  }
  std::ofstream(dir / "bomb-20.yaml") << "config:\n  a: 1\n";
  Result<TopologySpec> result = LoadTopologyFile((dir / "bomb-0.yaml").string(), {});
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("more than 64 includes in all"));
}

TEST(LoaderTest, ErrorsInAnIncludedFileNameThatFile) {
  Result<TopologySpec> result = LoadTopologyFile(kData + "/include_bad_main.yaml", {});
  ASSERT_FALSE(result.ok());
  Position p = FirstError(result.status());
  EXPECT_EQ(p.file, kData + "/include_bad_child.yaml");
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.column, 5);
  EXPECT_THAT(p.message, HasSubstr("unknown key 'paralellism' in bolt 'split'"));
}

TEST(LoaderTest, MissingIncludedFileIsReportedAtTheInclude) {
  Result<TopologySpec> result = LoadTopologyFile(kData + "/include_missing.yaml", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  Position p = FirstError(result.status());
  EXPECT_EQ(p.file, kData + "/include_missing.yaml");
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.column, 11);
  EXPECT_THAT(p.message, HasSubstr("cannot include 'does_not_exist.yaml'"));
  EXPECT_THAT(p.message, HasSubstr("no such file"));
}

TEST(LoaderTest, EnvFilterSubstitutesEnvironmentVariables) {
  ASSERT_EQ(setenv("GALE_FLUX_TEST_PARALLELISM", "3", 1), 0);
  ASSERT_EQ(setenv("GALE_FLUX_TEST_CLASS", "RandomSentenceSpout", 1), 0);
  LoadOptions options;
  options.env_filter = true;
  TopologySpec spec = MustLoad(R"(name: env
# a comment naming ${ENV-GALE_FLUX_TEST_NOT_SET} is left alone
spouts:
  - id: s
    className: ${ENV-GALE_FLUX_TEST_CLASS}
    parallelism: ${ENV-GALE_FLUX_TEST_PARALLELISM}   # ${ENV-ALSO_NOT_SET}
)",
                               options);
  const ComponentSpec& s = Component(spec, "s");
  EXPECT_EQ(s.class_name, "RandomSentenceSpout");
  EXPECT_EQ(s.parallelism, 3);
  EXPECT_EQ(s.parallelism_where.ToString(), "test.yaml:6:18");
}

TEST(LoaderTest, PositionsAfterASubstitutionPointIntoTheOriginalLine) {
  ASSERT_EQ(setenv("GALE_FLUX_TEST_LONG", "a_much_longer_replacement_value", 1), 0);
  LoadOptions options;
  options.env_filter = true;
  Result<TopologySpec> result = LoadTopologyString(R"(name: t
spouts:
  - {id: ${ENV-GALE_FLUX_TEST_LONG}, className: S, bogus: 1}
)",
                                                   "sub.yaml", options);
  ASSERT_FALSE(result.ok());
  Position p = FirstError(result.status());
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.column,
            52);  // where 'bogus' is in the file, not in the substituted text
  EXPECT_THAT(p.message, HasSubstr("unknown key 'bogus'"));
}

TEST(LoaderTest, FilterFilesSubstituteKeysAndLaterFilesWin) {
  TempDir dir;
  std::string first = dir.Write("first.properties",
                                "# comment\n! also a comment\n\nspout.class=RandomSentenceSpout\n"
                                "workers = 4\nname: from-first\n");
  std::string second = dir.Write("second.properties", "workers=6\n");
  LoadOptions options;
  options.filter_files = {first, second};
  TopologySpec spec = MustLoad(R"(name: ${name}
config:
  topology.workers: ${workers}
spouts:
  - id: s
    className: ${spout.class}
)",
                               options);
  EXPECT_EQ(spec.name, "from-first");
  EXPECT_EQ(Scalar(spec.config, "topology.workers"), Value{std::int64_t{6}});
  EXPECT_EQ(Component(spec, "s").class_name, "RandomSentenceSpout");
}

TEST(LoaderTest, UndefinedFilterKeyNamesTheFilterFile) {
  TempDir dir;
  std::string props = dir.Write("vars.properties", "a=1\n");
  LoadOptions options;
  options.filter_files = {props};
  Result<TopologySpec> result =
      LoadTopologyString("name: t\nspouts:\n  - id: ${spout.id}\n", "f.yaml", options);
  ASSERT_FALSE(result.ok());
  Position p = FirstError(result.status());
  EXPECT_EQ(p.file, "f.yaml");
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.column, 9);
  EXPECT_THAT(p.message,
              HasSubstr("'${spout.id}' is not defined in the --filter file(s) " + props));
}

TEST(LoaderTest, MissingFilterFileIsNotFound) {
  LoadOptions options;
  options.filter_files = {"/nonexistent/gale/vars.properties"};
  Result<TopologySpec> result = LoadTopologyString(kWordCount, "w.yaml", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr("--filter '/nonexistent/gale/vars.properties'"));
}

TEST(LoaderTest, MalformedFilterFileLineIsAnError) {
  TempDir dir;
  std::string props = dir.Write("bad.properties", "a=1\njust some words\n");
  LoadOptions options;
  options.filter_files = {props};
  Result<TopologySpec> result = LoadTopologyString(kWordCount, "w.yaml", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr(props + ":2:1: expected 'key=value'"));
}

TEST(LoaderTest, CommandLineOverridesAreTypedAndWin) {
  LoadOptions options;
  options.overrides = {"topology.workers=7", "topology.debug=true", "my.name=hello",
                       "my.quoted=\"5\"",    "my.list=[a, 1]",      "my.ratio=0.5",
                       " spaced.key =x"};
  TopologySpec spec = MustLoad(kWordCount, options);
  EXPECT_EQ(Scalar(spec.config, "topology.workers"), Value{std::int64_t{7}});
  EXPECT_EQ(Scalar(spec.config, "topology.debug"), Value{true});
  EXPECT_EQ(Scalar(spec.config, "my.name"), Value{std::string("hello")});
  EXPECT_EQ(Scalar(spec.config, "my.quoted"), Value{std::string("5")});
  EXPECT_EQ(spec.config.GetList("my.list"),
            (std::vector<Value>{std::string("a"), std::int64_t{1}}));
  EXPECT_EQ(Scalar(spec.config, "my.ratio"), Value{0.5});
  EXPECT_EQ(Scalar(spec.config, "spaced.key"), Value{std::string("x")});
  EXPECT_EQ(Scalar(spec.config, "topology.max.spout.pending"), Value{std::int64_t{1000}});
}

TEST(LoaderTest, MalformedOverrideIsAnError) {
  LoadOptions options;
  options.overrides = {"topology.workers"};
  Result<TopologySpec> result = LoadTopologyString(kWordCount, "w.yaml", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("-c 'topology.workers': expected key=value"));

  options.overrides = {"=3"};
  result = LoadTopologyString(kWordCount, "w.yaml", options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("the key before '=' is empty"));

  options.overrides = {"topology.workers=0"};
  result = LoadTopologyString(kWordCount, "w.yaml", options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(),
              HasSubstr("-c 'topology.workers=0': 'topology.workers' must be "
                        "an integer from 1 to 4096"));
}

TEST(LoaderTest, LibrariesResolveAgainstTheYamlDirectory) {
  const std::string yaml = R"(name: libs
libraries:
  - libwc.so
  - ../other/libx.so
  - /abs/liby.so
  - libwc.so
spouts:
  - id: s
    className: S
)";
  TopologySpec spec = MustLoad(yaml, {}, "/topologies/wc/topology.yaml");
  EXPECT_EQ(spec.libraries,
            (std::vector<std::string>{"/topologies/wc/libwc.so", "/topologies/other/libx.so",
                                      "/abs/liby.so"}));
  TopologySpec relative = MustLoad(yaml, {}, "rel/topology.yaml");
  ASSERT_EQ(relative.libraries.size(), 3u);
  EXPECT_EQ(relative.libraries[0], (fs::current_path() / "rel/libwc.so").string());
  EXPECT_EQ(relative.libraries[1], (fs::current_path() / "other/libx.so").string());
}

TEST(LoaderTest, SharedComponentsReachSpoutsAndBoltsThroughRef) {
  TopologySpec spec = MustLoad(R"(name: t
components:
  - id: zk
    className: ZkHosts
    constructorArgs: ["localhost:2181"]
    properties:
      - name: timeout.ms
        value: 500
    configMethods:
      - name: withRoot
        args: [/brokers]
spouts:
  - id: s
    className: S
    properties:
      - name: hosts
        ref: zk
    constructorArgs:
      - 7
      - ref: zk
)");
  const ComponentSpec& s = Component(spec, "s");
  EXPECT_EQ(Scalar(s.properties, "hosts.className"), Value{std::string("ZkHosts")});
  EXPECT_EQ(Scalar(s.properties, "hosts.timeout.ms"), Value{std::int64_t{500}});
  EXPECT_EQ(Scalar(s.properties, "hosts.withRoot"), Value{std::string("/brokers")});
  EXPECT_EQ(s.properties.GetList("hosts.constructorArgs"),
            (std::vector<Value>{Value{std::string("localhost:2181")}}));
  EXPECT_EQ(s.constructor_args,
            (std::vector<Value>{Value{std::int64_t{7}}, Value{std::string("zk")}}));
  EXPECT_EQ(Scalar(s.properties, "zk.timeout.ms"), Value{std::int64_t{500}});
  // A referenced value is located where the shared component wrote it.
  ASSERT_TRUE(s.value_where.contains("hosts.timeout.ms"));
  EXPECT_EQ(s.value_where.at("hosts.timeout.ms").line, 8);
  EXPECT_EQ(s.value_where.at("hosts.timeout.ms").column, 16);
}

TEST(LoaderTest, ConfigMethodsBecomeProperties) {
  TopologySpec spec = MustLoad(R"(name: t
spouts:
  - id: s
    className: S
    configMethods:
      - name: withLimit
        args: [10]
      - name: withRange
        args: [1, 5]
      - name: withWords
        args: [[a, b]]
      - name: enableDebug
)");
  const ComponentSpec& s = Component(spec, "s");
  EXPECT_EQ(Scalar(s.properties, "withLimit"), Value{std::int64_t{10}});
  EXPECT_EQ(s.properties.GetList("withRange"),
            (std::vector<Value>{Value{std::int64_t{1}}, Value{std::int64_t{5}}}));
  EXPECT_EQ(s.properties.GetList("withWords"),
            (std::vector<Value>{Value{std::string("a")}, Value{std::string("b")}}));
  EXPECT_EQ(Scalar(s.properties, "enableDebug"), Value{true});
  EXPECT_EQ(s.value_where.at("withLimit").line, 7);
  EXPECT_EQ(s.value_where.at("withLimit").column, 15);
}

TEST(LoaderTest, NumTasksSetsTheNumberOfTasks) {
  TopologySpec spec = MustLoad(R"(name: t
spouts:
  - id: s
    className: S
    parallelism: 2
    numTasks: 4
  - id: t
    className: S
    numTasks: 3
)");
  EXPECT_EQ(Component(spec, "s").parallelism, 4);
  EXPECT_EQ(Component(spec, "s").parallelism_where.line, 6);
  EXPECT_EQ(Component(spec, "t").parallelism, 3);
}

TEST(LoaderTest, RecordsWhereValuesAndStreamPartsAreWritten) {
  TopologySpec spec = MustLoad(R"(name: t
config:
  topology.workers: 2
spouts:
  - id: s
    className: S
    config:
      a: 1
    properties:
      - name: a
        value: 2
streams:
  - from: s
    to: b
    grouping: {type: FIELDS, args: [x, y], streamId: other}
)");
  EXPECT_EQ(spec.config_where.at("topology.workers").line, 3);
  const ComponentSpec& s = Component(spec, "s");
  EXPECT_EQ(s.value_where.at("a").line, 11);  // properties win over config
  EXPECT_EQ(s.value_where.at("a").column, 16);
  ASSERT_EQ(spec.streams.size(), 1u);
  const StreamSpec& st = spec.streams[0];
  EXPECT_EQ(st.from_where.line, 13);
  EXPECT_EQ(st.to_where.line, 14);
  EXPECT_EQ(st.to_where.column, 9);
  EXPECT_EQ(st.stream_id_where.column, 54);
  ASSERT_EQ(st.fields_where.size(), 2u);
  EXPECT_EQ(st.fields_where[1].line, 15);
  EXPECT_EQ(st.fields_where[1].column, 40);
}

TEST(LoaderTest, NearMissOfAKnownConfigKeyIsAnErrorAtTheKey) {
  Result<TopologySpec> result = LoadTopologyString(
      "name: t\nconfig:\n  topology.workrs: 2\n  my.own.key: 1\n"
      "spouts:\n  - id: s\n    className: S\n",
      "c.yaml", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "c.yaml:3:3: unknown config key 'topology.workrs' (did you mean "
            "'topology.workers'?); keys other than gale's own are passed to "
            "components "
            "unchecked, but this one is too close to 'topology.workers' to be "
            "anything else");
}

TEST(LoaderTest, NearMissOfAKnownConfigKeyInAnOverrideIsAnError) {
  LoadOptions options;
  options.overrides = {"topology.debg=true"};
  Result<TopologySpec> result =
      LoadTopologyString("name: t\nspouts:\n  - id: s\n    className: S\n", "c.yaml", options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(),
              HasSubstr("command line: -c 'topology.debg=true': unknown config key "
                        "'topology.debg' (did you mean 'topology.debug'?)"));
}

TEST(LoaderTest, AllProblemsAreReportedOnePerLine) {
  Result<TopologySpec> result = LoadTopologyString(R"(name: t
spouts:
  - id: s
    className: S
    parallelism: 0
  - id: s
    className: S
    colour: red
)",
                                                   "multi.yaml", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "multi.yaml:5:18: the 'parallelism' of spout 's' must be at least "
            "1, got 0\n"
            "multi.yaml:8:5: unknown key 'colour' in spout 's'; allowed keys: "
            "id, className, "
            "parallelism, numTasks, properties, constructorArgs, "
            "configMethods, config\n"
            "multi.yaml:6:9: duplicate component id 's' (first declared at "
            "line 3); every spout "
            "and bolt needs its own id");
}

// --- Malformed topologies: each reports one position and a message. -------

struct Malformed {
  std::string name;
  std::string yaml;
  std::string message;  // a substring of the first error
  int line;
  int column;  // 0: not checked
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

const std::string kSpout = "name: t\nspouts:\n  - id: s\n    className: S\n";     // lines 1-4
const std::string kSpoutBolt = kSpout + "bolts:\n  - id: b\n    className: B\n";  // 5-7
const std::string kStream = kSpoutBolt + "streams:\n  - from: s\n    to: b\n";    // 8-10

std::vector<Malformed> MalformedCases() {
  return {
      {"MissingName", "spouts:\n  - id: s\n    className: S\n", "missing the required key 'name'",
       1, 1},
      {"MissingSpouts", "name: t\nbolts:\n  - id: b\n    className: B\n",
       "missing the required key 'spouts'", 1, 1},
      {"EmptySpouts", "name: t\nspouts: []\n", "'spouts' is empty", 2, 1},
      {"UnknownTopLevelKey", "name: t\nspout:\n  - id: s\n    className: S\n",
       "unknown key 'spout' in the topology (did you mean 'spouts'?); allowed "
       "keys: name, "
       "config, components, spouts, bolts, streams, includes, libraries",
       2, 1},
      {"UnknownComponentKey", kSpout + "    paralelism: 2\n",
       "unknown key 'paralelism' in spout 's' (did you mean 'parallelism'?); "
       "allowed keys: id, "
       "className, parallelism, numTasks, properties, constructorArgs, "
       "configMethods, config",
       5, 5},
      {"UnknownStreamKey", kStream + "    grouping: {type: SHUFFLE}\n    group: x\n",
       "unknown key 'group' in stream 's' -> 'b'; allowed keys: name, from, "
       "to, grouping",
       12, 5},
      {"UnknownGroupingKey", kStream + "    grouping: {type: SHUFFLE, stream: x}\n",
       "unknown key 'stream' in the grouping of stream 's' -> 'b' (did you "
       "mean 'streamId'?); "
       "allowed keys: type, args, streamId, customClass",
       11, 31},
      {"UnknownIncludeKey", "name: t\nincludes:\n  - path: x.yaml\n" + kSpout.substr(8),
       "unknown key 'path' in include #1; allowed keys: resource, file, "
       "override",
       3, 5},
      {"SharedComponentsNotAList", "name: t\ncomponents: {id: c}\n" + kSpout.substr(8),
       "'components' must be a list of shared components (each starting with "
       "'- id: ...'), "
       "got a map",
       2, 13},
      {"SharedComponentDuplicateId",
       "name: t\ncomponents:\n  - id: c\n  - id: c\n" + kSpout.substr(8),
       "duplicate shared component id 'c' (first declared at line 3)", 4, 9},
      // Found by fuzz_flux: reading the missing id threw out of the loader.
      {"SharedComponentWithoutId",
       "name: t\ncomponents:\n  - className: X\n" + kSpout.substr(8),
       "shared component #1 is missing the required key 'id'", 3, 5},
      {"SharedComponentFactory",
       "name: t\ncomponents:\n  - id: c\n    factory: make\n" + kSpout.substr(8),
       "gale does not support the Flux key 'factory' (in shared component 'c')", 4, 5},
      {"UnsupportedTopologySource", "name: t\ntopologySource:\n  className: X\n",
       "gale does not support the Flux key 'topologySource'", 2, 1},
      {"ConfigMethodWithoutName", kSpoutBolt + "    configMethods:\n      - args: [1]\n",
       "config method #1 of bolt 'b' is missing the required key 'name'", 9, 9},
      {"ConfigMethodArgsNotAList",
       kSpoutBolt + "    configMethods:\n      - name: withX\n"
                    "        args: 3\n",
       "'args' of config method 'withX' of bolt 'b' must be a list, e.g. [10], "
       "got '3'",
       10, 15},
      {"ConfigMethodCalledTwice",
       kSpoutBolt + "    configMethods:\n      - name: withX\n"
                    "      - name: withX\n",
       "config method 'withX' of bolt 'b' is set twice (first at line 9)", 10, 15},
      {"ConfigMethodSameAsProperty",
       kSpoutBolt + "    properties:\n      - name: withX\n        value: 1\n"
                    "    configMethods:\n      - name: withX\n        args: [2]\n",
       "config method 'withX' of bolt 'b' is set twice (first at line 10)", 13, 15},
      {"UnknownPropertyRef", kSpout + "    properties:\n      - name: x\n        ref: other\n",
       "'ref: other' in spout 's' names no shared component; declare it under "
       "the top-level "
       "'components:' (declared: none)",
       7, 14},
      {"PropertyRefNearMiss",
       "name: t\ncomponents:\n  - id: zkHosts\n" + kSpout.substr(8) +
           "    properties:\n      - name: x\n        ref: zkHost\n",
       "'ref: zkHost' in spout 's' names no shared component (did you mean "
       "'zkHosts'?)",
       9, 14},
      {"PropertyValueAndRef",
       "name: t\ncomponents:\n  - id: c\n" + kSpout.substr(8) +
           "    properties:\n      - name: x\n        value: 1\n        ref: "
           "c\n",
       "property 'x' of spout 's' has both 'value' and 'ref'; keep one", 10, 9},
      {"PropertyRefList", kSpout + "    properties:\n      - name: x\n        reflist: [a]\n",
       "gale does not support the Flux key 'reflist'", 7, 9},
      {"UnknownConstructorArgRef", kSpout + "    constructorArgs:\n      - ref: other\n",
       "'ref: other' in spout 's' names no shared component", 6, 14},
      {"GroupingArgRef",
       kStream + "    grouping:\n      type: CUSTOM\n      customClass: G\n    "
                 "  args:\n"
                 "        - ref: c\n",
       "gale does not support the Flux key 'ref'", 15, 11},
      {"NumTasksZero", kSpout + "    numTasks: 0\n",
       "the 'numTasks' of spout 's' must be at least 1, got 0", 5, 15},
      {"NumTasksNotInt", kSpout + "    numTasks: two\n",
       "the 'numTasks' of spout 's' must be an integer, got 'two'", 5, 15},
      {"NumTasksBelowParallelism", kSpout + "    parallelism: 4\n    numTasks: 2\n",
       "the 'numTasks' of spout 's' (2) is less than its 'parallelism' (4); a "
       "component needs "
       "at least one task per executor: raise numTasks or lower parallelism",
       6, 15},
      {"UnsupportedFactory", kSpout + "    factory: create\n",
       "gale does not support the Flux key 'factory' (in spout 's')", 5, 5},
      {"IncludeResource",
       "name: t\nincludes:\n  - resource: true\n    file: x.yaml\n" + kSpout.substr(8),
       "gale does not support 'resource: true'", 3, 15},
      {"IncludeOverrideNotBool",
       "name: t\nincludes:\n  - file: x.yaml\n    override: yes\n" + kSpout.substr(8),
       "'override' of include #1 must be true or false, got 'yes'", 4, 15},
      {"IncludeMissingFile", "name: t\nincludes:\n  - file: nope.yaml\n" + kSpout.substr(8),
       "cannot include 'nope.yaml'", 3, 11},
      {"MissingId", "name: t\nspouts:\n  - className: S\n",
       "spout #1 is missing the required key 'id'", 3, 5},
      {"EmptyId", "name: t\nspouts:\n  - id: \"\"\n    className: S\n",
       "the 'id' of spout #1 must be a non-empty string", 3, 9},
      {"MissingClassName", "name: t\nspouts:\n  - id: s\n    parallelism: 2\n",
       "spout 's' is missing the required key 'className'", 3, 5},
      {"ParallelismZero", kSpout + "    parallelism: 0\n",
       "the 'parallelism' of spout 's' must be at least 1, got 0", 5, 18},
      {"ParallelismNegative", kSpout + "    parallelism: -2\n", "must be at least 1, got -2", 5,
       18},
      {"ParallelismDecimal", kSpout + "    parallelism: 2.5\n",
       "the 'parallelism' of spout 's' must be an integer, got '2.5'", 5, 18},
      {"ParallelismQuoted", kSpout + "    parallelism: \"2\"\n", "must be an integer, got '2'", 5,
       18},
      {"ParallelismMap", kSpout + "    parallelism: {n: 1}\n", "must be an integer, got a map", 5,
       18},
      {"ParallelismTooLarge", kSpout + "    parallelism: 3000000000\n", "is too large", 5, 18},
      {"DuplicateIdSpoutAndBolt", kSpout + "bolts:\n  - id: s\n    className: B\n",
       "duplicate component id 's' (first declared at line 3)", 6, 9},
      {"DuplicateIdTwoBolts", kSpoutBolt + "  - id: b\n    className: C\n",
       "duplicate component id 'b' (first declared at line 6)", 8, 9},
      {"DuplicateTopLevelKey", "name: t\nname: u\n" + kSpout.substr(8),
       "duplicate key 'name' in the topology (first at line 1)", 2, 1},
      {"SpoutsIsAMap", "name: t\nspouts:\n  id: s\n  className: S\n",
       "'spouts' must be a list of spouts (each starting with '- id: ...'), "
       "got a map",
       3, 3},
      {"BoltsIsAScalar", kSpout + "bolts: split\n", "'bolts' must be a list of bolts", 5, 8},
      {"StreamNotAMap", kSpoutBolt + "streams:\n  - s -> b\n",
       "stream #1 must be a map of keys, got 's -> b'", 9, 5},
      {"StreamMissingTo", kSpoutBolt + "streams:\n  - from: s\n    grouping: {type: SHUFFLE}\n",
       "stream #1 is missing the required key 'to'", 9, 5},
      {"StreamMissingGrouping", kStream, "stream 's' -> 'b' is missing the required key 'grouping'",
       9, 5},
      {"GroupingNotAMap", kStream + "    grouping: SHUFFLE\n",
       "the grouping of stream 's' -> 'b' must be a map of keys, got 'SHUFFLE'", 11, 15},
      {"GroupingTypeMissing", kStream + "    grouping: {streamId: x}\n",
       "is missing the required key 'type' (one of SHUFFLE, FIELDS, ALL, "
       "GLOBAL, NONE, DIRECT, "
       "LOCAL_OR_SHUFFLE, CUSTOM)",
       11, 15},
      {"GroupingTypeUnknown", kStream + "    grouping: {type: BROADCAST}\n",
       "unknown grouping type 'BROADCAST' in stream 's' -> 'b'; use one of "
       "SHUFFLE, FIELDS",
       11, 22},
      {"FieldsWithoutArgs", kStream + "    grouping: {type: FIELDS}\n",
       "the FIELDS grouping of stream 's' -> 'b' needs 'args: [field, ...]'", 11, 15},
      {"FieldsEmptyArgs", kStream + "    grouping: {type: FIELDS, args: []}\n",
       "must be a non-empty list of field names, e.g. [word], got an empty "
       "list",
       11, 36},
      {"FieldsArgsScalar", kStream + "    grouping: {type: FIELDS, args: word}\n",
       "must be a non-empty list of field names, e.g. [word], got 'word'", 11, 36},
      {"FieldsDuplicateField", kStream + "    grouping: {type: FIELDS, args: [w, w]}\n",
       "field 'w' appears twice", 11, 40},
      {"ArgsOnShuffle", kStream + "    grouping: {type: SHUFFLE, args: [word]}\n",
       "'args' is only used by FIELDS and CUSTOM groupings, not by SHUFFLE", 11, 31},
      {"CustomWithoutClass", kStream + "    grouping: {type: CUSTOM}\n",
       "the CUSTOM grouping of stream 's' -> 'b' needs 'customClass", 11, 15},
      {"CustomClassOnShuffle", kStream + "    grouping: {type: SHUFFLE, customClass: X}\n",
       "'customClass' is only used by CUSTOM groupings", 11, 31},
      {"CustomClassMapWithoutClassName",
       kStream + "    grouping:\n      type: CUSTOM\n      customClass:\n      "
                 "  constructorArgs: [1]\n",
       "the customClass of stream 's' -> 'b' is missing the required key "
       "'className'",
       14, 9},
      {"CustomArgsGivenTwice",
       kStream + "    grouping:\n      type: CUSTOM\n      args: [1]\n"
                 "      customClass: {className: G, constructorArgs: [2]}\n",
       "either as 'args' or as customClass 'constructorArgs', not both", 14, 35},
      {"EmptyStreamId", kStream + "    grouping: {type: SHUFFLE, streamId: \"\"}\n",
       "the 'streamId' of stream 's' -> 'b' must be a non-empty string", 11, 41},
      {"NameIsAList", "name: [a]\n" + kSpout.substr(8),
       "the topology 'name' must be a non-empty string, got a list", 1, 7},
      {"ConfigNotAMap", "name: t\nconfig: [a]\n" + kSpout.substr(8),
       "the topology config must be a map of key: value, got a list", 2, 9},
      {"ConfigWorkersZero", "name: t\nconfig:\n  topology.workers: 0\n" + kSpout.substr(8),
       "'topology.workers' must be an integer from 1 to 4096", 3, 21},
      {"ConfigEffectivelyOnce",
       "name: t\nconfig:\n  topology.reliability.mode: EFFECTIVELY_ONCE\n" + kSpout.substr(8),
       "EFFECTIVELY_ONCE is not supported", 3, 30},
      {"ConfigListOfMaps", "name: t\nconfig:\n  servers: [{host: a}]\n" + kSpout.substr(8),
       "lists may only hold single values, got a map", 3, 13},
      {"ConfigKeySetTwiceAfterFlattening",
       "name: t\nconfig:\n  a.b: 1\n  a:\n    b: 2\n" + kSpout.substr(8),
       "config key 'a.b' is set twice in the topology config (first at line 3)", 5, 5},
      {"ConfigIntegerOverflow",
       "name: t\nconfig:\n  big: 99999999999999999999\n" + kSpout.substr(8),
       "does not fit in 64 bits", 3, 8},
      {"ConfigTagMismatch", "name: t\nconfig:\n  n: !!int abc\n" + kSpout.substr(8),
       "the YAML tag 'tag:yaml.org,2002:int' does not fit the value 'abc'", 3, 6},
      {"ComponentTickZero", kSpoutBolt + "    config:\n      topology.tick.tuple.freq.secs: 0\n",
       "'topology.tick.tuple.freq.secs' must be a number above 0 and up to 604800", 9, 38},
      {"PropertyMissingValue", kSpout + "    properties:\n      - name: seed\n",
       "property 'seed' of spout 's' is missing the required key 'value'", 6, 9},
      {"PropertiesNotAList", kSpout + "    properties: {seed: 42}\n",
       "'properties' of spout 's' must be a list", 5, 17},
      {"PropertyValueMap", kSpout + "    properties:\n      - name: x\n        value: {a: 1}\n",
       "property 'x' must be a value or a list of values, got a map", 7, 16},
      {"ConstructorArgsNestedList", kSpout + "    constructorArgs: [[1, 2]]\n",
       "may only hold single values, got a list", 5, 23},
      {"LibrariesNotAList", kSpout + "libraries: libwc.so\n",
       "'libraries' must be a list of plugin paths", 5, 12},
      {"UnresolvedEnvWithoutEnvFilter", kSpout + "    parallelism: ${ENV-GALE_FLUX_TEST_UNSET}\n",
       "'${ENV-GALE_FLUX_TEST_UNSET}' is not substituted: pass --env-filter", 5, 18},
      {"UnresolvedKeyWithoutFilter", "name: ${topology.name}\n" + kSpout.substr(8),
       "'${topology.name}' is not substituted: pass --filter FILE.properties "
       "with a line "
       "'topology.name=...'",
       1, 7},
      {"UnterminatedPlaceholder", "name: ${oops\n" + kSpout.substr(8), "unterminated '${'", 1, 7},
      {"TopLevelList", "- name: t\n", "the topology must be a map of keys, got a list", 1, 1},
      {"EmptyDocument", "", "the file holds no topology", 1, 1},
      {"OnlyComments", "# nothing here\n", "the file holds no topology", 1, 1},
      {"YamlBadIndentation", "name: t\n  spouts: x\n", "YAML syntax error: illegal map value", 2,
       9},
      // yaml-cpp reports an unclosed flow collection at the end of the input.
      {"YamlUnclosedFlowMap", kStream + "    grouping: {type: SHUFFLE\n",
       "YAML syntax error: end of map flow not found (a '[' or '{' opened "
       "earlier is not closed)",
       12, 1},
  };
}

class LoaderMalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(LoaderMalformedTest, ReportsFileLineColumnAndMessage) {
  const Malformed& m = GetParam();
  Result<TopologySpec> result = LoadTopologyString(m.yaml, "bad.yaml", {});
  ASSERT_FALSE(result.ok()) << m.yaml;
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  Position p = FirstError(result.status());
  EXPECT_EQ(p.file, "bad.yaml") << result.status().message();
  if (m.line > 0) {
    EXPECT_EQ(p.line, m.line) << result.status().message();
  }
  if (m.column > 0) {
    EXPECT_EQ(p.column, m.column) << result.status().message();
  }
  EXPECT_THAT(p.message, HasSubstr(m.message)) << result.status().message();
}

INSTANTIATE_TEST_SUITE_P(Flux, LoaderMalformedTest, ::testing::ValuesIn(MalformedCases()),
                         [](const ::testing::TestParamInfo<Malformed>& info) {
                           return info.param.name;
                         });

TEST(LoaderTest, UnsetEnvironmentVariableWithEnvFilterSaysItIsNotSet) {
  unsetenv("GALE_FLUX_TEST_SURELY_UNSET");
  LoadOptions options;
  options.env_filter = true;
  Result<TopologySpec> result = LoadTopologyString(
      kSpout + "    parallelism: ${ENV-GALE_FLUX_TEST_SURELY_UNSET}\n", "env.yaml", options);
  ASSERT_FALSE(result.ok());
  Position p = FirstError(result.status());
  EXPECT_EQ(p.line, 5);
  EXPECT_EQ(p.column, 18);
  EXPECT_THAT(p.message,
              HasSubstr("environment variable 'GALE_FLUX_TEST_SURELY_UNSET' is not set"));
}

}  // namespace
}  // namespace gale::flux
