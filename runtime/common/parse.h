#pragma once

// Numbers and flags from text that another process (or a file another
// process wrote) produced. Never throws: anything that is not exactly a
// number in range is an error naming the field, so a malformed record is
// refused instead of taking its reader down.

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace gale {

// A decimal integer in [min, max], with an optional leading '-'; nothing else
// (no spaces, no "+", no trailing text). `what` names the field in errors.
Result<std::int64_t> ParseInt(std::string_view text, std::int64_t min, std::int64_t max,
                              std::string_view what);
// A decimal unsigned 64-bit integer.
Result<std::uint64_t> ParseUint64(std::string_view text, std::string_view what);
// A finite decimal floating-point number.
Result<double> ParseDouble(std::string_view text, std::string_view what);
// "1" or "0" (also "true" / "false").
Result<bool> ParseFlag(std::string_view text, std::string_view what);

}  // namespace gale
