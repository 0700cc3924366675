#include "stmgr/spout_state.h"

#include <vector>

#include <gtest/gtest.h>

namespace gale::stmgr {
namespace {

using C = SpoutCommand;

TEST(SpoutStateOutbox, OnlyTheLatestStateWaitsUntilTaken) {
  SpoutStateOutbox box({1, 5});
  box.Post(true, false);
  box.Post(false, true);  // replaces the first
  EXPECT_EQ(box.Pending(1), (std::vector<C>{C::kDeactivate, C::kThrottleOn}));
  // Task 5's pipe takes one message, task 1's everything.
  int taken_by_5 = 0;
  std::vector<std::pair<std::int32_t, C>> sent;
  box.Flush([&](std::int32_t task, C c) {
    if (task == 5 && taken_by_5++ == 1) return false;
    sent.emplace_back(task, c);
    return true;
  });
  EXPECT_EQ(sent.size(), 3u);
  EXPECT_TRUE(box.Pending(1).empty());
  EXPECT_EQ(box.Pending(5), (std::vector<C>{C::kThrottleOn}));
  box.Flush([&](std::int32_t, C) { return true; });
  EXPECT_TRUE(box.Pending(5).empty());
  EXPECT_TRUE(box.Pending(7).empty());  // not a local spout
}

}  // namespace
}  // namespace gale::stmgr
