#include "bolts/printer_bolt.h"

namespace gale::builtin {

void PrinterBolt::Prepare(const Config& config, const TopologyContext& context,
                          OutputCollector& collector) {
  collector_ = &collector;
  prefix_ = config.GetString("prefix", "");
}

void PrinterBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    std::fflush(out_);
    collector_->Ack(tuple);
    return;
  }
  line_.assign(prefix_);
  line_ += tuple.ToString();
  line_ += '\n';
  std::fwrite(line_.data(), 1, line_.size(), out_);
  collector_->Ack(tuple);
}

void PrinterBolt::Cleanup() { std::fflush(out_); }

GALE_REGISTER_BOLT(PrinterBolt);

}  // namespace gale::builtin
