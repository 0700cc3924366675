#pragma once

// Small helpers shared by the built-in spouts. Not installed.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gale/gale.h"

namespace gale::builtin {

// Bounds of the built-in spouts' numeric properties (DeclareConfig ranges):
// counts and start values stay exact in a double; seeds leave room for
// + TaskIndex() without overflow.
inline constexpr double kMaxCount = 1e15;
inline constexpr double kMaxSpoutSeed = 9e15;
inline constexpr double kMaxBatch = 10000;

// splitmix64: a fast generator whose output is fully specified, so a seed
// gives the same sequence everywhere. Not thread-safe.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // A value in [0, bound) for bound < 2^32 (multiply-shift, no modulo).
  std::uint32_t Below(std::uint32_t bound) {
    return static_cast<std::uint32_t>(((Next() >> 32) * bound) >> 32);
  }

 private:
  std::uint64_t state_;
};

// "component 'x'" from the config's owner, or `class_name` when it has none.
inline std::string OwnerName(const Config& config, std::string_view class_name) {
  return config.owner().empty() ? std::string(class_name) : config.owner();
}

// Returns `value`, or throws ConfigError naming `key` when it is below `min`.
inline std::int64_t CheckAtLeast(const Config& config, std::string_view class_name,
                                 std::string_view key, std::int64_t value, std::int64_t min) {
  if (value < min) {
    throw ConfigError(OwnerName(config, class_name) + ": property '" + std::string(key) +
                      "' must be >= " + std::to_string(min) + ", got " + std::to_string(value));
  }
  return value;
}

// The reliable spouts' bookkeeping: messages emitted and not yet acked, each
// with the payload needed to emit it again, and the failed ones waiting to be
// replayed (each queued once, however often it fails meanwhile).
template <typename Payload>
class ReplayBuffer {
 public:
  // Records a message; call it before emitting (with acking off the runtime
  // acks right after NextTuple).
  Payload& Add(MessageId id, Payload payload) {
    return pending_.insert_or_assign(id, Entry{std::move(payload), false}).first->second.payload;
  }
  void Ack(MessageId id) { pending_.erase(id); }
  // The payload of a pending message that is not queued yet, or nullptr.
  Payload* FailedPayload(MessageId id) {
    auto it = pending_.find(id);
    return it == pending_.end() || it->second.queued ? nullptr : &it->second.payload;
  }
  // Queues a pending message for replay; false when unknown or queued.
  bool Queue(MessageId id) {
    auto it = pending_.find(id);
    if (it == pending_.end() || it->second.queued) return false;
    it->second.queued = true;
    replay_.push_back(id);
    return true;
  }
  // Forgets a message for good (given up on).
  void Drop(MessageId id) { pending_.erase(id); }
  // The next message to emit again, skipping ones acked since they failed;
  // false when none waits.
  bool NextReplay(MessageId* id, const Payload** payload) {
    while (!replay_.empty()) {
      MessageId next = replay_.front();
      replay_.pop_front();
      auto it = pending_.find(next);
      if (it == pending_.end()) continue;
      it->second.queued = false;
      *id = next;
      *payload = &it->second.payload;
      return true;
    }
    return false;
  }
  bool empty() const { return pending_.empty(); }

 private:
  struct Entry {
    Payload payload;
    bool queued;
  };
  std::unordered_map<MessageId, Entry> pending_;
  std::deque<MessageId> replay_;
};

}  // namespace gale::builtin
