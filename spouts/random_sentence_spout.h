#pragma once

#include <cstdint>
#include <optional>

#include "gale/gale.h"
#include "spouts/spout_support.h"

namespace gale::builtin {

// Emits field `sentence`: sentences drawn at random from a fixed list of ten,
// like Storm's starter example.
//
// Properties:
//   seed      int   generator seed; each task uses seed + TaskIndex()
//                   (default 42), so tasks differ but runs repeat.
//   count     int   optional: sentences this task emits, then it is
//                   exhausted once none is pending. Unbounded when absent.
//   reliable  bool  default true: emit with message ids and replay failed
//                   sentences (at-least-once); false emits untracked tuples.
//   batch     int   tuples per NextTuple call, default 1.
class RandomSentenceSpout : public Spout {
 public:
  // The sentences, in a fixed order.
  static constexpr std::size_t kSentenceCount = 10;
  static const std::string_view kSentences[kSentenceCount];

  void Open(const Config& config, const TopologyContext& context,
            SpoutOutputCollector& collector) override;
  void NextTuple() override;
  void Ack(MessageId id) override;
  void Fail(MessageId id) override;
  bool Exhausted() const override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Int("seed", 42, "task i draws with seed + i")
        .Range(-kMaxSpoutSeed, kMaxSpoutSeed)
        .Declare("count", ConfigType::kInt, "sentences per task; unset: without end")
        .Range(0, kMaxCount)
        .Bool("reliable", true, "emit with message ids")
        .Int("batch", 1, "sentences per NextTuple call")
        .Range(1, kMaxBatch);
  }

 private:
  SpoutOutputCollector* collector_ = nullptr;
  SplitMix64 rng_{42};
  std::optional<std::uint64_t> limit_;  // `count`
  std::uint64_t emitted_ = 0;           // new sentences, replays excluded
  bool reliable_ = true;
  std::int64_t batch_ = 1;
  MessageId next_id_ = 1;
  // Emitted, not yet acked: the index of each sentence in kSentences.
  ReplayBuffer<std::uint32_t> pending_;
  Values out_{std::string()};  // reused for every emit
};

}  // namespace gale::builtin
