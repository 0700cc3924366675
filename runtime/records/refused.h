#pragma once

// What a process does with a record it refuses (malformed control message
// or state file): count it in a per-process counter and log it, the first
// one at once and then at most one line per 10 s with how many were
// suppressed. The process carries on.

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace gale::records {

// Records refused by this process so far.
std::uint64_t RefusedCount();

// Counts a refused record and logs it (rate-limited) on `logger_name`;
// `what` says what it was and where it came from. Thread-safe.
void Refuse(std::string_view logger_name, std::string_view what, const Status& why);

}  // namespace gale::records
