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
// Resident set size of this process now (VmRSS), in KiB; 0 if unknown.
std::uint64_t RssKb();
// CPU time (user + system) this process used so far, in milliseconds.
std::uint64_t CpuMs();

// Keeps freed memory in the allocator instead of handing it back to the
// kernel after every burst: glibc trims the heap top as soon as 128 KiB are
// free, and each trim is a system call plus a TLB flush on every core. The
// data path allocates and frees batches of up to 64 KiB all the time; on a
// 2-core virtual machine the trims cost a third of the throughput of a
// submitted topology (1.6 M against 2.6 M words/s, bench/RESULTS.md). Up to
// 16 MiB stay mapped per arena; blocks of 1 MiB and more are mapped apart
// and returned when freed. Call once, early in main.
void TuneAllocator();

// Path of the running executable (/proc/self/exe resolved).
std::string SelfExe();

// This host's name (gethostname), "localhost" if it cannot be read.
std::string HostName();

}  // namespace gale
