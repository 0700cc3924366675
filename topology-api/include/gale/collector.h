#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gale/tuple.h"
#include "gale/value.h"

namespace gale {

namespace internal {
// EmitDirect needs a real task id; a negative one is a programming error.
void CheckDirectTask(int task);
}  // namespace internal

// Emits for a spout. Owned by the runtime; valid from Open until Close and
// used only on the spout's executor thread. Values are encoded during the
// call, so a component may reuse one Values object for every emit. Emit with a message id to have
// the tuple tree tracked (Ack/Fail come back with that id when acking is on).
class SpoutOutputCollector {
 public:
  virtual ~SpoutOutputCollector() = default;

  void Emit(const Values& values) { DoEmit(kDefaultStream, values, std::nullopt, -1); }
  void Emit(const Values& values, MessageId id) { DoEmit(kDefaultStream, values, id, -1); }
  void Emit(std::string_view stream, const Values& values) {
    DoEmit(stream, values, std::nullopt, -1);
  }
  void Emit(std::string_view stream, const Values& values, MessageId id) {
    DoEmit(stream, values, id, -1);
  }
  // To one task of a component subscribed with DIRECT grouping.
  void EmitDirect(int task, const Values& values) {
    internal::CheckDirectTask(task);
    DoEmit(kDefaultStream, values, std::nullopt, task);
  }
  void EmitDirect(int task, const Values& values, MessageId id) {
    internal::CheckDirectTask(task);
    DoEmit(kDefaultStream, values, id, task);
  }
  void EmitDirect(int task, std::string_view stream, const Values& values) {
    internal::CheckDirectTask(task);
    DoEmit(stream, values, std::nullopt, task);
  }
  void EmitDirect(int task, std::string_view stream, const Values& values, MessageId id) {
    internal::CheckDirectTask(task);
    DoEmit(stream, values, id, task);
  }

  // Logs the error and counts it for the component; the spout keeps running.
  virtual void ReportError(std::string_view message) = 0;
  // Counts `count` records the spout dropped and nothing will replay (given
  // up on after its retries, skipped by policy). They show as `dropped` in
  // `gale status`; say why through ReportError. (Not pure, so collectors
  // written before it existed, such as test fakes, still compile.)
  virtual void ReportDropped(std::uint64_t count = 1) { (void)count; }

 protected:
  // direct_task < 0 means "by grouping".
  virtual void DoEmit(std::string_view stream, const Values& values, std::optional<MessageId> id,
                      int direct_task) = 0;
};

// Emits, acks and fails for a bolt. Owned by the runtime; valid from Prepare
// until Cleanup and used only on the bolt's executor thread. Values are
// encoded during the call, so a component may reuse one Values object.
class OutputCollector {
 public:
  using Anchors = std::vector<const Tuple*>;

  virtual ~OutputCollector() = default;

  // Anchored: the new tuple joins the trees of its anchors.
  void Emit(const Tuple& anchor, const Values& values) {
    const Tuple* a[] = {&anchor};
    DoEmit(kDefaultStream, a, 1, values, -1);
  }
  void Emit(std::string_view stream, const Tuple& anchor, const Values& values) {
    const Tuple* a[] = {&anchor};
    DoEmit(stream, a, 1, values, -1);
  }
  void Emit(const Anchors& anchors, const Values& values) {
    DoEmit(kDefaultStream, anchors.data(), anchors.size(), values, -1);
  }
  void Emit(std::string_view stream, const Anchors& anchors, const Values& values) {
    DoEmit(stream, anchors.data(), anchors.size(), values, -1);
  }
  // Unanchored: not tracked.
  void Emit(const Values& values) { DoEmit(kDefaultStream, nullptr, 0, values, -1); }
  void Emit(std::string_view stream, const Values& values) {
    DoEmit(stream, nullptr, 0, values, -1);
  }
  // To one task of a component subscribed with DIRECT grouping.
  void EmitDirect(int task, const Tuple& anchor, const Values& values) {
    const Tuple* a[] = {&anchor};
    DoEmit(kDefaultStream, a, 1, values, task);
  }
  void EmitDirect(int task, std::string_view stream, const Tuple& anchor, const Values& values) {
    const Tuple* a[] = {&anchor};
    DoEmit(stream, a, 1, values, task);
  }
  void EmitDirect(int task, const Anchors& anchors, const Values& values) {
    internal::CheckDirectTask(task);
    DoEmit(kDefaultStream, anchors.data(), anchors.size(), values, task);
  }
  void EmitDirect(int task, const Values& values) {
    internal::CheckDirectTask(task);
    DoEmit(kDefaultStream, nullptr, 0, values, task);
  }
  void EmitDirect(int task, std::string_view stream, const Values& values) {
    internal::CheckDirectTask(task);
    DoEmit(stream, nullptr, 0, values, task);
  }

  // Every tuple handed to Execute must be acked or failed exactly once when
  // acking is on; a second ack or fail is logged once and counted.
  virtual void Ack(const Tuple& tuple) = 0;
  virtual void Fail(const Tuple& tuple) = 0;
  // Restarts the message timeout of every tree the tuple belongs to.
  virtual void ResetTimeout(const Tuple& tuple) = 0;
  // Logs the error and counts it for the component; the bolt keeps running.
  virtual void ReportError(std::string_view message) = 0;
  // Counts `count` inputs the bolt dropped on purpose (acked without doing
  // their work, e.g. skipped by policy). They show as `dropped` in `gale
  // status`. A failed tuple that no spout replays (acking off, unanchored
  // input) is counted there by the runtime; do not count it again.
  virtual void ReportDropped(std::uint64_t count = 1) { (void)count; }

 protected:
  virtual void DoEmit(std::string_view stream, const Tuple* const* anchors,
                      std::size_t anchor_count, const Values& values, int direct_task) = 0;
};

}  // namespace gale
