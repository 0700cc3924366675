// A bolt executor fed records that no task of its topology could have
// written (an unknown stream, source task, or an anchor naming a task that
// is not a spout, as a hostile or broken peer might send): it drops them,
// counts them, keeps running, and still executes and acks the good ones.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gale/gale.h"
#include "plan/plan.h"
#include "support/task_io_fakes.h"
#include "task/executor.h"
#include "wire/codec.h"

namespace gale::task {
namespace {

using test_support::OnceRun;

int g_executed = 0;

class IdleSpout : public Spout {
 public:
  void Open(const Config&, const TopologyContext&, SpoutOutputCollector&) override {}
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"word"}); }
};
class AckingBolt : public Bolt {
 public:
  void Prepare(const Config&, const TopologyContext&, OutputCollector& collector) override {
    collector_ = &collector;
  }
  void Execute(const Tuple& tuple) override {
    ++g_executed;
    collector_->Ack(tuple);
  }

 private:
  OutputCollector* collector_ = nullptr;
};
GALE_REGISTER_SPOUT(IdleSpout);
GALE_REGISTER_BOLT(AckingBolt);

TEST(BoltInput, RecordsNamingUnknownTasksAreDroppedAndCounted) {
  // Task 1: the spout "src"; task 2: the bolt under test.
  TopologyBuilder b("bolt-input");
  b.SetSpout("src", "IdleSpout");
  b.SetBolt("sink", "AckingBolt").ShuffleGrouping("src");
  b.config().Set("topology.acking", true);
  auto plan = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const std::uint32_t stream = plan.value()->streams().at(0).index;

  std::string values;
  std::vector<wire::Span> spans;
  wire::EncodeValues({std::string("w")}, &values, &spans);
  wire::BatchWriter w(wire::BatchKind::kData, 2);
  internal::Anchor good{1, 0x1111, 0x2222};
  internal::Anchor far{1'000'000, 0x3333, 0x4444};  // past the last task
  internal::Anchor bolt{2, 0x5555, 0x6666};          // a task, but not a spout
  w.AddData(stream, 1, &good, 1, values);
  w.AddData(stream, 1, &far, 1, values);
  w.AddData(stream, 1, &bolt, 1, values);
  w.AddData(stream + 1000, 1, &good, 1, values);  // unknown stream
  w.AddData(stream, 77, &good, 1, values);        // unknown source task
  w.AddData(stream, 1, &good, 1, values);

  OnceRun run;
  run.inbox.batches.push_back(w.Take());
  g_executed = 0;
  ASSERT_TRUE(run.Run(plan.value(), 2, 3).ok());
  const TaskMetrics& metrics = run.metrics;
  const auto& outbox = run.outbox;

  EXPECT_EQ(g_executed, 2);
  EXPECT_EQ(metrics.malformed.Get(), 4u);
  EXPECT_EQ(metrics.acked.Get(), 2u);
  // Acks went only to the real spout task.
  ASSERT_FALSE(outbox.sent.empty());
  for (const auto& [dest, batch] : outbox.sent) EXPECT_EQ(dest, 1);
}

}  // namespace
}  // namespace gale::task
