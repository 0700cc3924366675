#include "metrics/counter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace gale::metrics {
namespace {

TEST(CounterTest, StartsAtZeroAndAdds) {
  Counter counter;
  EXPECT_EQ(counter.Get(), 0u);
  counter.Add();
  counter.Add(41);
  EXPECT_EQ(counter.Get(), 42u);
  counter.Add(0);
  EXPECT_EQ(counter.Get(), 42u);
}

TEST(CounterTest, WrapsAroundLikeUnsigned) {
  Counter counter;
  counter.Add(UINT64_MAX);
  counter.Add(2);
  EXPECT_EQ(counter.Get(), 1u);
}

// One writer, one reader: the reader sees a non-decreasing sequence and,
// once the writer is done, the exact total.
TEST(CounterTest, ReaderSeesMonotonicValuesFromOneWriter) {
  constexpr std::uint64_t kAdds = 1'000'000;
  Counter counter;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (std::uint64_t i = 0; i < kAdds; ++i) counter.Add();
    done.store(true, std::memory_order_release);
  });
  std::uint64_t last = 0;
  bool in_order = true;
  while (in_order && !done.load(std::memory_order_acquire)) {
    const std::uint64_t value = counter.Get();
    in_order = value >= last && value <= kAdds;
    last = value;
  }
  writer.join();
  EXPECT_TRUE(in_order) << "read " << last;
  EXPECT_EQ(counter.Get(), kAdds);
}

}  // namespace
}  // namespace gale::metrics
