#pragma once

// In-memory collectors and a hand-made TopologyContext for unit-testing
// spouts and bolts without the runtime. Single-threaded, like the executor.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gale/gale.h"
#include "gale/internal/tuple_access.h"

namespace gale::test_support {

// A context for task `task_index` of `component` with `parallelism` tasks,
// whose task ids are first_task_id, first_task_id + 1, ...
inline TopologyContext MakeContext(std::string component, int parallelism = 1, int task_index = 0,
                                   int first_task_id = 1) {
  auto layout = std::make_shared<TopologyContext::Layout>();
  layout->topology_name = "test-topology";
  std::vector<int>& tasks = layout->component_tasks[component];
  for (int i = 0; i < parallelism; ++i) tasks.push_back(first_task_id + i);
  return TopologyContext(std::move(layout), std::move(component), first_task_id + task_index,
                         task_index);
}

// A tick tuple, as the runtime delivers with topology.tick.tuple.freq.secs.
inline Tuple MakeTickTuple() {
  Tuple tick =
      Tuple::ForTesting({}, Fields{}, std::string(kSystemComponent), std::string(kTickStream), -1);
  internal::TupleAccess::SetTick(tick, true);
  return tick;
}

// Records every spout emit. With AckImmediately(spout), it calls
// spout->Ack(id) from inside each emit that carries a message id, as the
// runtime does when acking is off.
class FakeSpoutCollector : public SpoutOutputCollector {
 public:
  struct Emit {
    std::string stream;
    Values values;
    std::optional<MessageId> id;
    int direct_task = -1;  // -1: by grouping
  };

  void AckImmediately(Spout* spout) { ack_immediately_ = spout; }

  void ReportError(std::string_view message) override { errors.emplace_back(message); }
  void ReportDropped(std::uint64_t count) override { dropped += count; }

  // The emits' message ids, in order (emits without one are skipped).
  std::vector<MessageId> Ids() const {
    std::vector<MessageId> ids;
    for (const Emit& e : emits) {
      if (e.id) ids.push_back(*e.id);
    }
    return ids;
  }

  void Clear() {
    emits.clear();
    errors.clear();
    dropped = 0;
  }

  std::vector<Emit> emits;
  std::vector<std::string> errors;
  std::uint64_t dropped = 0;  // ReportDropped counts

 protected:
  void DoEmit(std::string_view stream, const Values& values, std::optional<MessageId> id,
              int direct_task) override {
    emits.push_back(Emit{std::string(stream), values, id, direct_task});
    if (ack_immediately_ != nullptr && id) ack_immediately_->Ack(*id);
  }

 private:
  Spout* ack_immediately_ = nullptr;
};

// Records every bolt emit, ack, fail and timeout reset. Tuples are recorded
// by address: keep them alive while inspecting the record.
class FakeOutputCollector : public OutputCollector {
 public:
  struct Emit {
    std::string stream;
    Values values;
    std::vector<const Tuple*> anchors;
    int direct_task = -1;  // -1: by grouping
  };

  void Ack(const Tuple& tuple) override {
    acked_text_.push_back(tuple.ToString());
    acked.push_back(&tuple);
    ++settled_[&tuple];
  }
  void Fail(const Tuple& tuple) override {
    failed.push_back(&tuple);
    ++settled_[&tuple];
  }
  void ResetTimeout(const Tuple& tuple) override { timeouts_reset.push_back(&tuple); }
  void ReportError(std::string_view message) override { errors.emplace_back(message); }
  void ReportDropped(std::uint64_t count) override { dropped += count; }

  // How many times `tuple` was acked or failed (1 is the only right answer
  // once Execute returned, when acking is on).
  int Settlements(const Tuple& tuple) const {
    auto it = settled_.find(&tuple);
    return it == settled_.end() ? 0 : it->second;
  }
  // The tuple itself, or a copy of it with the same values, was acked.
  bool WasAcked(const Tuple& tuple) const {
    if (Count(acked, tuple) > 0) return true;
    for (const std::string& text : acked_text_) {
      if (text == tuple.ToString()) return true;
    }
    return false;
  }
  bool WasFailed(const Tuple& tuple) const { return Count(failed, tuple) > 0; }

  void Clear() {
    emits.clear();
    acked.clear();
    acked_text_.clear();
    failed.clear();
    timeouts_reset.clear();
    errors.clear();
    dropped = 0;
    settled_.clear();
  }

  std::vector<Emit> emits;
  std::vector<const Tuple*> acked;
  std::vector<const Tuple*> failed;
  std::vector<const Tuple*> timeouts_reset;
  std::vector<std::string> errors;
  std::uint64_t dropped = 0;  // ReportDropped counts

 protected:
  void DoEmit(std::string_view stream, const Tuple* const* anchors, std::size_t anchor_count,
              const Values& values, int direct_task) override {
    emits.push_back(Emit{std::string(stream), values,
                         std::vector<const Tuple*>(anchors, anchors + anchor_count), direct_task});
  }

 private:
  static std::size_t Count(const std::vector<const Tuple*>& list, const Tuple& tuple) {
    std::size_t n = 0;
    for (const Tuple* t : list) n += (t == &tuple);
    return n;
  }

  std::map<const Tuple*, int> settled_;
  std::vector<std::string> acked_text_;
};

}  // namespace gale::test_support
