// A bolt whose Execute throws on every tuple: each failure is counted, but
// the task's log gets the first line and then at most one per 10 s (of the
// executor's clock) saying how many similar lines were suppressed.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "common/log.h"
#include "gale/gale.h"
#include "plan/plan.h"
#include "support/fake_clock.h"
#include "task/executor.h"
#include "wire/codec.h"

namespace gale::task {
namespace {

using ::testing::HasSubstr;
using test_support::FakeClock;

class QuietSpout : public Spout {
 public:
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"word"}); }
};
class AlwaysThrowingBolt : public Bolt {
 public:
  void Execute(const Tuple&) override { throw std::runtime_error("bad word"); }
};
GALE_REGISTER_SPOUT(QuietSpout);
GALE_REGISTER_BOLT(AlwaysThrowingBolt);

class NullOutbox : public Outbox {
 public:
  void Send(std::int32_t, std::string) override {}
};

// Hands over one batch per call, moving the clock before each, then stops.
class SteppingInbox : public Inbox {
 public:
  void Receive(std::vector<std::string>* out, std::chrono::nanoseconds) override {
    if (next_ == batches.size()) {
      signals->stop.store(true);
      return;
    }
    clock->Advance(steps[next_]);
    out->push_back(batches[next_++]);
  }
  void Done(std::size_t) override {}
  std::vector<std::string> batches;
  std::vector<std::chrono::nanoseconds> steps;
  Signals* signals = nullptr;
  FakeClock* clock = nullptr;

 private:
  std::size_t next_ = 0;
};

TEST(BoltErrorLog, UserErrorsAreCountedButTheirLinesRateLimited) {
  TopologyBuilder b("bolt-errors");
  b.SetSpout("src", "QuietSpout");
  b.SetBolt("sink", "AlwaysThrowingBolt").ShuffleGrouping("src");
  b.config().Set("topology.acking", false);
  auto plan = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const std::uint32_t stream = plan.value()->streams().at(0).index;
  auto batch = [&](int tuples) {
    std::string values;
    std::vector<wire::Span> spans;
    wire::EncodeValues({std::string("w")}, &values, &spans);
    wire::BatchWriter w(wire::BatchKind::kData, 2);
    for (int i = 0; i < tuples; ++i) w.AddData(stream, 1, nullptr, 0, values);
    return w.Take();
  };

  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
  Logger("instance")->sinks().push_back(sink);
  FakeClock clock;
  NullOutbox outbox;
  SteppingInbox inbox;
  Signals signals;
  TaskMetrics metrics;
  inbox.signals = &signals;
  inbox.clock = &clock;
  using std::chrono::seconds;
  inbox.batches = {batch(50), batch(50), batch(1), batch(3)};
  inbox.steps = {seconds(0), seconds(5), seconds(6), seconds(1)};
  ExecutorOptions o;
  o.task_id = 2;
  o.plan = plan.value();
  o.outbox = &outbox;
  o.inbox = &inbox;
  o.signals = &signals;
  o.metrics = &metrics;
  o.clock = &clock;
  auto executor = MakeExecutor(o);
  ASSERT_TRUE(executor->Start().ok());
  executor->Run();
  Logger("instance")->sinks().pop_back();

  EXPECT_EQ(metrics.user_errors.Get(), 104u);
  // Only the user's errors: a failed tuple no spout replays (acking is off
  // here) has its own line, limited separately.
  std::vector<std::string> lines;
  for (const std::string& line : sink->last_formatted()) {
    if (line.find("Execute threw") != std::string::npos) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  EXPECT_THAT(lines[0], HasSubstr("Execute threw"));
  EXPECT_THAT(lines[0], HasSubstr("bad word"));
  EXPECT_THAT(lines[0], ::testing::Not(HasSubstr("suppressed")));
  // 99 after the first in the first 10 s, then the 101st tuple at 11 s.
  EXPECT_THAT(lines[1], HasSubstr("bad word (99 similar lines suppressed)"));
}

}  // namespace
}  // namespace gale::task
