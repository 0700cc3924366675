#pragma once

#include <cstdio>
#include <string>

#include "gale/gale.h"

namespace gale::builtin {

// Prints each tuple as one line, `prefix` followed by Tuple::ToString(), to
// standard output, then acks it. Each line is written with one stdio call,
// so lines from several tasks in one process do not mix. Output is flushed on
// tick tuples and on Cleanup (and by stdio itself, per line on a terminal).
//
// Properties:
//   prefix  string  text put before every line, default none.
class PrinterBolt : public Bolt {
 public:
  // Writes to `out` instead of stdout; `out` must outlive the bolt.
  explicit PrinterBolt(std::FILE* out = stdout) : out_(out) {}

  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void Cleanup() override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.String("prefix", "", "text printed before each tuple");
  }

 private:
  std::FILE* out_;
  OutputCollector* collector_ = nullptr;
  std::string prefix_;
  std::string line_;  // reused for every tuple
};

}  // namespace gale::builtin
