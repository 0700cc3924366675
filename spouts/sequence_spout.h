#pragma once

#include <cstdint>

#include "gale/gale.h"
#include "spouts/spout_support.h"

namespace gale::builtin {

// Emits field `id` (int): the integers start .. start+count-1, each once per
// run (more often only when replayed). Task i of P emits start+i,
// start+i+P, ..., so the union over the tasks is exactly the whole range.
// The message id of a tuple is its value; failed ids are replayed in the
// order they failed.
//
// Properties:
//   count        int  required, >= 0: how many ids all tasks emit together.
//   start        int  first id, default 1.
//   max.replays  int  times one id may be replayed; a negative value (the
//                     default) means without limit. An id that fails once
//                     more is dropped and reported through ReportError.
//   batch        int  tuples per NextTuple call, default 1.
//
// Exhausted once every id was emitted and none is in flight or waiting for
// replay.
class SequenceSpout : public Spout {
 public:
  void Open(const Config& config, const TopologyContext& context,
            SpoutOutputCollector& collector) override;
  void NextTuple() override;
  void Ack(MessageId id) override;
  void Fail(MessageId id) override;
  bool Exhausted() const override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Declare("count", ConfigType::kInt, "numbers per task (required)")
        .Range(0, kMaxCount)
        .Int("start", 1, "first number")
        .Range(-kMaxCount, kMaxCount)
        .Int("max.replays", -1, "replays per number; -1: no limit")
        .Range(-1, 1'000'000'000)
        .Int("batch", 1, "numbers per NextTuple call")
        .Range(1, kMaxBatch);
  }

  // Ids given up on after max.replays.
  std::uint64_t dropped() const { return dropped_; }

 private:

  void EmitId(MessageId id);

  SpoutOutputCollector* collector_ = nullptr;
  std::int64_t start_ = 1;
  std::uint64_t count_ = 0;
  std::uint64_t next_offset_ = 0;  // next offset from start_ this task emits
  std::uint64_t stride_ = 1;       // parallelism
  std::int64_t max_replays_ = -1;
  std::int64_t batch_ = 1;
  std::uint64_t dropped_ = 0;
  ReplayBuffer<std::int64_t> in_flight_;  // emitted, not yet acked: replays so far
};

}  // namespace gale::builtin
