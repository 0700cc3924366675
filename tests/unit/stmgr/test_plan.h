#pragma once

// A small topology plan for the stream-manager core tests: spout "src"
// (task 1) feeding bolt "sink" (tasks 2, 3, 4) over two containers, so
// container 0 holds tasks 1 and 3 and container 1 tasks 2 and 4. The
// watermarks are small: on above 10 tuples or 1000 bytes, off below 5
// tuples and 500 bytes.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "gale/gale.h"
#include "plan/plan.h"
#include "wire/codec.h"

namespace gale::stmgr::testing {

class PlanSpout : public Spout {
 public:
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"x"}); }
};
class PlanBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
};

inline std::shared_ptr<const plan::TopologyPlan> TestPlan() {
  static const bool registered = [] {
    Registry::Global().AddSpout("StmgrPlanSpout", [] { return std::unique_ptr<Spout>(new PlanSpout()); });
    Registry::Global().AddBolt("StmgrPlanBolt", [] { return std::unique_ptr<Bolt>(new PlanBolt()); });
    return true;
  }();
  (void)registered;
  TopologyBuilder b("stmgr-test");
  b.SetSpout("src", "StmgrPlanSpout", 1);
  b.SetBolt("sink", "StmgrPlanBolt", 3).ShuffleGrouping("src");
  b.config().Set("topology.workers", std::int64_t{2});
  b.config().Set("topology.backpressure.high.watermark.tuples", std::int64_t{10});
  b.config().Set("topology.backpressure.low.watermark.tuples", std::int64_t{5});
  b.config().Set("topology.backpressure.high.watermark.bytes", std::int64_t{1000});
  b.config().Set("topology.backpressure.low.watermark.bytes", std::int64_t{500});
  auto plan = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? plan.value() : nullptr;
}

// A data batch for `dest` with `tuples` records of a few bytes each.
inline std::string DataBatch(std::int32_t dest, int tuples) {
  wire::BatchWriter w(wire::BatchKind::kData, dest);
  for (int i = 0; i < tuples; ++i) w.AddData(0, 1, nullptr, 0, "v");
  return w.Take();
}

}  // namespace gale::stmgr::testing
