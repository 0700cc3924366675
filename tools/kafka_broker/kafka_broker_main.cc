// gale-kafka-broker: the test Kafka broker as a program of its own, with the
// same flags as `gale kafka-broker`.
//
//   gale-kafka-broker [--port 0] [--brokers N] [--topic NAME:PARTITIONS]...

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "kafka_broker/kafka_broker.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Kafka-protocol test broker (librdkafka mock cluster) on 127.0.0.1. Prints "
      "'bootstrap.servers=...' as its first line, then reads commands on stdin (help)."};
  gale::kafka_broker::KafkaBrokerOptions options;
  std::string log_level = "info";
  app.add_option("--port", options.port,
                 "Listening port; only 0 (kernel-chosen ports) is supported by librdkafka 2.0.2");
  app.add_option("--brokers", options.brokers, "Number of brokers (ids 1..N)");
  app.add_option("--topic", options.topics,
                 "Topic to create, NAME or NAME:PARTITIONS (repeatable)");
  app.add_option("--log-level", log_level, "debug, info, warn or error");
  CLI11_PARSE(app, argc, argv);
  gale::SetLogLevel(log_level);
  return gale::kafka_broker::RunKafkaBroker(options);
}
