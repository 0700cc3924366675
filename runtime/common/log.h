#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace gale {

// The named logger of one runtime module ("local", "flux", "instance", ...),
// created on first use; all write to stderr with the same pattern.
std::shared_ptr<spdlog::logger> Logger(const std::string& module);

// Sets the level of every gale logger ("debug", "info", "warn", "error").
void SetLogLevel(const std::string& level);

}  // namespace gale
