#include "acking/xor_tracker.h"

#include <algorithm>
#include <utility>

#include "common/check.h"

namespace gale::acking {
namespace {

constexpr std::size_t kInitialCapacity = 64;  // a power of two
constexpr int kInitialShift = 58;             // 64 - log2(kInitialCapacity)

// Fibonacci hashing: the top bits of root * 2^64/phi. Spreads sequential
// roots as well as random ones.
constexpr std::uint64_t kHashMultiplier = 0x9E3779B97F4A7C15ULL;

}  // namespace

XorTracker::XorTracker(std::int64_t timeout_ns, int buckets,
                       std::int64_t now_ns)
    // Bad arguments are guarded here only to reach the checks below rather
    // than divide by zero.
    : interval_ns_(timeout_ns > 0 && buckets >= 2
                       ? (timeout_ns + buckets - 2) / (buckets - 1)
                       : 1),
      next_rotation_ns_(now_ns + interval_ns_),
      bucket_count_(buckets >= 2 ? static_cast<std::size_t>(buckets) : 2),
      slots_(kInitialCapacity),
      mask_(kInitialCapacity - 1),
      shift_(kInitialShift) {
  GALE_CHECK(timeout_ns > 0);
  GALE_CHECK(buckets >= 2);
}

std::optional<TreeOutcome> XorTracker::Start(std::uint64_t root,
                                             std::uint64_t msg_id,
                                             std::uint64_t initial,
                                             std::int64_t now_ns) {
  CatchUp(now_ns);
  if (initial == 0) {
    return TreeOutcome{msg_id, TreeOutcome::Kind::kAcked, 0};
  }
  Insert(Slot{root, generation_, initial, msg_id, now_ns});
  return std::nullopt;
}

std::optional<TreeOutcome> XorTracker::Ack(std::uint64_t root,
                                           std::uint64_t value,
                                           std::int64_t now_ns) {
  CatchUp(now_ns);
  const std::size_t index = Find(root);
  if (index == kNotFound) {
    ++unknown_acks_;
    return std::nullopt;
  }
  Slot& slot = slots_[index];
  slot.value ^= value;
  if (slot.value != 0) return std::nullopt;
  return Finish(index, TreeOutcome::Kind::kAcked, now_ns);
}

std::optional<TreeOutcome> XorTracker::Fail(std::uint64_t root,
                                            std::int64_t now_ns) {
  CatchUp(now_ns);
  const std::size_t index = Find(root);
  if (index == kNotFound) {
    ++unknown_acks_;
    return std::nullopt;
  }
  return Finish(index, TreeOutcome::Kind::kFailed, now_ns);
}

void XorTracker::ResetTimeout(std::uint64_t root, std::int64_t now_ns) {
  CatchUp(now_ns);
  const std::size_t index = Find(root);
  if (index == kNotFound || slots_[index].generation == generation_) return;
  slots_[index].generation = generation_;
}

void XorTracker::Advance(std::int64_t now_ns,
                         std::vector<TreeOutcome>* expired) {
  CatchUp(now_ns);
  expired->insert(expired->end(), overdue_.begin(), overdue_.end());
  overdue_.clear();
}

std::int64_t XorTracker::NextRotationNs() const {
  return overdue_.empty() ? next_rotation_ns_ : overdue_since_ns_;
}

void XorTracker::Rotate(std::int64_t now_ns) {
  const std::int64_t due = (now_ns - next_rotation_ns_) / interval_ns_ + 1;
  if (overdue_.empty()) overdue_since_ns_ = next_rotation_ns_;
  // `bucket_count_` rotations retire every live generation; any further ones
  // would find nothing, so they are skipped.
  const std::int64_t performed =
      std::min(due, static_cast<std::int64_t>(bucket_count_));
  for (std::int64_t i = 0; i < performed; ++i) {
    ++generation_;
    // Generations start at 1; early rotations have nothing old enough.
    if (generation_ > bucket_count_) Retire(generation_ - bucket_count_, now_ns);
  }
  if (due > performed) generation_ += static_cast<std::uint64_t>(due - performed);
  next_rotation_ns_ += due * interval_ns_;
}

void XorTracker::Retire(std::uint64_t generation, std::int64_t now_ns) {
  // Collect first: erasing shifts entries, which would upset the scan.
  // Oldest first, as the trees were started.
  expiring_.clear();
  for (const Slot& slot : slots_) {
    if (slot.generation != 0 && slot.generation <= generation) {
      expiring_.push_back({slot.start_ns, slot.root});
    }
  }
  std::sort(expiring_.begin(), expiring_.end());
  for (const auto& [start_ns, root] : expiring_) {
    const std::size_t index = Find(root);
    if (index != kNotFound) {
      overdue_.push_back(Finish(index, TreeOutcome::Kind::kTimedOut, now_ns));
    }
  }
}

TreeOutcome XorTracker::Finish(std::size_t index, TreeOutcome::Kind kind,
                               std::int64_t now_ns) {
  const Slot& slot = slots_[index];
  const TreeOutcome outcome{slot.msg_id, kind, now_ns - slot.start_ns};
  Erase(index);
  return outcome;
}

std::size_t XorTracker::Home(std::uint64_t root) const {
  return static_cast<std::size_t>((root * kHashMultiplier) >> shift_);
}

std::size_t XorTracker::Find(std::uint64_t root) const {
  for (std::size_t i = Home(root);; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.generation == 0) return kNotFound;
    if (slot.root == root) return i;
  }
}

void XorTracker::Insert(const Slot& slot) {
  // Keeps the load factor at most 3/4 so that probe sequences stay short.
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  std::size_t i = Home(slot.root);
  while (slots_[i].generation != 0) {
    GALE_CHECK(slots_[i].root != slot.root);  // root already pending
    i = (i + 1) & mask_;
  }
  slots_[i] = slot;
  ++size_;
}

void XorTracker::Erase(std::size_t index) {
  // Backward-shift deletion: pull later entries of the probe run into the
  // hole unless that would move them before their home slot.
  std::size_t hole = index;
  for (std::size_t i = (hole + 1) & mask_; slots_[i].generation != 0;
       i = (i + 1) & mask_) {
    const std::size_t home = Home(slots_[i].root);
    if (((i - home) & mask_) >= ((i - hole) & mask_)) {
      slots_[hole] = slots_[i];
      hole = i;
    }
  }
  slots_[hole].generation = 0;
  --size_;
}

void XorTracker::Grow() {
  std::vector<Slot> old =
      std::exchange(slots_, std::vector<Slot>(slots_.size() * 2));
  mask_ = slots_.size() - 1;
  --shift_;
  size_ = 0;
  for (const Slot& slot : old) {
    if (slot.generation == 0) continue;
    std::size_t i = Home(slot.root);
    while (slots_[i].generation != 0) i = (i + 1) & mask_;
    slots_[i] = slot;
    ++size_;
  }
}

}  // namespace gale::acking
