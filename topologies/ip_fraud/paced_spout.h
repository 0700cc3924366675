#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <unordered_map>

#include "gale/gale.h"

namespace gale::examples {

// Base of the example producers: emits one generated tuple every
// interval.ms, reliably (a failed tuple is replayed with the same values).
// Task i of P emits sequence numbers i, i+P, ... below `count`.
//
// Properties:
//   interval.ms  int  pause between two tuples of one task, default 100;
//                     0 emits as fast as the topology takes them.
//   count        int  how many tuples all tasks emit together; default -1,
//                     without end. Exhausted once all were emitted and acked.
//   seed         int  default 42; task i generates with seed + i.
class PacedSpout : public Spout {
 public:
  void Open(const Config& config, const TopologyContext& context,
            SpoutOutputCollector& collector) final;
  void NextTuple() final;
  void Ack(MessageId id) final;
  void Fail(MessageId id) final;
  bool Exhausted() const final;
  // PacedSpout's keys; subclasses add theirs in DeclareOwnConfig.
  void DeclareConfig(ConfigDeclarer& declarer) const final {
    declarer.Int("interval.ms", 100, "milliseconds between tuples of one task")
        .Range(0, 3'600'000)
        .Int("count", -1, "tuples of all tasks together; -1: without end")
        .Range(-1, 1e15)
        .Int("seed", 42, "task i generates with seed + i")
        .Range(-9e15, 9e15);
    DeclareOwnConfig(declarer);
  }

 protected:
  // Reads the subclass's own properties (called by Open).
  virtual void Configure(const Config& /*config*/) {}
  // The keys Configure reads.
  virtual void DeclareOwnConfig(ConfigDeclarer& /*declarer*/) const {}
  // The values of tuple number `sequence`.
  virtual Values Make(std::uint64_t sequence) = 0;
  std::mt19937_64& random() { return random_; }

 private:
  using Clock = std::chrono::steady_clock;

  SpoutOutputCollector* collector_ = nullptr;
  std::mt19937_64 random_;
  Clock::duration interval_{};
  Clock::time_point next_emit_{};
  std::int64_t count_ = -1;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t stride_ = 1;
  std::unordered_map<MessageId, Values> in_flight_;
  std::deque<MessageId> replay_;
};

}  // namespace gale::examples
