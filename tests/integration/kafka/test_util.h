#pragma once

// Shared pieces of the Kafka integration tests: paths of the programs and
// plugins under test, the `gale local` command line, summary parsing.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.h"
#include "support/summary_table.h"

namespace gale::testing {

inline const std::string kGale = GALE_BIN;
inline const std::string kBrokerBin = GALE_KAFKA_BROKER_BIN;
inline const std::string kSpoutLib = GALE_KAFKA_SPOUT_LIB;
inline const std::string kBoltLib = GALE_KAFKA_BOLT_LIB;
inline const std::string kExamplesLib = GALE_EXAMPLES_LIB;
inline const std::string kSourceDir = GALE_SOURCE_DIR;

// Test timings for consumer groups (a member that vanished holds a
// rebalance for its session timeout) and quick reconnects after an outage.
inline const std::string kTestOverrides =
    " -c kafka.consumer.session.timeout.ms=6000 -c kafka.consumer.heartbeat.interval.ms=500"
    " -c kafka.reconnect.backoff.ms=100 -c kafka.reconnect.backoff.max.ms=500";

// `gale local YAML --quiet` with the Kafka plugins and the broker address;
// `extra` is appended (e.g. " -c bounded=true").
inline std::string GaleLocal(const std::string& yaml, const std::string& bootstrap,
                             const std::string& extra = "") {
  return kGale + " local " + yaml + " --quiet --lib " + kSpoutLib + " --lib " + kBoltLib +
         " --lib " + kExamplesLib + " -c kafka.bootstrap.servers=" + bootstrap + kTestOverrides +
         extra;
}

// Replaces the first occurrence of `from` in `text` (which must contain it).
inline std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not found";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace gale::testing
