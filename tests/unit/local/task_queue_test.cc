#include "local/task_queue.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "wire/codec.h"

namespace gale::local {
namespace {

using std::chrono::seconds;
using test_support::FakeClock;

std::string DataBatch(int tuples) {
  wire::BatchWriter w(wire::BatchKind::kData, 3);
  for (int i = 0; i < tuples; ++i) w.AddData(0, 1, nullptr, 0, "v");
  return w.Take();
}

class TaskQueueTest : public ::testing::Test {
 protected:
  static plan::Watermarks Marks() {
    return {.high_bytes = 1 << 20, .low_bytes = 1 << 19, .high_tuples = 10, .low_tuples = 5};
  }
  FakeClock clock_;
  task::Signals signals_;
  InFlight in_flight_;
  TaskQueue queue_{3, &signals_, &in_flight_, Marks(), &clock_};
};

TEST_F(TaskQueueTest, RaisesAndLiftsTheSharedBackpressureSignal) {
  queue_.Push(DataBatch(6));
  EXPECT_FALSE(queue_.in_backpressure());
  queue_.Push(DataBatch(6));  // 12 > 10
  EXPECT_TRUE(queue_.in_backpressure());
  EXPECT_EQ(signals_.backpressure.load(), 1);
  EXPECT_EQ(in_flight_.batches.load(), 2);
  clock_.Advance(seconds(2));
  EXPECT_EQ(queue_.bp_ns(), 2'000'000'000);  // the open episode counts
  std::vector<std::string> out;
  queue_.Receive(&out, std::chrono::nanoseconds(0));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_FALSE(queue_.in_backpressure());
  EXPECT_EQ(signals_.backpressure.load(), 0);
  clock_.Advance(seconds(5));
  EXPECT_EQ(queue_.bp_ns(), 2'000'000'000);
  EXPECT_EQ(queue_.bp_episodes(), 1u);
  queue_.Done(out.size());
  EXPECT_EQ(in_flight_.batches.load(), 0);
}

TEST_F(TaskQueueTest, QueuedTuplesIsWhatTheTaskHasNotTaken) {
  EXPECT_EQ(queue_.queued_tuples(), 0u);
  queue_.Push(DataBatch(3));
  queue_.Push(DataBatch(4));
  EXPECT_EQ(queue_.queued_tuples(), 7u);
  std::vector<std::string> out;
  queue_.Receive(&out, std::chrono::nanoseconds(0));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(queue_.queued_tuples(), 0u);
}

TEST_F(TaskQueueTest, ReceiveTakesAbout2048TuplesAtATime) {
  for (int i = 0; i < 5; ++i) queue_.Push(DataBatch(1000));
  std::vector<std::string> out;
  queue_.Receive(&out, std::chrono::nanoseconds(0));
  EXPECT_EQ(out.size(), 3u);  // 3000 >= 2048: stops after the third
  EXPECT_TRUE(queue_.in_backpressure());  // 2000 tuples still wait
  out.clear();
  queue_.Receive(&out, std::chrono::nanoseconds(0));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_FALSE(queue_.in_backpressure());
}

TEST_F(TaskQueueTest, StaysOnBetweenTheWatermarks) {
  queue_.Push(DataBatch(2048));
  queue_.Push(DataBatch(7));
  ASSERT_TRUE(queue_.in_backpressure());
  std::vector<std::string> out;
  queue_.Receive(&out, std::chrono::nanoseconds(0));  // takes the 2048, leaves 7
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(queue_.in_backpressure());  // 7 is not below the low mark of 5
  queue_.Receive(&out, std::chrono::nanoseconds(0));
  EXPECT_FALSE(queue_.in_backpressure());
  queue_.Push(DataBatch(7));  // between the marks: no new episode
  EXPECT_FALSE(queue_.in_backpressure());
  queue_.Push(DataBatch(4));  // 11
  EXPECT_TRUE(queue_.in_backpressure());
  EXPECT_EQ(queue_.bp_episodes(), 2u);
  EXPECT_EQ(signals_.backpressure.load(), 1);
}

// Only the queue that lifts the topology's last backpressure calls the
// hook, once, after its lock is released (the hook may wake this queue).
TEST_F(TaskQueueTest, TheLastQueueToLiftBackpressureCallsTheHook) {
  TaskQueue other{4, &signals_, &in_flight_, Marks(), &clock_};
  int lifted = 0;
  queue_.OnBackpressureLifted([&] {
    ++lifted;
    queue_.Wake();
  });
  other.OnBackpressureLifted([&] { ++lifted; });
  queue_.Push(DataBatch(12));
  other.Push(DataBatch(12));
  EXPECT_EQ(signals_.backpressure.load(), 2);
  std::vector<std::string> out;
  other.Receive(&out, std::chrono::nanoseconds(0));
  EXPECT_EQ(lifted, 0);  // queue_ still holds it
  out.clear();
  queue_.Receive(&out, std::chrono::nanoseconds(0));
  EXPECT_EQ(signals_.backpressure.load(), 0);
  EXPECT_EQ(lifted, 1);
}

// A wake ends the next wait, even one that starts after it: the owner
// looked at the signals before deciding to wait. A receive that does not
// wait leaves the wake for the wait.
TEST_F(TaskQueueTest, AWakeEndsTheNextWaitOnce) {
  EXPECT_FALSE(queue_.wakes_on_signals());
  queue_.WakeOnSignals();
  EXPECT_TRUE(queue_.wakes_on_signals());
  std::vector<std::string> out;
  queue_.Wake();
  queue_.Receive(&out, std::chrono::nanoseconds(0));
  auto start = std::chrono::steady_clock::now();
  queue_.Receive(&out, std::chrono::seconds(30));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(out.empty());
  // Taken: the next wait waits (briefly here) ...
  start = std::chrono::steady_clock::now();
  queue_.Receive(&out, std::chrono::milliseconds(50));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  // ... until a wake from another thread ends it.
  std::thread waker([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    queue_.Wake();
  });
  start = std::chrono::steady_clock::now();
  queue_.Receive(&out, std::chrono::seconds(30));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  waker.join();
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace gale::local
