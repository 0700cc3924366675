// Drives a spout executor with a fake clock: a tree nobody acks times out
// and the spout's Fail is called, without any real waiting.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gale/gale.h"
#include "plan/plan.h"
#include "support/fake_clock.h"
#include "task/executor.h"

namespace gale::task {
namespace {

using test_support::FakeClock;

// What the test spout saw; one test at a time.
struct SpoutLog {
  int emitted = 0;
  std::vector<MessageId> failed;
  std::vector<MessageId> acked;
};
SpoutLog* g_log = nullptr;

class OneShotSpout : public Spout {
 public:
  void Open(const Config&, const TopologyContext&, SpoutOutputCollector& collector) override {
    collector_ = &collector;
  }
  void NextTuple() override {
    if (g_log->emitted > 0) return;
    ++g_log->emitted;
    collector_->Emit({std::string("hello")}, MessageId{42});
  }
  void Ack(MessageId id) override { g_log->acked.push_back(id); }
  void Fail(MessageId id) override { g_log->failed.push_back(id); }
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"word"}); }

 private:
  SpoutOutputCollector* collector_ = nullptr;
};
class SilentBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
};
GALE_REGISTER_SPOUT(OneShotSpout);
GALE_REGISTER_BOLT(SilentBolt);

class RecordingOutbox : public Outbox {
 public:
  void Send(std::int32_t dest_task, std::string) override { sent_to.push_back(dest_task); }
  std::vector<std::int32_t> sent_to;
};

// Never delivers anything (nobody acks); calls `on_receive` instead of
// waiting, so the test moves time forward from inside the executor loop.
class ScriptedInbox : public Inbox {
 public:
  void Receive(std::vector<std::string>*, std::chrono::nanoseconds) override { on_receive(); }
  void Done(std::size_t) override {}
  std::function<void()> on_receive;
};

std::shared_ptr<const plan::TopologyPlan> Plan(std::int64_t timeout_secs) {
  TopologyBuilder b("spout-timeout");
  b.SetSpout("src", "OneShotSpout");
  b.SetBolt("sink", "SilentBolt").ShuffleGrouping("src");
  b.config().Set("topology.acking", true);
  b.config().Set("topology.message.timeout.secs", timeout_secs);
  auto plan = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? plan.value() : nullptr;
}

TEST(SpoutExecutorClock, UnackedTreeTimesOutOnTheInjectedClock) {
  constexpr std::int64_t kTimeoutSecs = 30;
  auto plan = Plan(kTimeoutSecs);
  ASSERT_NE(plan, nullptr);
  SpoutLog log;
  g_log = &log;
  FakeClock clock;
  RecordingOutbox outbox;
  ScriptedInbox inbox;
  Signals signals;
  TaskMetrics metrics;
  ExecutorOptions o;
  o.task_id = 1;
  o.plan = plan;
  o.outbox = &outbox;
  o.inbox = &inbox;
  o.signals = &signals;
  o.metrics = &metrics;
  o.seed = 7;
  o.clock = &clock;
  auto executor = MakeExecutor(o);
  ASSERT_TRUE(executor->Start().ok());

  std::int64_t emitted_at = -1;
  std::int64_t failed_at = -1;
  int receives = 0;
  inbox.on_receive = [&] {
    if (emitted_at < 0 && log.emitted > 0) emitted_at = clock.NowNs();
    if (failed_at < 0 && !log.failed.empty()) failed_at = clock.NowNs();
    // Stop once it failed, or give up after far more than the timeout.
    if (failed_at >= 0 || ++receives > 100'000) {
      signals.stop.store(true);
      return;
    }
    clock.Advance(std::chrono::milliseconds(100));
  };
  executor->Run();
  g_log = nullptr;

  ASSERT_GE(emitted_at, 0) << "the spout never emitted";
  EXPECT_EQ(outbox.sent_to, (std::vector<std::int32_t>{2}));  // flushed to the bolt
  ASSERT_EQ(log.failed, (std::vector<MessageId>{42}));
  EXPECT_TRUE(log.acked.empty());
  EXPECT_EQ(metrics.timed_out.Get(), 1u);
  // Not before the timeout, and within one rotation interval of the three
  // rotating buckets (timeout / 2) after it.
  std::int64_t timeout_ns = kTimeoutSecs * 1'000'000'000;
  EXPECT_GE(failed_at - emitted_at, timeout_ns);
  EXPECT_LE(failed_at - emitted_at, timeout_ns + timeout_ns / 2 + 1'000'000'000);
}

}  // namespace
}  // namespace gale::task
