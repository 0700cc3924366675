#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gale/gale.h"

namespace gale::builtin {

// Appends each tuple to a file as one line: its values as ValueToString()
// text, separated by tabs. Inside a value, backslash, tab, newline and
// carriage return are written as \\, \t, \n and \r, so one tuple is always
// one line. Tick tuples are acked and only flush.
//
// Lines are written with write(2) calls of whole lines on an O_APPEND
// descriptor, so tasks (or processes) appending to the same file never
// interleave partial lines. A tuple is acked only after its line reached the
// file (a crash never loses an acked tuple); a write error fails the tuples
// whose lines it lost and is reported through ReportError.
//
// Properties:
//   path      string  required: the file, created when missing (mode 0644).
//                     Every "{task}" in it becomes the task id. Prepare
//                     throws when it cannot be opened.
//   buffered  bool    default false: write each line at once. When true,
//                     lines are collected and written when they pass 64 KiB,
//                     on every tick tuple and on Cleanup, and their tuples
//                     are acked then; set topology.tick.tuple.freq.secs on
//                     the component so the last lines do not wait (and time
//                     out) for lack of a tick.
class FileSinkBolt : public Bolt {
 public:
  static constexpr std::size_t kFlushBytes = 64 * 1024;

  FileSinkBolt() = default;
  FileSinkBolt(const FileSinkBolt&) = delete;
  FileSinkBolt& operator=(const FileSinkBolt&) = delete;
  // Writes what is still buffered, best effort, and closes the file.
  ~FileSinkBolt() override;

  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void Cleanup() override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Declare("path", ConfigType::kString, "the file to append to (required)")
        .Bool("buffered", false, "write through a buffer flushed on ticks and at the end");
  }

  // The file being written, after "{task}" was replaced.
  const std::string& path() const { return path_; }

 private:
  void AppendLine(const Tuple& tuple);
  // Writes the buffer; false (and the buffer dropped) on a write error.
  bool Flush(std::string* error);
  // Writes the buffer and acks (or, on error, fails) the tuples in it.
  void FlushAndSettle();

  OutputCollector* collector_ = nullptr;
  std::string path_;
  int fd_ = -1;
  std::string buffer_;  // whole lines only
  std::vector<Tuple> unwritten_;  // tuples whose lines are in buffer_
  bool buffered_ = false;
};

}  // namespace gale::builtin
