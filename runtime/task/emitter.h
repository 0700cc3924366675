#pragma once

// Turns emits of one task into per-destination batches. Resolves the stream,
// encodes the values once, asks each subscription's grouping for targets and
// appends one record per target to that target's batch; a batch is sent when
// it is full or on Flush(). Owned and used by one executor thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gale/tuple.h"
#include "gale/value.h"
#include "grouping/grouping.h"
#include "task/task_io.h"
#include "task/task_metrics.h"
#include "plan/plan.h"
#include "wire/codec.h"

namespace gale::task {

struct EmitterOptions {
  // At most the wire's bounds (wire::kMaxBatchBytes relies on them).
  std::size_t batch_max_tuples = wire::kBatchMaxRecords;
  std::size_t batch_max_bytes = wire::kBatchTargetBytes;
  // The container this task runs in, for LOCAL_OR_SHUFFLE; -1 when every
  // task runs in this process (local mode).
  int container = -1;
};

class Emitter {
 public:
  Emitter(std::shared_ptr<const plan::TopologyPlan> plan, std::int32_t task_id, Outbox* outbox,
          TaskMetrics* metrics, EmitterOptions options, std::uint64_t seed);

  // Builds the groupings of every output stream (may run user Prepare code).
  Status Init();

  // Resolves the stream and computes the target tasks of one tuple; the
  // values are encoded into an internal buffer for the Append calls that
  // follow. Throws std::invalid_argument for an undeclared stream, a wrong
  // number of values, values encoding to more than wire::kMaxTupleValueBytes
  // or a direct emit to a task that is not a direct target.
  const std::vector<std::int32_t>& Prepare(std::string_view stream, const Values& values,
                                           int direct_task);

  // Counts one emit on the prepared tuple's stream (the executors count the
  // task's total themselves).
  void CountEmit() {
    if (current_metrics_ != nullptr) current_metrics_->emitted.Add();
  }

  // Appends the prepared tuple to `dest`'s batch with the given anchors.
  void Append(std::int32_t dest, const internal::Anchor* anchors, std::size_t anchor_count);

  // Queues an ack record for the spout task that owns the tree.
  void SendAck(std::int32_t spout_task, const wire::AckRecord& ack);

  // XORs an ack value into the edge of the same tree in the last appended
  // tuple, if that tuple is still buffered: its receiver's ack then carries
  // the value to the spout, which sees the same XOR as from a record of its
  // own, one message fewer. False when there is no such edge (nothing
  // buffered, another tree, more than kMaxFoldAnchors anchors).
  bool FoldAck(std::int32_t spout_task, std::uint64_t root, std::uint64_t value);

  // Sends every non-empty batch and, with `commit`, commits the outbox.
  void Flush(bool commit = true);
  bool HasBuffered() const { return !dirty_.empty(); }

 private:
  struct StreamRoutes {
    const plan::StreamInfo* info = nullptr;
    std::vector<std::unique_ptr<grouping::Grouping>> groupings;  // null for DIRECT
    std::vector<const plan::Subscription*> subscriptions;
  };

  wire::BatchWriter& Writer(std::vector<std::unique_ptr<wire::BatchWriter>>& table,
                            wire::BatchKind kind, std::int32_t dest);
  void MaybeSend(std::vector<std::unique_ptr<wire::BatchWriter>>& table, std::int32_t dest);
  const StreamRoutes& Resolve(std::string_view stream);

  std::shared_ptr<const plan::TopologyPlan> plan_;
  std::int32_t task_id_;
  const plan::ComponentInfo* component_;
  Outbox* outbox_;
  TaskMetrics* metrics_;
  EmitterOptions options_;
  std::uint64_t seed_;

  std::vector<StreamRoutes> routes_;           // by position in component_->streams
  std::vector<std::string> route_names_;
  std::size_t last_route_ = 0;

  const StreamRoutes* current_ = nullptr;
  StreamMetrics* current_metrics_ = nullptr;  // current_'s counters
  std::string encoded_;
  std::vector<wire::Span> spans_;
  std::vector<std::int32_t> targets_;

  std::vector<std::unique_ptr<wire::BatchWriter>> data_batches_;  // by dest task id
  std::vector<std::unique_ptr<wire::BatchWriter>> ack_batches_;   // by dest task id
  struct Dirty {
    bool ack;
    std::int32_t dest;
  };
  std::vector<Dirty> dirty_;

  // The anchors of the last appended tuple, where FoldAck finds their edges.
  static constexpr std::size_t kMaxFoldAnchors = 4;
  struct FoldSpot {
    std::int32_t spout_task;
    std::uint64_t root;
    std::size_t offset;  // of the edge in the batch
  };
  wire::BatchWriter* fold_writer_ = nullptr;
  std::uint64_t fold_generation_ = 0;
  std::size_t fold_count_ = 0;
  FoldSpot fold_spots_[kMaxFoldAnchors];
};

}  // namespace gale::task
