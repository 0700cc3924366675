#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "gale/gale.h"
#include "spouts/spout_support.h"

namespace gale::builtin {

// Emits field `line`: the lines of a text file, without their line ending
// ("\n" or "\r\n"). The message id of a tuple is its line number (from 1);
// failed lines are replayed, so pending lines are kept in memory until they
// are acked. With parallelism P, task i takes the lines whose
// (line number - 1) % P == i; every task reads the file.
//
// Properties:
//   path   string  required: the file. Open throws when it cannot be read.
//   batch  int     tuples per NextTuple call, default 1.
//
// Exhausted once the end of the file was reached and no line is in flight
// or waiting for replay.
class FileSpout : public Spout {
 public:
  void Open(const Config& config, const TopologyContext& context,
            SpoutOutputCollector& collector) override;
  void NextTuple() override;
  void Ack(MessageId id) override;
  void Fail(MessageId id) override;
  void Close() override;
  bool Exhausted() const override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Declare("path", ConfigType::kString, "file to read (required)")
        .Int("batch", 1, "lines per NextTuple call")
        .Range(1, kMaxBatch);
  }

 private:
  // Reads up to the next line of this task into `line_`; false at the end.
  bool ReadOwnLine();
  void EmitLine(MessageId id, const std::string& line);

  SpoutOutputCollector* collector_ = nullptr;
  std::string path_;
  std::ifstream in_;
  bool at_end_ = false;
  std::uint64_t line_no_ = 0;  // of the last line read
  std::uint64_t stride_ = 1;   // parallelism
  std::uint64_t index_ = 0;    // task index
  std::int64_t batch_ = 1;
  std::string line_;
  ReplayBuffer<std::string> pending_;  // lines emitted, not yet acked
};

}  // namespace gale::builtin
