#pragma once

#include <string>
#include <vector>

#include "paced_spout.h"

namespace gale::examples {

// Random words from a small vocabulary, one per tuple: field `word`. The
// producer of the kafka-wordcount demo (word-producer.yaml).
//
// Properties (besides PacedSpout's interval.ms, count, seed):
//   words  list of strings  the vocabulary; default ten words.
class RandomWordSpout : public PacedSpout {
 public:
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;

 protected:
  void Configure(const Config& config) override;
  void DeclareOwnConfig(ConfigDeclarer& declarer) const override {
    declarer.Declare("words", ConfigType::kList, "the vocabulary");
  }
  Values Make(std::uint64_t sequence) override;

 private:
  std::vector<std::string> words_;
};

// Random web-log lines "ip,date,url,protocol,status", one per tuple: field
// `line`. The producer of the IP-fraud demo (log-producer.yaml). Dates count
// up one second per line from 2024-05-01 00:00:00.
class WebLogSpout : public PacedSpout {
 public:
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;

 protected:
  Values Make(std::uint64_t sequence) override;
};

}  // namespace gale::examples
