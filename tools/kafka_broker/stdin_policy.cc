#include "kafka_broker/stdin_policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace gale::kafka_broker {
namespace {

const char* KindName(StdinKind kind) {
  switch (kind) {
    case StdinKind::kTerminal: return "a terminal";
    case StdinKind::kPipe: return "a pipe";
    case StdinKind::kFile: return "a file";
    case StdinKind::kNull: return "/dev/null";
    case StdinKind::kClosed: return "closed";
    case StdinKind::kOther: return "a device";
  }
  return "unknown";
}

}  // namespace

Result<StdinMode> ParseStdinMode(std::string_view text) {
  if (text == "auto") return StdinMode::kAuto;
  if (text == "commands") return StdinMode::kCommands;
  if (text == "ignore") return StdinMode::kIgnore;
  return InvalidArgument("--stdin '" + std::string(text) +
                         "': expected auto, commands or ignore");
}

StdinKind ClassifyStdin(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return StdinKind::kClosed;
  if (::isatty(fd) != 0) return StdinKind::kTerminal;
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return StdinKind::kPipe;
  if (S_ISREG(st.st_mode)) return StdinKind::kFile;
  // /dev/null is character device 1:3 on Linux.
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3) {
    return StdinKind::kNull;
  }
  return StdinKind::kOther;
}

StdinPolicy DecideStdinPolicy(StdinMode mode, StdinKind kind) {
  StdinPolicy p;
  const std::string what = std::string("stdin is ") + KindName(kind);
  const std::string until = "running until SIGINT or SIGTERM";
  if (mode == StdinMode::kIgnore) {
    p.description = what + ", ignored (--stdin ignore); " + until;
    return p;
  }
  if (kind == StdinKind::kClosed) {
    p.description = what + ", no commands; " + until;
    return p;
  }
  if (mode == StdinMode::kCommands) {
    p.read_commands = true;
    p.eof_quits = true;
    p.description = what + ": reading commands (--stdin commands), EOF quits";
    return p;
  }
  switch (kind) {
    case StdinKind::kTerminal:
      p.read_commands = true;
      p.eof_quits = true;
      p.foreground_only = true;
      p.description = what + ": reading commands while in the foreground, EOF (Ctrl-D) quits";
      break;
    case StdinKind::kPipe:
      p.read_commands = true;
      p.eof_quits = true;
      p.description = what + ": reading commands, EOF quits";
      break;
    case StdinKind::kFile:
      p.read_commands = true;
      p.description = what + ": reading its commands, then " + until;
      break;
    default:
      p.description = what + ", not read for commands; " + until;
      break;
  }
  return p;
}

}  // namespace gale::kafka_broker
