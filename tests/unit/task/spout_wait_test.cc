// How a spout executor waits: a spout with nothing to emit sleeps with
// growing waits instead of spinning, a spout held back waits for its inbox
// instead of polling it, and a spout at topology.max.spout.pending resumes
// once a quarter of the limit completed. A scripted inbox stands in for the
// stream manager and a fake clock for time: nothing here really waits.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "gale/gale.h"
#include "plan/plan.h"
#include "support/fake_clock.h"
#include "task/executor.h"
#include "task/spout_executor.h"
#include "wire/codec.h"

namespace gale::task {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using test_support::FakeClock;

int g_emitted = 0;
bool g_quiet = false;  // QuietOrEndlessSpout emits nothing while set
int g_limit = -1;      // ... or once it emitted this many (-1: no limit)

// Emits one tuple per NextTuple call with a fresh message id, or nothing
// while g_quiet is set.
class QuietOrEndlessSpout : public Spout {
 public:
  void Open(const Config&, const TopologyContext&, SpoutOutputCollector& collector) override {
    collector_ = &collector;
  }
  void NextTuple() override {
    if (g_quiet || (g_limit >= 0 && g_emitted >= g_limit)) return;
    ++g_emitted;
    collector_->Emit({std::string("w")}, MessageId(g_emitted));
  }
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"word"}); }

 private:
  SpoutOutputCollector* collector_ = nullptr;
};
class SinkBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
};
GALE_REGISTER_SPOUT(QuietOrEndlessSpout);
GALE_REGISTER_BOLT(SinkBolt);

// Keeps every batch the spout sends and counts the commits (each one a
// message to the stream manager in a task process).
class KeepingOutbox : public Outbox {
 public:
  void Send(std::int32_t, std::string batch) override { batches.push_back(std::move(batch)); }
  void Commit() override {
    ++commits;
    if (on_commit) on_commit();
  }
  std::vector<std::string> batches;
  int commits = 0;
  std::function<void()> on_commit;
};

// Records each Receive timeout and lets the test script what arrives. A
// wait takes its whole timeout on the fake clock.
class ScriptedInbox : public Inbox {
 public:
  ScriptedInbox(bool wakes, FakeClock* clock) : wakes_(wakes), clock_(clock) {}
  void Receive(std::vector<std::string>* out, nanoseconds timeout) override {
    timeouts.push_back(timeout);
    clock_->Advance(timeout);
    if (on_receive) on_receive(out, timeout);
  }
  void Done(std::size_t n) override { done += n; }
  bool wakes_on_signals() const override { return wakes_; }

  std::vector<nanoseconds> timeouts;
  std::size_t done = 0;  // batches reported consumed
  std::function<void(std::vector<std::string>*, nanoseconds)> on_receive;

 private:
  bool wakes_;
  FakeClock* clock_;
};

std::shared_ptr<const plan::TopologyPlan> Plan(std::int64_t max_pending) {
  TopologyBuilder b("spout-wait");
  b.SetSpout("src", "QuietOrEndlessSpout");
  b.SetBolt("sink", "SinkBolt").ShuffleGrouping("src");
  b.config().Set("topology.acking", true);
  b.config().Set("topology.max.spout.pending", max_pending);
  auto plan = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? plan.value() : nullptr;
}

struct Harness {
  explicit Harness(std::int64_t max_pending, bool wakes, bool linger_when_idle = false)
      : plan(Plan(max_pending)), inbox(wakes, &clock) {
    g_emitted = 0;
    g_quiet = false;
    g_limit = -1;
    signals.active.store(true);
    ExecutorOptions o;
    o.task_id = 1;
    o.plan = plan;
    o.outbox = &outbox;
    o.inbox = &inbox;
    o.signals = &signals;
    o.metrics = &metrics;
    o.seed = 11;
    o.clock = &clock;
    o.linger_when_idle = linger_when_idle;
    executor = MakeExecutor(o);
  }

  // An ack batch completing the `n`-th tree the spout sent (0-based), read
  // back from the batches it sent: one target, so the tree's only edge.
  std::string AckOf(std::size_t n) const {
    std::size_t seen = 0;
    for (const std::string& batch : outbox.batches) {
      auto reader = wire::BatchReader::Open(batch);
      EXPECT_TRUE(reader.ok());
      wire::DataRecord record;
      while (reader->NextData(&record)) {
        if (seen++ != n) continue;
        wire::BatchWriter ack(wire::BatchKind::kAck, 1);
        ack.AddAck({record.anchors.at(0).root, record.anchors.at(0).edge, wire::AckKind::kAck});
        return ack.Take();
      }
    }
    ADD_FAILURE() << "tree " << n << " was never sent";
    return {};
  }

  std::shared_ptr<const plan::TopologyPlan> plan;
  FakeClock clock;
  KeepingOutbox outbox;
  ScriptedInbox inbox;
  Signals signals;
  TaskMetrics metrics;
  std::unique_ptr<Executor> executor;
};

TEST(SpoutWait, SpoutWithNothingToEmitBacksOffInsteadOfSpinning) {
  Harness h(/*max_pending=*/0, /*wakes=*/true);
  ASSERT_TRUE(h.executor->Start().ok());
  g_quiet = true;
  h.inbox.on_receive = [&](std::vector<std::string>*, nanoseconds) {
    if (h.inbox.timeouts.size() >= 200) h.signals.stop.store(true);
  };
  h.executor->Run();

  std::vector<nanoseconds> waits;
  for (nanoseconds t : h.inbox.timeouts) {
    if (t.count() > 0) waits.push_back(t);
  }
  // Two immediate retries, then 1, 2, 4 and 8 ms, then 8 ms on end: each
  // round looks at the inbox once without waiting and then waits.
  ASSERT_GE(waits.size(), 4u);
  EXPECT_EQ(waits[0], milliseconds(1));
  EXPECT_EQ(waits[1], milliseconds(2));
  EXPECT_EQ(waits[2], milliseconds(4));
  EXPECT_EQ(waits[3], milliseconds(8));
  EXPECT_EQ(*std::max_element(waits.begin(), waits.end()), milliseconds(8));
  EXPECT_GE(waits.size(), h.inbox.timeouts.size() / 2 - 3) << "rounds without a wait: spinning";
}

TEST(SpoutWait, EmittingAgainEndsTheBackOff) {
  Harness h(0, true);
  ASSERT_TRUE(h.executor->Start().ok());
  g_quiet = true;
  int positive = 0;
  h.inbox.on_receive = [&](std::vector<std::string>*, nanoseconds t) {
    if (t.count() > 0 && ++positive == 6) g_quiet = false;  // data arrives at the spout
    if (g_emitted >= 1000) g_quiet = true;
    if (h.inbox.timeouts.size() >= 400) h.signals.stop.store(true);
  };
  h.executor->Run();
  // After the busy spell the back-off starts again from 1 ms.
  std::vector<nanoseconds> waits;
  for (nanoseconds t : h.inbox.timeouts) {
    if (t.count() > 0) waits.push_back(t);
  }
  ASSERT_GE(waits.size(), 8u);
  EXPECT_EQ(waits[5], milliseconds(8));
  EXPECT_EQ(waits[6], milliseconds(1));
  EXPECT_EQ(waits[7], milliseconds(2));
}

TEST(SpoutWait, SpoutAtMaxPendingWaitsForItsInboxAndResumesByQuarters) {
  constexpr int kMaxPending = 8;
  Harness h(kMaxPending, /*wakes=*/true);
  ASSERT_TRUE(h.executor->Start().ok());
  int phase = 0;
  std::vector<int> emitted_at_wait;
  h.inbox.on_receive = [&](std::vector<std::string>* out, nanoseconds t) {
    if (t.count() == 0) return;
    // Held back by max.spout.pending: a long wait (the inbox wakes it when
    // acks arrive), bounded by the next rotation of the timeout buckets.
    EXPECT_GE(t, milliseconds(100)) << "phase " << phase;
    emitted_at_wait.push_back(g_emitted);
    if (phase < 2) out->push_back(h.AckOf(static_cast<std::size_t>(phase)));
    if (++phase == 3) h.signals.stop.store(true);
  };
  h.executor->Run();
  // 8 in flight; one completed tree is not enough to go on (7 > 8 - 8/4);
  // the second is, and the spout fills the window again.
  EXPECT_EQ(emitted_at_wait, (std::vector<int>{8, 8, 10}));
  EXPECT_EQ(h.metrics.acked.Get(), 2u);
}

// A spout whose source ran dry after three tuples: the batch waits for the
// linger when asked to (process mode), else it leaves at once.
void RunThreeThenQuiet(Harness& h, std::vector<std::int64_t>* sent_at) {
  ASSERT_TRUE(h.executor->Start().ok());
  g_limit = 3;
  std::int64_t start = h.clock.NowNs();
  std::size_t seen = 0;
  h.inbox.on_receive = [&](std::vector<std::string>*, nanoseconds) {
    while (seen < h.outbox.batches.size()) {
      sent_at->push_back(h.clock.NowNs() - start);
      ++seen;
    }
    if (h.inbox.timeouts.size() >= 60) h.signals.stop.store(true);
  };
  h.executor->Run();
}

TEST(SpoutWait, LingerWhenIdleHoldsATrickleForTheLinger) {
  Harness lingering(0, true, /*linger_when_idle=*/true);
  std::vector<std::int64_t> sent_at;
  RunThreeThenQuiet(lingering, &sent_at);
  ASSERT_FALSE(sent_at.empty());
  EXPECT_EQ(sent_at[0], SpoutExecutor::kLingerNs);  // when the linger ended
  EXPECT_EQ(g_emitted, 3);

  Harness eager(0, true, /*linger_when_idle=*/false);
  std::vector<std::int64_t> eager_sent_at;
  RunThreeThenQuiet(eager, &eager_sent_at);
  ASSERT_FALSE(eager_sent_at.empty());
  EXPECT_EQ(eager_sent_at[0], 0);  // at the first empty NextTuple
}

// A quiet spout receiving one ack batch per wait; returns the number of
// commits while it ran and the most consumed batches not yet committed.
std::pair<int, std::size_t> CommitsForTenAckBatches(Harness& h) {
  EXPECT_TRUE(h.executor->Start().ok());
  g_quiet = true;
  std::size_t reported = 0;
  std::size_t most_unreported = 0;
  h.outbox.on_commit = [&] { reported = h.inbox.done; };
  int delivered = 0;
  h.inbox.on_receive = [&](std::vector<std::string>* out, nanoseconds t) {
    most_unreported = std::max(most_unreported, h.inbox.done - reported);
    if (t.count() == 0) return;
    if (delivered == 10) {
      h.signals.stop.store(true);
      return;
    }
    wire::BatchWriter ack(wire::BatchKind::kAck, 1);
    ack.AddAck({static_cast<std::uint64_t>(++delivered), 1, wire::AckKind::kAck});
    out->push_back(ack.Take());
  };
  h.executor->Run();
  EXPECT_EQ(h.inbox.done, 10u);
  return {h.outbox.commits, most_unreported};
}

TEST(SpoutWait, TaskProcessReportsConsumedAckBatchesWithoutAMessageForEach) {
  // In a task process every commit is a message to the stream manager: the
  // reports wait for the spout's next message, at most four of them (half
  // the stream manager's credit window of 8 batches).
  Harness process(0, true, /*linger_when_idle=*/true);
  auto [commits, most_unreported] = CommitsForTenAckBatches(process);
  EXPECT_LE(most_unreported, 4u);
  EXPECT_EQ(commits, 2 + 1);  // after the 4th and 8th batch, and when it stops

  // In local mode a commit is free: every batch is reported at once.
  Harness local(0, true, /*linger_when_idle=*/false);
  auto [local_commits, local_unreported] = CommitsForTenAckBatches(local);
  EXPECT_LE(local_unreported, 1u);
  EXPECT_GE(local_commits, 10);
}

TEST(SpoutWait, ThrottledSpoutPollsOftenWhenItsInboxDoesNotCarrySignals) {
  Harness h(0, /*wakes=*/false);
  ASSERT_TRUE(h.executor->Start().ok());
  h.signals.backpressure.store(1);
  h.inbox.on_receive = [&](std::vector<std::string>*, nanoseconds) {
    if (h.inbox.timeouts.size() >= 20) h.signals.stop.store(true);
  };
  h.executor->Run();
  EXPECT_EQ(g_emitted, 0);
  nanoseconds longest = *std::max_element(h.inbox.timeouts.begin(), h.inbox.timeouts.end());
  EXPECT_GT(longest.count(), 0);
  EXPECT_LE(longest, milliseconds(1));  // local mode: re-checks the flag soon
}

// A spout about to sleep for up to kBlockedWait has already said that it
// is quiet (deactivated, nothing buffered) or drained (exhausted, nothing
// pending): whoever waits for that is not held for the length of its sleep.
TEST(SpoutWait, SpoutSaysItIsQuietOrDrainedBeforeItSleeps) {
  Harness h(/*max_pending=*/0, /*wakes=*/true);
  ASSERT_TRUE(h.executor->Start().ok());
  h.signals.active.store(false);
  std::vector<bool> quiet_at_wait;
  h.inbox.on_receive = [&](std::vector<std::string>*, nanoseconds t) {
    if (t.count() == 0) return;
    quiet_at_wait.push_back(h.executor->quiesced());
    h.signals.stop.store(true);
  };
  h.executor->Run();
  ASSERT_EQ(quiet_at_wait.size(), 1u);
  EXPECT_TRUE(quiet_at_wait[0]);
  EXPECT_EQ(h.inbox.timeouts.back(), milliseconds(100));  // a long sleep: it has to say so first
}

}  // namespace
}  // namespace gale::task
