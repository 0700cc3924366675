// The size limits of what a task emits (wire/codec.h): a tuple whose values
// encode to more than wire::kMaxTupleValueBytes is refused at the emit, and
// every batch the emitter sends fits the largest message a socket accepts
// (transport::kMaxMessageBytes), so no legitimate batch is ever cut off.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "gale/gale.h"
#include "plan/plan.h"
#include "support/task_io_fakes.h"
#include "task/emitter.h"
#include "transport/zmq_util.h"
#include "wire/codec.h"

namespace gale::task {
namespace {

using test_support::KeepingOutbox;

class QuietSpout : public Spout {
 public:
  void Open(const Config&, const TopologyContext&, SpoutOutputCollector&) override {}
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"blob"}); }
};
class QuietBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
};
GALE_REGISTER_SPOUT(QuietSpout);
GALE_REGISTER_BOLT(QuietBolt);

struct Fixture {
  Fixture() {
    TopologyBuilder b("limits");
    b.SetSpout("src", "QuietSpout");
    b.SetBolt("sink", "QuietBolt").ShuffleGrouping("src");
    auto built = plan::TopologyPlan::Build(b.Build(), Registry::Global());
    EXPECT_TRUE(built.ok()) << built.status().message();
    plan = built.value();
    emitter = std::make_unique<Emitter>(plan, 1, &outbox, &metrics, EmitterOptions{}, 5);
    EXPECT_TRUE(emitter->Init().ok());
  }
  void Emit(std::size_t bytes) {
    for (std::int32_t t : emitter->Prepare("default", {std::string(bytes, 'x')}, -1)) {
      emitter->Append(t, nullptr, 0);
    }
  }
  std::shared_ptr<const plan::TopologyPlan> plan;
  KeepingOutbox outbox;
  TaskMetrics metrics;
  std::unique_ptr<Emitter> emitter;
};

TEST(EmitLimits, ATupleOverTheLimitIsRefusedWithTheSizesNamed) {
  Fixture f;
  try {
    f.Emit(wire::kMaxTupleValueBytes);  // plus its tag and length: over
    FAIL() << "the emit was accepted";
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("component 'src'"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(wire::kMaxTupleValueBytes)), std::string::npos) << what;
  }
  f.emitter->Flush();
  EXPECT_TRUE(f.outbox.sent.empty()) << "part of a refused tuple was sent";
}

TEST(EmitLimits, EveryBatchFitsTheLargestMessageASocketAccepts) {
  Fixture f;
  // The largest tuple accepted, after a batch almost at its target size.
  std::size_t largest = wire::kMaxTupleValueBytes - 16;
  f.Emit(wire::kBatchTargetBytes - 200);
  f.Emit(largest);
  f.Emit(10);
  f.emitter->Flush();
  ASSERT_FALSE(f.outbox.sent.empty());
  std::size_t biggest = 0;
  for (const auto& [dest, batch] : f.outbox.sent) {
    EXPECT_EQ(dest, 2);
    biggest = std::max(biggest, batch.size());
    EXPECT_LE(batch.size(), wire::kMaxBatchBytes);
    EXPECT_LE(static_cast<std::int64_t>(batch.size()), transport::kMaxMessageBytes);
  }
  EXPECT_GT(biggest, largest);  // the big tuple did go, whole
}

}  // namespace
}  // namespace gale::task
