#pragma once

#include <bitset>
#include <cstdint>
#include <string>

#include "gale/gale.h"

namespace gale::examples {

// Flags web-log lines ("ip,date,url,protocol,status") whose IP address has a
// first octet on a fraud list, as in the classic Kafka IP-fraud pipeline.
//
// Input: the line in field `field` (default "value", the KafkaSpout value),
// else the first field. Output (anchored): fields ip, line for every fraud
// line; other lines are only acked. A malformed line is acked and reported
// (ReportError, the first ten, then every thousandth): replaying it would
// not help. Tick tuples are acked.
//
// Properties:
//   fraud.prefixes  list of ints 0..255, required: the first octets to flag.
//   field           string  the input field holding the line.
class FraudDetectorBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.String("field", "value", "input field holding the log line")
        .Declare("fraud.prefixes", ConfigType::kList, "IP prefixes that are fraud (required)");
  }

  std::uint64_t frauds() const { return frauds_; }
  std::uint64_t malformed() const { return malformed_; }

 private:
  OutputCollector* collector_ = nullptr;
  std::bitset<256> prefixes_;
  std::string field_ = "value";
  std::uint64_t frauds_ = 0;
  std::uint64_t malformed_ = 0;
};

}  // namespace gale::examples
