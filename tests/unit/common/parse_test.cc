#include "common/parse.h"

#include <gtest/gtest.h>

#include <limits>

namespace gale {
namespace {

TEST(ParseTest, IntegersInRange) {
  EXPECT_EQ(*ParseInt("42", 0, 100, "x"), 42);
  EXPECT_EQ(*ParseInt("-7", -10, 10, "x"), -7);
  EXPECT_EQ(*ParseUint64("18446744073709551615", "x"), std::numeric_limits<std::uint64_t>::max());
}

TEST(ParseTest, RefusesAnythingButADecimalInRange) {
  for (const char* bad : {"", " 1", "1 ", "+1", "1x", "x", "0x10", "1.5", "--1"}) {
    auto r = ParseInt(bad, -100, 100, "container");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kProtocol);
    EXPECT_NE(r.status().message().find("container"), std::string::npos);
  }
  EXPECT_FALSE(ParseInt("101", 0, 100, "x").ok());
  EXPECT_FALSE(ParseInt("-1", 0, 100, "x").ok());
  EXPECT_FALSE(ParseInt("99999999999999999999", 0, 100, "x").ok());
  EXPECT_FALSE(ParseUint64("-1", "x").ok());
  EXPECT_FALSE(ParseUint64("18446744073709551616", "x").ok());
}

TEST(ParseTest, DoublesAndFlags) {
  EXPECT_DOUBLE_EQ(*ParseDouble("2.5", "x"), 2.5);
  EXPECT_FALSE(ParseDouble("nan", "x").ok());
  EXPECT_FALSE(ParseDouble("inf", "x").ok());
  EXPECT_FALSE(ParseDouble("2.5s", "x").ok());
  EXPECT_TRUE(*ParseFlag("1", "x"));
  EXPECT_FALSE(*ParseFlag("0", "x"));
  EXPECT_FALSE(ParseFlag("yes", "x").ok());
}

TEST(ParseTest, LongGarbageIsShortenedInTheMessage) {
  auto r = ParseInt(std::string(10000, 'a'), 0, 1, "pid");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.status().message().size(), 200u);
}

}  // namespace
}  // namespace gale
