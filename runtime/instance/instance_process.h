#pragma once

// The instance role of the multi-process runtime: one process per task. It
// loads the topology, connects to its container's stream manager over its
// Unix socket (transport/frame_socket.h; the connection opens with a Hello
// naming the task) and runs the task's executor on the main thread, which
// also does the socket I/O: a send is one system call from that thread, so
// no gateway or I/O thread is needed. A second thread rewrites the task's
// metrics file every second.

#include <string>

#include "common/status.h"
#include "state/state_manager.h"

namespace gale::instance {

struct InstanceProcessOptions {
  state::StateOptions state;  // which state manager, and the host-local root
  std::string topology;
  int task_id = 0;
};

// Returns ok after a clean stop (SIGTERM); when the task could not start, a
// kFailedPrecondition status whose reason is also in errors/task-<id>. Logs
// its own failures: the reason is in the log before it is recorded.
Status RunInstanceProcess(const InstanceProcessOptions& options);

}  // namespace gale::instance
