// A bolt executor counts per stream: what it executes, acks and fails per
// input stream (source component and stream), what it emits and transfers
// per output stream; StreamsOf reports every stream of the plan, in the
// plan's order, and adds up to the task's totals.

#include <chrono>
#include <cstdint>
#include <map>
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

class TwoStreamSpout : public Spout {
public:
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer &d) const override {
    d.Declare(Fields{"n"});
    d.DeclareStream("odd", Fields{"n"});
  }
};
// Acks even numbers and fails odd ones; emits each number on "small" when
// below 10, else on "default", anchored, twice for 4.
class ParityBolt : public Bolt {
public:
  void Prepare(const Config &, const TopologyContext &,
               OutputCollector &collector) override {
    collector_ = &collector;
  }
  void Execute(const Tuple &t) override {
    if (t.IsTick())
      return;
    std::int64_t n = t.GetInt("n");
    for (int i = 0; i < (n == 4 ? 2 : 1); ++i) {
      collector_->Emit(n < 10 ? "small" : "default", t, {n});
    }
    if (n % 2 == 0) {
      collector_->Ack(t);
    } else {
      collector_->Fail(t);
    }
  }
  void DeclareOutputFields(OutputFieldsDeclarer &d) const override {
    d.Declare(Fields{"n"});
    d.DeclareStream("small", Fields{"n"});
  }

private:
  OutputCollector *collector_ = nullptr;
};
class QuietBolt : public Bolt {
public:
  void Execute(const Tuple &) override {}
};
GALE_REGISTER_SPOUT(TwoStreamSpout);
GALE_REGISTER_BOLT(ParityBolt);
GALE_REGISTER_BOLT(QuietBolt);

TEST(StreamCounts, ABoltCountsPerInputAndOutputStream) {
  // Task 1: src; task 2: parity; tasks 3 and 4: the sinks, both on
  // parity's "small" stream (two copies of each tuple), none on default.
  TopologyBuilder b("stream-counts");
  b.SetSpout("src", "TwoStreamSpout");
  b.SetBolt("parity", "ParityBolt")
      .ShuffleGrouping("src")
      .ShuffleGrouping("src", "odd")
      .AddConfiguration("topology.tick.tuple.freq.secs", std::int64_t{60});
  b.SetBolt("sink", "QuietBolt", 2).AllGrouping("parity", "small");
  auto built = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  ASSERT_TRUE(built.ok()) << built.status().message();
  const plan::TopologyPlan &plan = *built.value();
  const std::uint32_t src_default =
      plan.FindComponent("src")->streams.at("default");
  const std::uint32_t src_odd = plan.FindComponent("src")->streams.at("odd");

  wire::BatchWriter w(wire::BatchKind::kData, 2);
  internal::Anchor anchor{1, 0x1111, 0x2222};
  for (std::int64_t n : {2, 4, 20}) {
    std::string values;
    std::vector<wire::Span> spans;
    wire::EncodeValues({n}, &values, &spans);
    w.AddData(src_default, 1, &anchor, 1, values);
  }
  for (std::int64_t n : {3, 5}) {
    std::string values;
    std::vector<wire::Span> spans;
    wire::EncodeValues({n}, &values, &spans);
    w.AddData(src_odd, 1, &anchor, 1, values);
  }

  OnceRun run;
  run.metrics.InitStreams(plan);
  run.inbox.batches.push_back(w.Take());
  ASSERT_TRUE(run.Run(built.value(), 2, 3).ok());
  const TaskMetrics& metrics = run.metrics;

  metrics::TaskSnapshot s;
  StreamsOf(plan, 2, metrics, &s);
  // Outputs: parity's own streams, in the plan's order, zeros included.
  ASSERT_EQ(s.outputs.size(), 2u);
  std::map<std::string, metrics::StreamCounters> out;
  for (const auto &st : s.outputs) {
    EXPECT_EQ(st.component, "parity");
    out[st.stream] = st.counters;
  }
  EXPECT_EQ(out["default"],
            (metrics::StreamCounters{.emitted = 1})); // 20, no subscriber
  EXPECT_EQ(out["small"],
            (metrics::StreamCounters{.emitted = 5, .transferred = 10}));
  // Inputs: src's two streams and the ticks.
  ASSERT_EQ(s.inputs.size(), 3u);
  EXPECT_EQ(s.inputs[0].component, "src");
  EXPECT_EQ(s.inputs[0].stream, "default");
  EXPECT_EQ(s.inputs[0].counters,
            (metrics::StreamCounters{.executed = 3, .acked = 3}));
  EXPECT_EQ(s.inputs[1].stream, "odd");
  EXPECT_EQ(s.inputs[1].counters,
            (metrics::StreamCounters{.executed = 2, .failed = 2}));
  EXPECT_EQ(s.inputs[2].component, "__system");
  EXPECT_EQ(s.inputs[2].stream, "__tick");
  // The streams add up to the task's totals.
  metrics::StreamCounters sum;
  for (const auto &st : s.outputs)
    sum = sum.Plus(st.counters);
  for (const auto &st : s.inputs)
    sum = sum.Plus(st.counters);
  EXPECT_EQ(sum.emitted, metrics.emitted.Get());
  EXPECT_EQ(sum.transferred, metrics.transferred.Get());
  EXPECT_EQ(sum.executed, metrics.executed.Get());
  EXPECT_EQ(sum.acked, metrics.acked.Get());
  EXPECT_EQ(sum.failed, metrics.failed.Get());

  // A sink reports its one input stream; a restarted task adds what its
  // earlier process counted.
  metrics::TaskSnapshot sink;
  StreamsOf(plan, 3, TaskMetrics{}, &sink);
  EXPECT_TRUE(sink.outputs.empty());
  ASSERT_EQ(sink.inputs.size(), 1u);
  EXPECT_EQ(sink.inputs[0].component, "parity");
  EXPECT_EQ(sink.inputs[0].stream, "small");
  metrics::TaskSnapshot again;
  StreamsOf(plan, 2, metrics, &again);
  AddStreams(s, &again);
  EXPECT_EQ(again.inputs[1].counters.failed, 4u);
  EXPECT_EQ(again.outputs[1].counters.transferred, 20u);
}

} // namespace
} // namespace gale::task
