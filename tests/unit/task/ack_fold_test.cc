// A bolt's ack travels to the spout either as an ack record of its own or
// folded into the edge of a tuple it emitted on the same tree that is still
// buffered (Emitter::FoldAck). Either way the spout must see exactly the XOR
// it would have seen from the record: the tree completes once every emitted
// tuple is acked, and not before. These tests feed a bolt executor anchored
// input, take what it sends, and play the spout's and the receivers' part.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
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

// How FoldingTestBolt treats each input tuple.
enum class Mode {
  kEmitThenAck,        // Storm's usual bolt: anchored children, then the ack
  kAckThenEmit,        // the ack first: nothing of the tree is buffered yet
  kEmitUnanchored,     // children carry no tree
  kEmitNothing,        // a filter that drops the tuple
  kJoinPairs,          // every second input: one child anchored to both inputs
};
Mode g_mode = Mode::kEmitThenAck;
int g_children = 3;

class IdleSpout : public Spout {
 public:
  void Open(const Config&, const TopologyContext&, SpoutOutputCollector&) override {}
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"n"}); }
};

class FoldingTestBolt : public Bolt {
 public:
  void Prepare(const Config&, const TopologyContext&, OutputCollector& collector) override {
    collector_ = &collector;
  }
  void Execute(const Tuple& tuple) override {
    switch (g_mode) {
      case Mode::kEmitThenAck:
        for (int i = 0; i < g_children; ++i) collector_->Emit(tuple, {std::int64_t{i}});
        collector_->Ack(tuple);
        break;
      case Mode::kAckThenEmit:
        collector_->Ack(tuple);
        for (int i = 0; i < g_children; ++i) collector_->Emit({std::int64_t{i}});
        break;
      case Mode::kEmitUnanchored:
        for (int i = 0; i < g_children; ++i) collector_->Emit({std::int64_t{i}});
        collector_->Ack(tuple);
        break;
      case Mode::kEmitNothing:
        collector_->Ack(tuple);
        break;
      case Mode::kJoinPairs:
        if (held_ == nullptr) {
          held_ = std::make_unique<Tuple>(tuple);
          break;
        }
        collector_->Emit(std::vector<const Tuple*>{held_.get(), &tuple}, {std::int64_t{0}});
        collector_->Ack(*held_);
        collector_->Ack(tuple);
        held_.reset();
        break;
    }
  }
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"n"}); }

 private:
  OutputCollector* collector_ = nullptr;
  std::unique_ptr<Tuple> held_;
};

class LeafBolt : public Bolt {
 public:
  void Prepare(const Config&, const TopologyContext&, OutputCollector&) override {}
  void Execute(const Tuple&) override {}
};
GALE_REGISTER_SPOUT(IdleSpout);
GALE_REGISTER_BOLT(FoldingTestBolt);
GALE_REGISTER_BOLT(LeafBolt);

// What the bolt under test (task 2) sent, and the spout's (task 1) XOR per
// root after the edges it started each tree with.
struct Outcome {
  int ack_records = 0;
  int data_records = 0;
  std::map<std::uint64_t, std::uint64_t> before_children;  // XOR with the bolt's own acks
  std::map<std::uint64_t, std::uint64_t> after_children;   // and every child acked by a leaf
};

// Runs the bolt under test over `inputs` tuples, each the root of its own
// tree (root r, edge 0x9e37... * r), and plays the spout and the leaves.
Outcome RunBolt(int inputs) {
  TopologyBuilder b("ack-fold");
  b.SetSpout("src", "IdleSpout");
  b.SetBolt("mid", "FoldingTestBolt").ShuffleGrouping("src");
  b.SetBolt("leaf", "LeafBolt", 2).ShuffleGrouping("mid");
  b.config().Set("topology.acking", true);
  auto plan = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  const std::uint32_t stream = plan.value()->streams().at(0).index;

  Outcome out;
  std::string values;
  std::vector<wire::Span> spans;
  wire::EncodeValues({std::int64_t{7}}, &values, &spans);
  wire::BatchWriter w(wire::BatchKind::kData, 2);
  for (int r = 1; r <= inputs; ++r) {
    internal::Anchor a{1, static_cast<std::uint64_t>(r), 0x9e3779b97f4a7c15ULL * r};
    w.AddData(stream, 1, &a, 1, values);
    out.before_children[a.root] = a.edge;
  }

  OnceRun run;
  run.inbox.batches.push_back(w.Take());
  EXPECT_TRUE(run.Run(plan.value(), 2, 5).ok());
  EXPECT_EQ(run.metrics.acked.Get(), static_cast<std::uint64_t>(inputs));

  std::map<std::uint64_t, std::uint64_t> children;  // what the leaves' acks XOR in
  for (const auto& [dest, batch] : run.outbox.sent) {
    auto reader = wire::BatchReader::Open(batch);
    EXPECT_TRUE(reader.ok());
    if (reader->kind() == wire::BatchKind::kAck) {
      EXPECT_EQ(dest, 1);
      wire::AckRecord ack;
      while (reader->NextAck(&ack)) {
        EXPECT_EQ(ack.kind, wire::AckKind::kAck);
        out.before_children[ack.root] ^= ack.value;
        ++out.ack_records;
      }
    } else {
      wire::DataRecord record;
      while (reader->NextData(&record)) {
        ++out.data_records;
        for (const internal::Anchor& a : record.anchors) {
          EXPECT_EQ(a.spout_task, 1);
          children[a.root] ^= a.edge;  // a leaf acks with the edge it received
        }
      }
    }
    EXPECT_TRUE(reader->status().ok());
  }
  out.after_children = out.before_children;
  for (const auto& [root, x] : children) out.after_children[root] ^= x;
  return out;
}

void ExpectEveryTreeCompletes(const Outcome& out) {
  for (const auto& [root, x] : out.after_children) {
    EXPECT_EQ(x, 0u) << "tree " << root << " never completes";
  }
}

void ExpectNoTreeCompletesBeforeItsChildren(const Outcome& out) {
  for (const auto& [root, x] : out.before_children) {
    EXPECT_NE(x, 0u) << "tree " << root << " completes before its children are acked";
  }
}

TEST(AckFold, AnAckAfterAnchoredEmitsRidesOnTheLastChildInsteadOfARecord) {
  g_mode = Mode::kEmitThenAck;
  g_children = 3;
  Outcome out = RunBolt(50);
  EXPECT_EQ(out.data_records, 150);
  EXPECT_EQ(out.ack_records, 0);  // every ack folded: no ack batch to the spout
  ExpectEveryTreeCompletes(out);
  ExpectNoTreeCompletesBeforeItsChildren(out);
}

TEST(AckFold, ChildrenSpanningAFullBatchStillCompleteTheTree) {
  // 1,500 children of one input: the first batch towards a leaf leaves full
  // while Execute still runs; the ack folds into a child of a later batch.
  g_mode = Mode::kEmitThenAck;
  g_children = 1500;
  Outcome out = RunBolt(3);
  EXPECT_EQ(out.data_records, 4500);
  ExpectEveryTreeCompletes(out);
  ExpectNoTreeCompletesBeforeItsChildren(out);
}

TEST(AckFold, WithNothingOfTheTreeBufferedTheAckIsARecord) {
  for (Mode mode : {Mode::kAckThenEmit, Mode::kEmitUnanchored, Mode::kEmitNothing}) {
    SCOPED_TRACE(static_cast<int>(mode));
    g_mode = mode;
    g_children = 2;
    Outcome out = RunBolt(20);
    EXPECT_EQ(out.ack_records, 20);
    // Nothing of the trees went on: the bolt's acks alone complete them.
    for (const auto& [root, x] : out.before_children) EXPECT_EQ(x, 0u) << root;
  }
}

TEST(AckFold, AChildOfTwoTreesCarriesTheAcksOfBoth) {
  g_mode = Mode::kJoinPairs;
  Outcome out = RunBolt(40);
  EXPECT_EQ(out.data_records, 20);
  EXPECT_EQ(out.ack_records, 0);
  ExpectEveryTreeCompletes(out);
  ExpectNoTreeCompletesBeforeItsChildren(out);
}

}  // namespace
}  // namespace gale::task
