#pragma once

// A Kafka-protocol test broker: librdkafka's mock cluster (rdkafka_mock.h)
// served from this process on 127.0.0.1 until SIGINT or SIGTERM, optionally
// controlled through stdin.
//
//   stdout line 1:  bootstrap.servers=127.0.0.1:P1,127.0.0.1:P2,...   (flushed)
//   stdin, one command per line, each answered with "ok" or "error: ...":
//     down N | up N                        broker N (1..brokers, or all) stops / resumes
//                                          accepting connections; leaders do not move
//     leader TOPIC PARTITION BROKER        moves a partition leader (-1: none)
//     coordinator group GROUP BROKER       moves a group coordinator
//     coordinator transaction ID BROKER    moves a transaction coordinator
//     create TOPIC PARTITIONS              creates a topic
//     rtt N MILLIS                         adds round-trip delay to broker N
//     help | quit
//
// Commands are read from stdin when it is a terminal, a pipe or a file, or
// always with --stdin commands; never with --stdin ignore. /dev/null or a
// closed stdin carries no commands, so `gale kafka-broker &` in a script
// keeps running. EOF ends the broker only on a terminal or a pipe (or with
// --stdin commands); see stdin_policy.h for the whole rule.
//
// SIGINT, SIGTERM, `quit`, and EOF where it quits shut the cluster down
// cleanly.
// The mock cluster keeps everything in memory and supports produce, fetch,
// consumer groups and offset commits; it is meant for tests and demos, not
// for data that matters.

#include <string>
#include <vector>

#include "common/status.h"
#include "kafka_broker/stdin_policy.h"

namespace gale::kafka_broker {

struct KafkaBrokerOptions {
  // 0: the brokers listen on ports chosen by the kernel (read them from the
  // first output line). librdkafka 2.0.2's mock cluster cannot listen on a
  // chosen port, so any other value is rejected by Validate().
  int port = 0;
  // Broker ids are 1..brokers.
  int brokers = 1;
  // Topics created before the bootstrap line is printed: "NAME" or
  // "NAME:PARTITIONS" (1 partition by default). Replication factor is
  // min(brokers, 3).
  std::vector<std::string> topics;
  // Whether stdin carries control commands (stdin_policy.h).
  StdinMode stdin_mode = StdinMode::kAuto;

  Status Validate() const;
};

// Runs the broker in the foreground until SIGINT, SIGTERM, `quit`, or EOF on
// stdin where the stdin policy says EOF quits. Installs SIGINT/SIGTERM handlers and ignores SIGPIPE for the
// duration of the call (restored on return). Returns the process exit code:
// 0 after a clean shutdown, 1 when the cluster could not start, 2 for
// invalid options (each with a message on stderr).
int RunKafkaBroker(const KafkaBrokerOptions& options);

}  // namespace gale::kafka_broker
