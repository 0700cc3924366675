#pragma once

// Whether the test broker reads control commands from stdin, and whether the
// end of stdin stops it. The rule (also in docs/kafka.md):
//
//   --stdin auto (default)  terminal  read commands while in the foreground
//                                     process group; EOF (Ctrl-D) quits
//                           pipe, socket  read commands; EOF quits (the
//                                     writer is gone)
//                           file      read the commands in it; EOF does not quit
//                           anything else (/dev/null, closed, a device):
//                                     ignored
//   --stdin commands        read commands whatever stdin is; EOF quits
//   --stdin ignore          never read stdin
//
// Whatever stdin is, SIGINT and SIGTERM stop the broker cleanly, so
// `gale kafka-broker &` in a script (stdin /dev/null) runs until killed.
// Pure logic apart from ClassifyStdin, which looks at a file descriptor.

#include <string>
#include <string_view>

#include "common/status.h"

namespace gale::kafka_broker {

enum class StdinMode { kAuto, kCommands, kIgnore };

// "auto", "commands" or "ignore".
Result<StdinMode> ParseStdinMode(std::string_view text);

enum class StdinKind { kTerminal, kPipe, kFile, kNull, kClosed, kOther };

// What file descriptor `fd` is.
StdinKind ClassifyStdin(int fd);

struct StdinPolicy {
  bool read_commands = false;
  bool eof_quits = false;
  bool foreground_only = false;  // a terminal: read only while in the foreground
  std::string description;       // for the log, e.g. "a pipe: commands, EOF quits"
};

StdinPolicy DecideStdinPolicy(StdinMode mode, StdinKind kind);

}  // namespace gale::kafka_broker
