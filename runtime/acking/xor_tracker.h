#pragma once

// XorTracker follows the tuple trees of one spout task (Storm's XOR acking)
// and times out the ones that do not complete (Heron's rotating buckets).
//
// Tuple trees. Every edge of a tree (a tuple sent to one consumer) gets a
// random 64-bit id. The tree's value is the XOR of all edge ids seen so far:
// the spout starts it with the XOR of the edges it emitted, and each bolt, on
// acking an input edge, sends `input_edge ^ each edge it emitted anchored to
// it`. Every edge is thus XORed in exactly twice, once created and once
// acked, and the value returns to zero exactly when the whole tree is done
// (up to a 2^-64 chance of a premature zero).
//
//   spout --e1--> A --e2--> C        Start(root, e1)
//                 \--e3--> D        Ack(root, e1^e2^e3)    from A
//                                   Ack(root, e2)          from C
//                                   Ack(root, e3)          from D -> 0: acked
//
// Timeouts. Time is cut into generations of `interval = ceil(timeout_ns /
// (buckets - 1))`. A tree belongs to the generation in which it was started
// (or last reset). Every interval the buckets (generations) rotate: the
// trees of the oldest generation time out.
//
//   generation:     g-3       g-2       g-1        g    <- Start/ResetTimeout
//                +-------+ +-------+ +-------+ +-------+
//   buckets:     | r7    | | r2 r9 | |       | | r4 r1 |
//                +-------+ +-------+ +-------+ +-------+
//                    ^ times out at the next rotation
//
// A tree therefore times out after more than (buckets - 1) * interval
// (>= timeout_ns) and at most buckets * interval (= timeout_ns * buckets /
// (buckets - 1) when buckets - 1 divides timeout_ns).
//
// Layout. Trees live in an open-addressing hash table keyed by root (linear
// probing, backward-shift deletion, doubling growth), so Ack costs one lookup
// and a steady load allocates nothing. A slot records the generation of its
// tree; 0 marks an empty slot, which leaves every root (0 included) usable.
// A rotation scans the table for slots of the expiring generation (a few
// passes over live trees every `interval`), so memory follows the trees in
// flight, not the rate at which trees are started.
//
// Time. Every call taking now_ns first performs the rotations due by then,
// so a tree past its deadline can no longer be acked; trees timed out that
// way are handed out by the next Advance(). now_ns must not decrease.
//
// Thread-safety: none; a tracker belongs to one thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace gale::acking {

// What became of one tuple tree.
struct TreeOutcome {
  enum class Kind { kAcked, kFailed, kTimedOut };

  std::uint64_t msg_id = 0;  // the spout's MessageId
  Kind kind = Kind::kAcked;
  std::int64_t latency_ns = 0;  // completion (or expiry) time - start time

  friend bool operator==(const TreeOutcome&, const TreeOutcome&) = default;
};

class XorTracker {
 public:
  // Trees not completed within timeout_ns (> 0) fail with kTimedOut. Expiry
  // uses `buckets` (>= 2) rotating buckets: see the header comment for the
  // exact window. now_ns is the origin of the rotation schedule.
  XorTracker(std::int64_t timeout_ns, int buckets, std::int64_t now_ns);

  // Starts a tree. `initial` is the XOR of the edge ids the spout emitted for
  // it; 0 (the tuple went nowhere) completes the tree at once and returns
  // kAcked with latency 0. `root` must not be pending (roots are random, so a
  // clash is a broken invariant and aborts).
  std::optional<TreeOutcome> Start(std::uint64_t root, std::uint64_t msg_id,
                                   std::uint64_t initial, std::int64_t now_ns);

  // XORs `value` into the tree; returns kAcked when it reaches zero. An
  // unknown root (done, timed out, never started) returns nullopt and is
  // counted in unknown_acks().
  std::optional<TreeOutcome> Ack(std::uint64_t root, std::uint64_t value,
                                 std::int64_t now_ns);

  // Fails the tree at once (kFailed). Unknown root: nullopt, counted in
  // unknown_acks().
  std::optional<TreeOutcome> Fail(std::uint64_t root, std::int64_t now_ns);

  // Restarts the tree's timeout from now_ns (its latency still counts from
  // Start). Unknown root: ignored.
  void ResetTimeout(std::uint64_t root, std::int64_t now_ns);

  // Performs the rotations due by now_ns and appends every tree timed out
  // since the last call to *expired (kTimedOut, oldest generation first).
  void Advance(std::int64_t now_ns, std::vector<TreeOutcome>* expired);

  // Earliest now_ns for which Advance() may report something; at or before
  // the present when timed-out trees are waiting to be reported.
  std::int64_t NextRotationNs() const;

  // Trees started whose outcome has not been returned yet (including timed
  // out ones waiting for Advance()).
  std::size_t pending() const { return size_ + overdue_.size(); }

  // Acks and fails that named an unknown root.
  std::uint64_t unknown_acks() const { return unknown_acks_; }

  // Whether `root` is a tree that Ack() would find.
  bool Contains(std::uint64_t root) const { return Find(root) != kNotFound; }

  // Slots in the hash table (memory use is ~40 bytes per slot).
  std::size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint64_t root;
    std::uint64_t generation;  // 0: empty slot
    std::uint64_t value;
    std::uint64_t msg_id;
    std::int64_t start_ns;
  };

  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

  std::size_t Home(std::uint64_t root) const;
  std::size_t Find(std::uint64_t root) const;
  void Insert(const Slot& slot);
  void Erase(std::size_t index);
  void Grow();
  TreeOutcome Finish(std::size_t index, TreeOutcome::Kind kind,
                     std::int64_t now_ns);
  // Performs the rotations due by now_ns, queueing expired trees in overdue_.
  void CatchUp(std::int64_t now_ns) {
    if (now_ns >= next_rotation_ns_) Rotate(now_ns);
  }
  void Rotate(std::int64_t now_ns);
  void Retire(std::uint64_t generation, std::int64_t now_ns);

  const std::int64_t interval_ns_;
  std::int64_t next_rotation_ns_;
  std::uint64_t generation_ = 1;    // the newest generation; never 0
  const std::size_t bucket_count_;
  std::vector<std::pair<std::int64_t, std::uint64_t>> expiring_;  // Retire's scratch

  std::vector<Slot> slots_;  // size is a power of two
  std::size_t mask_ = 0;
  int shift_ = 0;  // 64 - log2(slots_.size())
  std::size_t size_ = 0;

  std::vector<TreeOutcome> overdue_;  // timed out, not yet reported
  std::int64_t overdue_since_ns_ = 0;
  std::uint64_t unknown_acks_ = 0;
};

}  // namespace gale::acking
