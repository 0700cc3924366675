// gale-kafka-broker: the test Kafka broker as a program of its own, with the
// same flags as `gale kafka-broker`.
//
//   gale-kafka-broker [--port 0] [--brokers N] [--topic NAME:PARTITIONS]...
//                     [--stdin auto|commands|ignore]

#include <CLI/CLI.hpp>

#include "common/exit_code.h"
#include "common/log.h"
#include "kafka_broker/kafka_broker.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Kafka-protocol test broker (librdkafka mock cluster) on 127.0.0.1. Prints "
      "'bootstrap.servers=...' as its first line and runs until SIGINT or SIGTERM. Reads "
      "commands (help) from stdin when it is a terminal, a pipe or a file; /dev/null or a "
      "closed stdin is not read, so 'gale kafka-broker &' keeps running."};
  app.option_defaults()->always_capture_default();  // --help shows every default
  gale::kafka_broker::KafkaBrokerOptions options;
  std::string log_level = "info";
  app.add_option("--port", options.port,
                 "Listening port; only 0 (kernel-chosen ports) is supported by librdkafka 2.0.2");
  app.add_option("--brokers", options.brokers, "Number of brokers (ids 1..N)");
  app.add_option("--topic", options.topics,
                 "Topic to create, NAME or NAME:PARTITIONS (repeatable)")
      ->default_str("");
  app.add_option("--log-level", log_level, "debug, info, warn or error");
  std::string stdin_mode = "auto";
  app.add_option("--stdin", stdin_mode,
                 "auto: read commands from a terminal, pipe or file (EOF quits on a terminal or "
                 "pipe); commands: always read them, EOF quits; ignore: never read stdin")
      ->check(CLI::IsMember({"auto", "commands", "ignore"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; any bad argument is "invalid input" (common/exit_code.h).
    return app.exit(e) == 0 ? gale::kExitOk : gale::kExitInvalid;
  }
  options.stdin_mode = gale::kafka_broker::ParseStdinMode(stdin_mode).value();
  gale::SetLogLevel(log_level);
  return gale::kafka_broker::RunKafkaBroker(options);
}
