#include "common/log.h"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace gale {
namespace {

std::mutex& LogMutex() {
  static std::mutex mu;
  return mu;
}

spdlog::level::level_enum& CurrentLevel() {
  static spdlog::level::level_enum level = spdlog::level::info;
  return level;
}

}  // namespace

std::shared_ptr<spdlog::logger> Logger(const std::string& module) {
  std::lock_guard<std::mutex> lock(LogMutex());
  if (auto existing = spdlog::get(module)) return existing;
  auto logger = spdlog::stderr_color_mt(module);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v");
  logger->set_level(CurrentLevel());
  return logger;
}

void SetLogLevel(const std::string& level) {
  std::lock_guard<std::mutex> lock(LogMutex());
  CurrentLevel() = spdlog::level::from_str(level);
  spdlog::set_level(CurrentLevel());
}

}  // namespace gale
