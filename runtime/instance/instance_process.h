#pragma once

// The instance role of the multi-process runtime: one process per task. It
// loads the topology, connects to its container's stream manager over
// ipc:// (ZeroMQ DEALER with routing id "task-<id>") and runs the task's
// executor on the main thread, which also does the socket I/O (ZeroMQ's own
// I/O thread moves the bytes, so no separate gateway thread is needed). A
// second thread rewrites the task's metrics file every second.

#include <string>

namespace gale::instance {

struct InstanceProcessOptions {
  std::string state_root;
  std::string topology;
  int task_id = 0;
};

// Exit codes: 0 after a clean stop (SIGTERM), 3 when the task could not start
// (the reason is in errors/task-<id>), 1 on other failures.
int RunInstanceProcess(const InstanceProcessOptions& options);

// ipc:// endpoint of a container's stream manager for local instances.
std::string StmgrLocalEndpoint(const std::string& topology_dir, int container);

}  // namespace gale::instance
