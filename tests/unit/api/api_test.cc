// The public API's value types (Tuple, Config, Fields, values), the
// registry, and plugin loading.

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "gale/gale.h"
#include "launch/plugins.h"
#include "spouts/builtins.h"

namespace gale {
namespace {

Tuple WordTuple() {
  return Tuple::ForTesting({std::string("hello"), std::int64_t{3}, 2.5, true, Bytes{1, 2}},
                           Fields{"word", "count", "ratio", "flag", "raw"}, "split", "words", 7);
}

TEST(TupleTest, TypedAccessByIndexAndName) {
  Tuple t = WordTuple();
  EXPECT_EQ(t.size(), 5u);
  EXPECT_EQ(t.GetString(0), "hello");
  EXPECT_EQ(t.GetString("word"), "hello");
  EXPECT_EQ(t.GetInt("count"), 3);
  EXPECT_DOUBLE_EQ(t.GetDouble("ratio"), 2.5);
  EXPECT_TRUE(t.GetBool("flag"));
  EXPECT_EQ(t.GetBytes("raw"), (Bytes{1, 2}));
  EXPECT_EQ(t.SourceComponent(), "split");
  EXPECT_EQ(t.SourceStream(), "words");
  EXPECT_EQ(t.SourceTask(), 7);
  EXPECT_FALSE(t.IsTick());
  EXPECT_EQ(t.Fields().IndexOf("ratio"), 2u);
  EXPECT_EQ(t.ToString(), "split:7/words [hello, 3, 2.5, true, 0102]");
}

TEST(TupleTest, WrongTypeUnknownFieldAndBadIndexNameTheProblem) {
  Tuple t = WordTuple();
  try {
    t.GetInt("word");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'word'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("string, not int"), std::string::npos) << e.what();
  }
  try {
    t.GetString("nope");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no field 'nope'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[word, count, ratio, flag, raw]"), std::string::npos);
  }
  EXPECT_THROW(t.GetString(9), std::invalid_argument);
}

TEST(TupleTest, CopiesKeepEveryValue) {
  Tuple t = WordTuple();
  Tuple copy = t;
  EXPECT_EQ(copy.GetValues(), t.GetValues());
  EXPECT_EQ(copy.SourceComponent(), "split");
}

TEST(ValueTest, ConversionsPickTheNaturalAlternative) {
  Value i = 42;
  Value s = "text";
  Value d = 1.5;
  Value b = true;
  EXPECT_EQ(ValueTypeName(i), "int");
  EXPECT_EQ(ValueTypeName(s), "string");
  EXPECT_EQ(ValueTypeName(d), "double");
  EXPECT_EQ(ValueTypeName(b), "bool");
  EXPECT_EQ(ValueTypeName(Value{}), "null");
  EXPECT_EQ(ValueToString(Value{}), "null");
}

TEST(ConfigTest, GettersConvertWhereSafeAndNameOwnerAndKeyOnErrors) {
  Config c("component 'split'");
  c.Set("n", std::int64_t{5});
  c.Set("text_n", std::string("12"));
  c.Set("ratio", 0.25);
  c.Set("flag", std::string("true"));
  c.Set("name", std::string("abc"));
  c.SetList("list", {std::int64_t{1}, std::string("two")});
  EXPECT_EQ(c.GetInt("n"), 5);
  EXPECT_EQ(c.GetInt("text_n"), 12);
  EXPECT_DOUBLE_EQ(c.GetDouble("n"), 5.0);
  EXPECT_TRUE(c.GetBool("flag"));
  EXPECT_EQ(c.GetString("n"), "5");
  EXPECT_EQ(c.GetList("list").size(), 2u);
  EXPECT_EQ(c.GetList("n").size(), 1u);
  EXPECT_EQ(c.GetInt("missing", 9), 9);
  try {
    c.GetInt("missing");
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("component 'split'"), std::string::npos) << m;
    EXPECT_NE(m.find("'missing' is missing"), std::string::npos) << m;
  }
  try {
    c.GetInt("name");
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'name' is a string (abc), expected an integer"), std::string::npos) << m;
  }
  EXPECT_THROW(c.GetBool("ratio"), ConfigError);
  EXPECT_THROW(c.GetDouble("list"), ConfigError);
}

TEST(ConfigTest, MergeFromOverridesOnlyGivenKeys) {
  Config base;
  base.Set("a", std::int64_t{1});
  base.Set("b", std::int64_t{2});
  Config over;
  over.Set("b", std::int64_t{3});
  base.MergeFrom(over);
  EXPECT_EQ(base.GetInt("a"), 1);
  EXPECT_EQ(base.GetInt("b"), 3);
}

TEST(RegistryTest, FirstRegistrationWinsAndConflictsAreReported) {
  Registry& r = Registry::Global();
  (void)r.TakeConflicts();
  struct A : Bolt {
    void Execute(const Tuple&) override {}
  };
  EXPECT_TRUE(r.AddBolt("ApiTestBolt", [] { return std::unique_ptr<Bolt>(new A()); }));
  EXPECT_TRUE(r.HasBolt("ApiTestBolt"));
  EXPECT_FALSE(r.HasSpout("ApiTestBolt"));
  EXPECT_NE(r.NewBolt("ApiTestBolt"), nullptr);
  EXPECT_EQ(r.NewBolt("NoSuchBolt"), nullptr);
  r.AddBolt("ApiTestBolt", [] { return std::unique_ptr<Bolt>(new A()); });
  auto conflicts = r.TakeConflicts();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_NE(conflicts[0].find("'ApiTestBolt' is registered twice"), std::string::npos);
  EXPECT_TRUE(r.TakeConflicts().empty());
}

TEST(PluginTest, MissingFileAndNonLibraryAreClearErrors) {
  Status missing = launch::LoadPlugin("/nonexistent/libnothing.so");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.message().find("/nonexistent/libnothing.so"), std::string::npos);
  EXPECT_NE(missing.message().find("--lib"), std::string::npos);

  std::string text = ::testing::TempDir() + "/not-a-plugin.so";
  std::ofstream(text) << "this is text, not a shared library\n";
  Status bad = launch::LoadPlugin(text);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("cannot load plugin"), std::string::npos) << bad.message();
}

TEST(PluginTest, LoadsComponentsAndReportsNamesItRegistersTwice) {
  gale_link_builtin_spouts();
  (void)Registry::Global().TakeConflicts();
  Status s = launch::LoadPlugin(GALE_DUP_PLUGIN);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'SequenceSpout' is registered twice"), std::string::npos)
      << s.message();
  // Its other classes are usable, and loading it again is a no-op.
  EXPECT_TRUE(Registry::Global().HasBolt("ImpostorOnlyBolt"));
  EXPECT_TRUE(launch::LoadPlugin(GALE_DUP_PLUGIN).ok());
}

}  // namespace
}  // namespace gale
