#pragma once

// The exit codes of every gale process: the CLI commands and the roles the
// schedulers start. One table, so scripts and supervisors read them alike.
//
//   0  ok                 the command did what was asked; a role stopped cleanly
//   1  failure            it failed while running (I/O, a peer, a timeout)
//   2  invalid input      bad arguments, topology or name; nothing was started
//   3  cannot start       a role could not load its topology or open its task
//   4  already running    another live process holds the role's lock
//
// A command naming a topology the state directory does not hold (status,
// kill, logs, wait, ...) exits 1 with one message for every command
// (kExitNoTopology), as these commands always did.

#include "common/status.h"

namespace gale {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitInvalid = 2;
inline constexpr int kExitStartFailure = 3;
inline constexpr int kExitAlreadyRunning = 4;
inline constexpr int kExitNoTopology = kExitFailure;

// The exit code of a role (_tmaster, _stmgr, ...) that returned `status`.
inline int RoleExitCode(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return kExitOk;
    case ErrorCode::kAlreadyExists: return kExitAlreadyRunning;
    case ErrorCode::kIo:
    case ErrorCode::kProtocol:
    case ErrorCode::kInternal:
    case ErrorCode::kUnavailable: return kExitFailure;
    default: return kExitStartFailure;
  }
}

}  // namespace gale
