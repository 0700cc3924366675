#include "common/stop_signal.h"

#include <csignal>

namespace gale {
namespace {

std::atomic<bool> g_stop_requested{false};
void OnStopSignal(int) { g_stop_requested.store(true); }

}  // namespace

const std::atomic<bool>& InstallStopSignalHandlers() {
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
  return g_stop_requested;
}

}  // namespace gale
