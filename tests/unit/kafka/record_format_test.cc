#include "bolts/kafka/record_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace gale::kafka {
namespace {

TEST(RenderText, EveryValueType) {
  EXPECT_EQ(RenderText(Value{}), std::nullopt);
  EXPECT_EQ(RenderText(Value{true}), "true");
  EXPECT_EQ(RenderText(Value{false}), "false");
  EXPECT_EQ(RenderText(Value{std::int64_t{-12}}), "-12");
  EXPECT_EQ(RenderText(Value{std::int64_t{1234567890123}}), "1234567890123");
  EXPECT_EQ(RenderText(Value{0.1}), "0.1");
  EXPECT_EQ(RenderText(Value{2.0}), "2");
  EXPECT_EQ(RenderText(Value{std::string("a b\n")}), "a b\n");
  EXPECT_EQ(RenderText(Value{Bytes{0x00, 0xff, 'a'}}), std::string("\0\xff"
                                                                   "a",
                                                                   3));
}

TEST(RenderJson, EscapesAndSpecialValues) {
  EXPECT_EQ(RenderJson(Value{}), "null");
  EXPECT_EQ(RenderJson(Value{std::string("q\"\\\n\t\x01")}), R"("q\"\\\n\t\u0001")");
  EXPECT_EQ(RenderJson(Value{std::string("été")}), "\"été\"");
  EXPECT_EQ(RenderJson(Value{std::numeric_limits<double>::quiet_NaN()}), "null");
  EXPECT_EQ(RenderJson(Value{std::numeric_limits<double>::infinity()}), "null");
  EXPECT_EQ(RenderJson(Value{1.5}), "1.5");
  EXPECT_EQ(RenderJson(Value{Bytes{0xab, 0x01}}), "\"ab01\"");
  EXPECT_EQ(RenderJson(Value{false}), "false");
}

TEST(RenderTupleJson, FieldsInOrder) {
  Tuple t = Tuple::ForTesting({std::string("x"), std::int64_t{1}, true}, Fields{"b", "a", "c"});
  EXPECT_EQ(RenderTupleJson(t), R"({"b":"x","a":1,"c":true})");
  EXPECT_EQ(RenderTupleJson(Tuple::ForTesting({}, Fields{})), "{}");
}

}  // namespace
}  // namespace gale::kafka
