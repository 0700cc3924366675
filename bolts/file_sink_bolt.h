#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "gale/gale.h"

namespace gale::builtin {

// Appends each tuple to a file as one line: its values as ValueToString()
// text, separated by tabs. Inside a value, backslash, tab, newline and
// carriage return are written as \\, \t, \n and \r, so one tuple is always
// one line. Tick tuples are acked and only flush.
//
// Lines are buffered and written with one write(2) of whole lines on an
// O_APPEND descriptor, so tasks (or processes) appending to the same file
// never interleave partial lines. The buffer is written when it passes
// 64 KiB, on every tick tuple and on Cleanup; set
// topology.tick.tuple.freq.secs on the component to bound how long a line may
// wait. A tuple is acked once it is buffered: a write error is reported
// through ReportError with the number of lines lost.
//
// Properties:
//   path  string  required: the file, created when missing (mode 0644).
//                 Every "{task}" in it becomes the task id. Prepare throws
//                 when it cannot be opened.
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

  // The file being written, after "{task}" was replaced.
  const std::string& path() const { return path_; }

 private:
  void AppendLine(const Tuple& tuple);
  // Writes the buffer; false (and the buffer dropped) on a write error.
  bool Flush(std::string* error);
  void FlushAndReport();

  OutputCollector* collector_ = nullptr;
  std::string path_;
  int fd_ = -1;
  std::string buffer_;  // whole lines only
};

}  // namespace gale::builtin
