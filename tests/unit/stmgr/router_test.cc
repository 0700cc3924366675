#include "stmgr/router.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "unit/stmgr/test_plan.h"

namespace gale::stmgr {
namespace {

using std::chrono::seconds;
using test_support::FakeClock;
using testing::DataBatch;
using testing::TestPlan;

// Records what the router sends, batch by batch and message by message; a
// destination can be closed ("pipe full").
class FakeOutlet : public Outlet {
 public:
  bool SendToTask(std::int32_t task, const std::vector<std::string_view>& batches) override {
    if (!tasks_open) return false;
    for (std::string_view b : batches) to_tasks.emplace_back(task, std::string(b));
    task_messages.push_back(batches.size());
    return true;
  }
  bool SendToPeer(int container, const std::vector<std::string_view>& batches) override {
    if (!peers_open) return false;
    for (std::string_view b : batches) to_peers.emplace_back(container, std::string(b));
    peer_messages.push_back(batches.size());
    return true;
  }
  bool tasks_open = true;
  bool peers_open = true;
  std::vector<std::pair<std::int32_t, std::string>> to_tasks;
  std::vector<std::pair<int, std::string>> to_peers;
  std::vector<std::size_t> task_messages;  // batches per message
  std::vector<std::size_t> peer_messages;
};

// Container 0 of the test plan: tasks 1 and 3 are local, 2 and 4 in container 1.
class RouterTest : public ::testing::Test {
 protected:
  RouterTest()
      : plan_(TestPlan()), gauge_(plan_->watermarks(), &clock_), router_(plan_, 0, &clock_, &gauge_) {}

  FakeClock clock_;
  std::shared_ptr<const plan::TopologyPlan> plan_;
  BackpressureGauge gauge_;
  Router router_;
  FakeOutlet out_;
};

TEST_F(RouterTest, LocalTaskAndPeerContainer) {
  EXPECT_EQ(router_.Route(DataBatch(3, 1)), Router::Destination::kLocalTask);
  EXPECT_EQ(router_.Route(DataBatch(2, 1)), Router::Destination::kPeer);
  EXPECT_EQ(router_.Route(DataBatch(4, 1)), Router::Destination::kPeer);
  ASSERT_NE(router_.task_queue(3), nullptr);
  EXPECT_EQ(router_.task_queue(3)->tuples(), 1u);
  ASSERT_NE(router_.peer_queue(1), nullptr);
  EXPECT_EQ(router_.peer_queue(1)->batches(), 2u);
  EXPECT_TRUE(router_.has_backlog());
  router_.Flush(out_);
  ASSERT_EQ(out_.to_tasks.size(), 1u);
  EXPECT_EQ(out_.to_tasks[0].first, 3);
  EXPECT_EQ(out_.to_tasks[0].second, DataBatch(3, 1));
  ASSERT_EQ(out_.to_peers.size(), 2u);
  EXPECT_EQ(out_.to_peers[0].first, 1);
  EXPECT_EQ(out_.to_peers[0].second, DataBatch(2, 1));  // in arrival order
  EXPECT_EQ(out_.to_peers[1].second, DataBatch(4, 1));
  EXPECT_FALSE(router_.has_backlog());
  EXPECT_EQ(router_.counters().routed, 3u);
}

TEST_F(RouterTest, MalformedAndUnknownTasksAreDroppedAndCounted) {
  EXPECT_EQ(router_.Route("garbage"), Router::Destination::kDropped);
  EXPECT_EQ(router_.Route(""), Router::Destination::kDropped);
  EXPECT_EQ(router_.Route(DataBatch(5, 1)), Router::Destination::kDropped);  // past the last task
  EXPECT_EQ(router_.Route(DataBatch(0, 1)), Router::Destination::kDropped);
  EXPECT_EQ(router_.Route(DataBatch(-7, 1)), Router::Destination::kDropped);
  std::string truncated = DataBatch(3, 1).substr(0, 5);
  EXPECT_EQ(router_.Route(truncated), Router::Destination::kDropped);
  EXPECT_EQ(router_.counters().malformed, 6u);
  EXPECT_EQ(router_.counters().routed, 0u);
  EXPECT_FALSE(router_.has_backlog());
}

TEST_F(RouterTest, ClosedDestinationKeepsItsBatchesQueued) {
  out_.peers_open = false;  // peer not connected yet
  router_.Route(DataBatch(2, 2));
  router_.Flush(out_);
  EXPECT_TRUE(out_.to_peers.empty());
  EXPECT_EQ(router_.queued_bytes(), DataBatch(2, 2).size());
  out_.peers_open = true;
  router_.Flush(out_);
  EXPECT_EQ(out_.to_peers.size(), 1u);
  EXPECT_EQ(router_.queued_bytes(), 0u);
}

TEST_F(RouterTest, CreditWindowTowardsLocalInstance) {
  for (int i = 0; i < 10; ++i) router_.Route(DataBatch(3, 1));
  router_.Flush(out_);
  EXPECT_EQ(out_.to_tasks.size(), 8u);
  router_.Consumed(3, 2);
  router_.Flush(out_);
  EXPECT_EQ(out_.to_tasks.size(), 10u);
  for (int i = 0; i < 10; ++i) router_.Route(DataBatch(3, 1));
  router_.InstanceHello(3);  // restarted: all ten in flight are forgotten
  router_.Flush(out_);
  EXPECT_EQ(out_.to_tasks.size(), 18u);
}

TEST_F(RouterTest, BatchesForOneDestinationLeaveTogether) {
  for (int i = 0; i < 5; ++i) router_.Route(DataBatch(3, 1));
  for (int i = 0; i < 40; ++i) router_.Route(DataBatch(2, 1));
  router_.Flush(out_);
  // One message of five towards task 3 (within its credit window); towards
  // container 1, messages of at most kMaxBundle batches.
  EXPECT_EQ(out_.task_messages, (std::vector<std::size_t>{5}));
  EXPECT_EQ(out_.peer_messages, (std::vector<std::size_t>{Router::kMaxBundle, 40 - Router::kMaxBundle}));
  EXPECT_EQ(out_.to_peers.size(), 40u);
  // A refused message keeps all its batches queued, in order.
  out_.tasks_open = false;
  for (int i = 0; i < 3; ++i) router_.Route(DataBatch(3, 1));
  router_.Flush(out_);
  EXPECT_EQ(router_.task_queue(3)->batches(), 3u);
  out_.tasks_open = true;
  router_.Flush(out_);
  EXPECT_EQ(out_.task_messages, (std::vector<std::size_t>{5, 3}));
  EXPECT_TRUE(router_.task_queue(3)->empty());
}

TEST_F(RouterTest, QueuePassingHighWatermarkStartsBackpressureAtOnce) {
  out_.tasks_open = false;
  router_.Route(DataBatch(3, 6));
  EXPECT_FALSE(gauge_.on());
  router_.Route(DataBatch(3, 5));  // 11 tuples > 10
  EXPECT_TRUE(gauge_.on());
  EXPECT_EQ(gauge_.culprit(), Culprit::Task(3));
  EXPECT_EQ(gauge_.episodes(), 1u);
}

TEST_F(RouterTest, PeerQueueIsTheCulpritWhenItFills) {
  router_.Route(DataBatch(2, 11));
  EXPECT_TRUE(gauge_.on());
  EXPECT_EQ(CulpritName(*plan_, gauge_.culprit()), "stmgr:1");
}

TEST_F(RouterTest, BackpressureLiftsOnlyWhenEveryQueueIsBelowLow) {
  out_.tasks_open = false;
  out_.peers_open = false;
  router_.Route(DataBatch(3, 11));
  router_.Route(DataBatch(2, 7));  // between the watermarks
  ASSERT_TRUE(gauge_.on());
  out_.tasks_open = true;
  router_.Flush(out_);  // the local queue drains; the peer queue holds 7
  EXPECT_FALSE(router_.UpdateBackpressure());
  EXPECT_TRUE(gauge_.on());
  clock_.Advance(seconds(4));
  out_.peers_open = true;
  router_.Flush(out_);
  EXPECT_TRUE(router_.UpdateBackpressure());
  EXPECT_FALSE(gauge_.on());
  EXPECT_EQ(gauge_.on_ns(), 4'000'000'000);
}

TEST_F(RouterTest, TickDropsStaleQueuesAndLiftsBackpressure) {
  out_.tasks_open = false;  // the instance is gone
  router_.Route(DataBatch(3, 11));
  ASSERT_TRUE(gauge_.on());
  clock_.Advance(seconds(10));
  EXPECT_FALSE(router_.Tick());
  clock_.Advance(seconds(20));
  EXPECT_TRUE(router_.Tick());  // dropped, so backpressure is off
  EXPECT_FALSE(gauge_.on());
  EXPECT_EQ(router_.counters().stale, 1u);
  EXPECT_FALSE(router_.has_backlog());
}

}  // namespace
}  // namespace gale::stmgr
