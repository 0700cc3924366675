#include "bolts/printer_bolt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "support/fake_collectors.h"

namespace gale::builtin {
namespace {

using test_support::FakeOutputCollector;
using test_support::MakeContext;
using test_support::MakeTickTuple;
using ::testing::ElementsAre;

// Captures what a PrinterBolt writes, in memory.
class PrinterBoltTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = open_memstream(&buffer_, &size_);
    ASSERT_NE(out_, nullptr);
  }
  void TearDown() override {
    if (out_ != nullptr) std::fclose(out_);
    std::free(buffer_);
  }
  std::string Output() {
    std::fflush(out_);
    return std::string(buffer_, size_);
  }

  std::FILE* out_ = nullptr;
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  FakeOutputCollector collector_;
};

TEST_F(PrinterBoltTest, PrintsOneLinePerTupleWithPrefixAndAcks) {
  PrinterBolt bolt(out_);
  Config config;
  config.Set("prefix", std::string("> "));
  bolt.Prepare(config, MakeContext("print"), collector_);
  Tuple a = Tuple::ForTesting({std::string("hello"), std::int64_t{1}}, {"word", "count"}, "count",
                              "default", 3);
  Tuple b = Tuple::ForTesting({std::string("world"), std::int64_t{2}}, {"word", "count"}, "count",
                              "default", 3);
  bolt.Execute(a);
  bolt.Execute(b);
  bolt.Cleanup();
  EXPECT_EQ(Output(), "> count:3/default [hello, 1]\n> count:3/default [world, 2]\n");
  EXPECT_THAT(collector_.acked, ElementsAre(&a, &b));
  EXPECT_TRUE(collector_.emits.empty());
}

TEST_F(PrinterBoltTest, NoPrefixByDefaultAndTicksAreNotPrinted) {
  PrinterBolt bolt(out_);
  bolt.Prepare(Config(), MakeContext("print"), collector_);
  Tuple tick = MakeTickTuple();
  Tuple t = Tuple::ForTesting({std::string("x")}, {"f"}, "src", "default", 0);
  bolt.Execute(tick);
  bolt.Execute(t);
  EXPECT_EQ(Output(), "src:0/default [x]\n");
  EXPECT_TRUE(collector_.WasAcked(tick));
  EXPECT_TRUE(collector_.WasAcked(t));
}

}  // namespace
}  // namespace gale::builtin
