#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace gale {

struct SpawnOptions {
  std::vector<std::string> argv;   // argv[0] is the program path
  std::string log_path;            // stdout and stderr are appended here ("" = inherit)
  bool new_session = false;        // setsid(): detach from the terminal (daemons)
  bool die_with_parent = true;     // SIGKILL when the spawning process dies
};

// fork + exec; the child closes every inherited descriptor above stderr.
Result<pid_t> Spawn(const SpawnOptions& options);

// Peak resident set size of this process (VmHWM), in KiB; 0 if unknown.
std::uint64_t PeakRssKb();

// Path of the running executable (/proc/self/exe resolved).
std::string SelfExe();

}  // namespace gale
