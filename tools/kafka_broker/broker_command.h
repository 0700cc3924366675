#pragma once

// The text protocol of the test broker: topic specs given on the command
// line and the control commands read from stdin, one per line. Pure parsing,
// no Kafka calls.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gale::kafka_broker {

// "NAME" or "NAME:PARTITIONS" (partitions default to 1).
struct TopicSpec {
  std::string name;
  int partitions = 1;
};

Result<TopicSpec> ParseTopicSpec(std::string_view text);

// One control command. Fields that a kind does not use keep their defaults.
struct BrokerCommand {
  enum class Kind {
    kEmpty,        // blank line or "# comment": ignored, no answer
    kDown,         // down BROKER
    kUp,           // up BROKER
    kLeader,       // leader TOPIC PARTITION BROKER
    kCoordinator,  // coordinator group|transaction KEY BROKER
    kCreate,       // create TOPIC PARTITIONS
    kRtt,          // rtt BROKER MILLIS
    kHelp,         // help
    kQuit,         // quit
  };

  Kind kind = Kind::kEmpty;
  std::int32_t broker = 0;  // kDown, kUp, kRtt: -1 means every broker
  std::string topic;        // kLeader, kCreate
  std::int32_t partition = 0;
  int partitions = 0;    // kCreate
  std::string key_type;  // kCoordinator: "group" or "transaction"
  std::string key;       // kCoordinator: the group or transactional id
  int rtt_ms = 0;        // kRtt
};

// Parses one line of the control protocol. Errors say what was expected.
Result<BrokerCommand> ParseBrokerCommand(std::string_view line);

// One line per command, for `help` and error messages.
std::string BrokerCommandHelp();

}  // namespace gale::kafka_broker
