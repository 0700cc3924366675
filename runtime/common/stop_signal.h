#pragma once

#include <atomic>

namespace gale {

// Makes SIGTERM and SIGINT set a flag instead of ending the process, so a
// role's main loop can stop cleanly; returns that flag. Idempotent.
const std::atomic<bool>& InstallStopSignalHandlers();

}  // namespace gale
