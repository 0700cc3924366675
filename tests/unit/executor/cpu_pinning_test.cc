#include "executor/cpu_pinning.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace gale::executor {
namespace {

using Cpus = std::vector<int>;

TEST(ContainerCpus, OneCpuPerContainerWhenTheyAreEqual) {
  EXPECT_EQ(ContainerCpus({0, 1}, 0, 2), Cpus({0}));
  EXPECT_EQ(ContainerCpus({0, 1}, 1, 2), Cpus({1}));
}

TEST(ContainerCpus, ContiguousSharesWhenCpusOutnumberContainers) {
  const Cpus allowed = {0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(ContainerCpus(allowed, 0, 2), Cpus({0, 1, 2, 3}));
  EXPECT_EQ(ContainerCpus(allowed, 1, 2), Cpus({4, 5, 6, 7}));
  // Uneven: 8 CPUs over 3 containers.
  EXPECT_EQ(ContainerCpus(allowed, 0, 3), Cpus({0, 1}));
  EXPECT_EQ(ContainerCpus(allowed, 1, 3), Cpus({2, 3, 4}));
  EXPECT_EQ(ContainerCpus(allowed, 2, 3), Cpus({5, 6, 7}));
  EXPECT_EQ(ContainerCpus(allowed, 0, 1), allowed);
}

TEST(ContainerCpus, NeighbouringContainersShareACpuWhenTheyOutnumberCpus) {
  const Cpus allowed = {0, 1};
  EXPECT_EQ(ContainerCpus(allowed, 0, 4), Cpus({0}));
  EXPECT_EQ(ContainerCpus(allowed, 1, 4), Cpus({0}));
  EXPECT_EQ(ContainerCpus(allowed, 2, 4), Cpus({1}));
  EXPECT_EQ(ContainerCpus(allowed, 3, 4), Cpus({1}));
  EXPECT_EQ(ContainerCpus({5}, 2, 3), Cpus({5}));
}

// Whatever the counts: every share is non-empty and drawn from the allowed
// CPUs (which need not start at 0 or be contiguous), shares do not overlap
// unless containers outnumber CPUs, and together they cover every CPU.
TEST(ContainerCpus, SharesCoverTheAllowedCpus) {
  for (int n = 1; n <= 9; ++n) {
    Cpus allowed;
    for (int i = 0; i < n; ++i) allowed.push_back(3 + 2 * i);
    for (int w = 1; w <= 12; ++w) {
      std::multiset<int> given;
      for (int c = 0; c < w; ++c) {
        Cpus share = ContainerCpus(allowed, c, w);
        ASSERT_FALSE(share.empty()) << n << " CPUs, container " << c << " of " << w;
        for (int cpu : share) given.insert(cpu);
      }
      for (int cpu : allowed) {
        EXPECT_GE(given.count(cpu), 1u) << n << " CPUs, " << w << " containers, CPU " << cpu;
        if (w <= n) {
          EXPECT_EQ(given.count(cpu), 1u) << n << " CPUs, " << w << " containers";
        }
      }
      EXPECT_EQ(std::set<int>(given.begin(), given.end()).size(), allowed.size());
    }
  }
}

TEST(ContainerCpus, NothingForBadArguments) {
  EXPECT_TRUE(ContainerCpus({}, 0, 2).empty());
  EXPECT_TRUE(ContainerCpus({0, 1}, 2, 2).empty());
  EXPECT_TRUE(ContainerCpus({0, 1}, -1, 2).empty());
  EXPECT_TRUE(ContainerCpus({0, 1}, 0, 0).empty());
}

TEST(CpuListString, RangesLikeTheKernel) {
  EXPECT_EQ(CpuListString({}), "");
  EXPECT_EQ(CpuListString({3}), "3");
  EXPECT_EQ(CpuListString({0, 1, 2, 3, 6}), "0-3,6");
  EXPECT_EQ(CpuListString({0, 2, 4, 5}), "0,2,4-5");
}

TEST(PinToCpus, RestrictsOnlyTheCallingThreadAndRefusesAnEmptyOrBadSet) {
  auto allowed = AllowedCpus();
  ASSERT_TRUE(allowed.ok()) << allowed.status().message();
  ASSERT_FALSE(allowed->empty());
  EXPECT_FALSE(PinToCpus({}).ok());
  EXPECT_FALSE(PinToCpus({-1}).ok());
  // On a thread of its own, so the test process keeps its CPUs.
  Cpus seen;
  Status pinned;
  std::thread t([&] {
    pinned = PinToCpus({allowed->back()});
    auto now = AllowedCpus();
    if (now.ok()) seen = *now;
  });
  t.join();
  ASSERT_TRUE(pinned.ok()) << pinned.message();
  EXPECT_EQ(seen, Cpus({allowed->back()}));
  auto after = AllowedCpus();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *allowed);
}

}  // namespace
}  // namespace gale::executor
