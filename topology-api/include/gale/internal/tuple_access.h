#pragma once

// Runtime-only access to a Tuple's routing and acking state. Not part of the
// user API: user code must not include this header.

#include <cstdint>
#include <vector>

#include "gale/tuple.h"

namespace gale::internal {

struct TupleAccess {
  static Values& values(Tuple& t) { return t.values_; }
  static void SetSource(Tuple& t, const StreamMeta* meta, int source_task, int dest_task) {
    t.meta_ = meta;
    t.source_task_ = source_task;
    t.dest_task_ = dest_task;
  }
  static void SetTick(Tuple& t, bool tick) { t.tick_ = tick; }
  static std::vector<Anchor>& anchors(Tuple& t) { return t.anchors_; }
  static const std::vector<Anchor>& anchors(const Tuple& t) { return t.anchors_; }
  static int dest_task(const Tuple& t) { return t.dest_task_; }
  // The plan's index of the stream the tuple arrived on, or kNoStreamIndex.
  static std::uint32_t stream_index(const Tuple& t) {
    return t.meta_ == nullptr ? kNoStreamIndex : t.meta_->index;
  }
  static std::uint64_t& out_xor(const Tuple& t) { return t.out_xor_; }
  static bool& settled(const Tuple& t) { return t.settled_; }
  // Prepares a reused tuple for the next arriving record.
  static void ResetState(Tuple& t) {
    t.anchors_.clear();
    t.out_xor_ = 0;
    t.settled_ = false;
    t.tick_ = false;
  }
};

}  // namespace gale::internal
