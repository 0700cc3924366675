#include "stmgr/delivery_queue.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace gale::stmgr {
namespace {

using std::chrono::seconds;
using test_support::FakeClock;

// Sends every batch the window allows; returns how many went.
int SendAll(DeliveryQueue& q) {
  int sent = 0;
  while (q.Sendable() != nullptr) {
    q.MarkSent();
    ++sent;
  }
  return sent;
}

TEST(DeliveryQueue, CountsBytesAndTuplesFifo) {
  DeliveryQueue q;
  q.Push("aaaa", 3);
  q.Push("bb", 0);  // an ack batch carries no data tuples
  EXPECT_EQ(q.batches(), 2u);
  EXPECT_EQ(q.bytes(), 6u);
  EXPECT_EQ(q.tuples(), 3u);
  ASSERT_NE(q.Sendable(), nullptr);
  EXPECT_EQ(*q.Sendable(), "aaaa");
  q.MarkSent();
  EXPECT_EQ(q.bytes(), 2u);
  EXPECT_EQ(q.tuples(), 0u);
  std::size_t tuples = 99;
  EXPECT_EQ(q.Take(&tuples), "bb");
  EXPECT_EQ(tuples, 0u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(DeliveryQueue, WithoutCreditWindowEverythingGoes) {
  DeliveryQueue q;
  for (int i = 0; i < 20; ++i) q.Push("x", 1000);
  EXPECT_EQ(SendAll(q), 20);
}

TEST(DeliveryQueue, CreditWindowHoldsEightBatches) {
  FakeClock clock;
  DeliveryQueue q({.credit_window = true, .clock = &clock});
  for (int i = 0; i < 12; ++i) q.Push("x", 1);
  EXPECT_EQ(SendAll(q), 8);
  EXPECT_EQ(q.in_flight_batches(), 8u);
  EXPECT_EQ(q.batches(), 4u);
  q.Consumed(3);
  EXPECT_EQ(SendAll(q), 3);
  q.Consumed(100);  // more than in flight: frees what there is
  EXPECT_EQ(q.in_flight_batches(), 0u);
  EXPECT_EQ(SendAll(q), 1);
}

TEST(DeliveryQueue, CreditWindowHoldsAbout2048Tuples) {
  FakeClock clock;
  DeliveryQueue q({.credit_window = true, .clock = &clock});
  for (int i = 0; i < 4; ++i) q.Push("x", 1024);
  EXPECT_EQ(SendAll(q), 2);  // 2048 tuples in flight
  EXPECT_EQ(q.in_flight_tuples(), 2048u);
  q.Consumed(1);
  EXPECT_EQ(SendAll(q), 1);
}

TEST(DeliveryQueue, SendableCountFollowsTheWindow) {
  FakeClock clock;
  DeliveryQueue q({.credit_window = true, .clock = &clock});
  for (int i = 0; i < 12; ++i) q.Push("b" + std::to_string(i), 100);
  EXPECT_EQ(q.SendableCount(5), 5u);   // capped by the caller
  EXPECT_EQ(q.SendableCount(100), 8u);  // by the window's eight batches
  EXPECT_EQ(q.at(0), "b0");
  EXPECT_EQ(q.at(7), "b7");
  for (int i = 0; i < 8; ++i) q.MarkSent();
  EXPECT_EQ(q.SendableCount(100), 0u);
  q.Consumed(2);
  EXPECT_EQ(q.SendableCount(100), 2u);
  EXPECT_EQ(q.at(0), "b8");
  DeliveryQueue big({.credit_window = true, .clock = &clock});
  for (int i = 0; i < 4; ++i) big.Push("x", 1500);
  EXPECT_EQ(big.SendableCount(100), 2u);  // 1500 < 2048 tuples lets a second go
}

TEST(DeliveryQueue, HelloResetsTheWindow) {
  FakeClock clock;
  DeliveryQueue q({.credit_window = true, .clock = &clock});
  for (int i = 0; i < 10; ++i) q.Push("x", 1);
  EXPECT_EQ(SendAll(q), 8);
  q.ResetWindow();  // a restarted instance holds nothing
  EXPECT_EQ(q.in_flight_batches(), 0u);
  EXPECT_EQ(SendAll(q), 2);
}

TEST(DeliveryQueue, DropsAfterThirtySecondsWithoutProgress) {
  FakeClock clock;
  DeliveryQueue q({.credit_window = true, .clock = &clock});
  for (int i = 0; i < 10; ++i) q.Push("xyz", 1);
  EXPECT_EQ(SendAll(q), 8);  // progress now; then the instance stops consuming
  clock.Advance(seconds(29));
  EXPECT_EQ(q.DropIfStale(), 0u);
  clock.Advance(seconds(1));
  EXPECT_EQ(q.DropIfStale(), 2u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.tuples(), 0u);
}

TEST(DeliveryQueue, ConsumedReportsCountAsProgress) {
  FakeClock clock;
  DeliveryQueue q({.credit_window = true, .clock = &clock});
  for (int i = 0; i < 10; ++i) q.Push("x", 1);
  SendAll(q);
  clock.Advance(seconds(20));
  q.Consumed(0);  // slow, but alive
  clock.Advance(seconds(20));
  EXPECT_EQ(q.DropIfStale(), 0u);
  clock.Advance(seconds(10));
  EXPECT_EQ(q.DropIfStale(), 2u);
}

TEST(DeliveryQueue, EmptyQueueNeverStaleAndNoClockNoDrop) {
  FakeClock clock;
  DeliveryQueue tracked({.clock = &clock});
  clock.Advance(seconds(100));
  EXPECT_EQ(tracked.DropIfStale(), 0u);
  DeliveryQueue untracked;  // local mode: no clock, nothing goes stale
  untracked.Push("x", 1);
  EXPECT_EQ(untracked.DropIfStale(), 0u);
}

}  // namespace
}  // namespace gale::stmgr
