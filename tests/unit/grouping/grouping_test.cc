#include "grouping/grouping.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "gale/registry.h"

namespace gale::grouping {
namespace {

struct Encoded {
  std::string bytes;
  std::vector<wire::Span> spans;
  Values values;
  RoutingInput Input(std::int32_t source = 1) const {
    return {source, bytes, &spans, &values};
  }
};

Encoded Encode(Values values) {
  Encoded e;
  e.values = std::move(values);
  wire::EncodeValues(e.values, &e.bytes, &e.spans);
  return e;
}

std::unique_ptr<Grouping> Make(GroupingType type, std::vector<std::int32_t> targets,
                               std::vector<std::size_t> keys = {}, std::string custom = "") {
  GroupingOptions o;
  o.spec.type = type;
  o.spec.custom_class = custom;
  o.target_tasks = std::move(targets);
  o.key_indexes = std::move(keys);
  o.source_component = "src";
  o.stream = "default";
  auto g = MakeGrouping(o);
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::move(g).value() : nullptr;
}

TEST(Shuffle, SpreadsEvenly) {
  auto g = Make(GroupingType::kShuffle, {4, 5, 6});
  std::map<int, int> hits;
  Encoded e = Encode({std::string("x")});
  for (int i = 0; i < 300; ++i) {
    std::vector<std::int32_t> out;
    g->Choose(e.Input(), &out);
    ASSERT_EQ(out.size(), 1u);
    hits[out[0]]++;
  }
  EXPECT_EQ(hits, (std::map<int, int>{{4, 100}, {5, 100}, {6, 100}}));
}

TEST(Fields, SameKeySameTaskAndDeterministicAcrossInstances) {
  auto a = Make(GroupingType::kFields, {1, 2, 3, 4}, {0});
  auto b = Make(GroupingType::kFields, {1, 2, 3, 4}, {0});
  std::set<int> used;
  for (int i = 0; i < 200; ++i) {
    std::string word = "w" + std::to_string(i);
    Encoded e1 = Encode({word, std::int64_t{i}});
    Encoded e2 = Encode({word, std::int64_t{i * 7}});  // other fields do not matter
    std::vector<std::int32_t> o1, o2;
    a->Choose(e1.Input(1), &o1);
    b->Choose(e2.Input(2), &o2);
    ASSERT_EQ(o1.size(), 1u);
    EXPECT_EQ(o1, o2) << word;
    used.insert(o1[0]);
  }
  EXPECT_EQ(used.size(), 4u);
}

TEST(Fields, KeyIsTheCombinationOfFields) {
  GroupingOptions o;
  Encoded ab_c = Encode({std::string("ab"), std::string("c")});
  Encoded a_bc = Encode({std::string("a"), std::string("bc")});
  EXPECT_NE(HashKey(ab_c.Input(), {0, 1}), HashKey(a_bc.Input(), {0, 1}));
  // Types are part of the key: "1" and 1 differ.
  Encoded s = Encode({std::string("1")});
  Encoded i = Encode({std::int64_t{1}});
  EXPECT_NE(HashKey(s.Input(), {0}), HashKey(i.Input(), {0}));
}

TEST(Fields, HashOfDecodedValuesEqualsHashOfEncodedBytes) {
  // The emitter hashes the values it holds; any other router has only the
  // encoded bytes. Both must send a key to the same task.
  const std::vector<Values> keys = {
      {std::string("")},
      {std::string("word")},
      {std::string("a longer key of more than eight bytes")},
      {std::int64_t{-7}, std::string("x")},
      {Bytes{1, 2, 3}, 2.5, true, std::monostate{}},
  };
  for (const Values& v : keys) {
    Encoded e = Encode(v);
    std::vector<std::size_t> all;
    for (std::size_t k = 0; k < v.size(); ++k) all.push_back(k);
    RoutingInput encoded_only = e.Input();
    encoded_only.values = nullptr;
    EXPECT_EQ(HashKey(e.Input(), all), HashKey(encoded_only, all));
  }
}

TEST(All, ReturnsEveryTarget) {
  auto g = Make(GroupingType::kAll, {2, 3, 9});
  std::vector<std::int32_t> out;
  g->Choose(Encode({}).Input(), &out);
  EXPECT_EQ(out, (std::vector<std::int32_t>{2, 3, 9}));
}

TEST(Global, ReturnsLowestTask) {
  auto g = Make(GroupingType::kGlobal, {5, 6, 7});
  for (int i = 0; i < 5; ++i) {
    std::vector<std::int32_t> out;
    g->Choose(Encode({}).Input(), &out);
    EXPECT_EQ(out, (std::vector<std::int32_t>{5}));
  }
}

TEST(NoneAndLocalOrShuffle, BehaveLikeShuffle) {
  for (GroupingType t : {GroupingType::kNone, GroupingType::kLocalOrShuffle}) {
    auto g = Make(t, {1, 2});
    std::set<int> seen;
    for (int i = 0; i < 4; ++i) {
      std::vector<std::int32_t> out;
      g->Choose(Encode({}).Input(), &out);
      seen.insert(out.at(0));
    }
    EXPECT_EQ(seen, (std::set<int>{1, 2}));
  }
}

TEST(LocalOrShuffle, PrefersLocalTasks) {
  GroupingOptions o;
  o.spec.type = GroupingType::kLocalOrShuffle;
  o.target_tasks = {1, 2, 3, 4};
  o.local_tasks = {3};
  auto g = MakeGrouping(o);
  ASSERT_TRUE(g.ok());
  for (int i = 0; i < 4; ++i) {
    std::vector<std::int32_t> out;
    (*g)->Choose(Encode({}).Input(), &out);
    EXPECT_EQ(out, (std::vector<std::int32_t>{3}));
  }
}

TEST(Direct, HasNoGroupingObject) {
  GroupingOptions o;
  o.spec.type = GroupingType::kDirect;
  o.target_tasks = {1};
  EXPECT_FALSE(MakeGrouping(o).ok());
}

class EvenOdd : public CustomGrouping {
 public:
  void Prepare(const std::string&, const std::string&, const std::vector<int>& targets,
               const Config& args) override {
    targets_ = targets;
    offset_ = args.GetList("args").empty() ? 0 : 1;
  }
  std::vector<int> ChooseTasks(int, const Values& values) override {
    std::int64_t v = std::get<std::int64_t>(values.at(0));
    return {targets_[static_cast<std::size_t>((v + offset_) % 2)], 999};
  }

 private:
  std::vector<int> targets_;
  int offset_ = 0;
};
GALE_REGISTER_GROUPING(EvenOdd);

TEST(Custom, UsesRegisteredClassAndIgnoresForeignTasks) {
  auto g = Make(GroupingType::kCustom, {10, 11}, {}, "EvenOdd");
  Encoded even = Encode({std::int64_t{4}});
  std::vector<std::int32_t> out;
  g->Choose(even.Input(), &out);
  EXPECT_EQ(out, (std::vector<std::int32_t>{10}));
  // Without decoded values the adapter decodes them itself.
  Encoded odd = Encode({std::int64_t{5}});
  RoutingInput in = odd.Input();
  in.values = nullptr;
  out.clear();
  g->Choose(in, &out);
  EXPECT_EQ(out, (std::vector<std::int32_t>{11}));
}

TEST(Custom, UnknownClassIsAnError) {
  GroupingOptions o;
  o.spec.type = GroupingType::kCustom;
  o.spec.custom_class = "NoSuchGrouping";
  o.target_tasks = {1};
  auto g = MakeGrouping(o);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("NoSuchGrouping"), std::string::npos);
}

}  // namespace
}  // namespace gale::grouping
