#include "common/parse.h"

#include <charconv>
#include <cmath>
#include <string>

namespace gale {
namespace {

Status Malformed(std::string_view what, std::string_view text, std::string_view expected) {
  std::string shown(text.substr(0, 64));
  return ProtocolError(std::string(what) + ": '" + shown + (text.size() > 64 ? "...'" : "'") +
                       " is not " + std::string(expected));
}

}  // namespace

Result<std::int64_t> ParseInt(std::string_view text, std::int64_t min, std::int64_t max,
                              std::string_view what) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Malformed(what, text, "an integer");
  }
  if (value < min || value > max) {
    return Malformed(what, text,
                     "in range " + std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

Result<std::uint64_t> ParseUint64(std::string_view text, std::string_view what) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Malformed(what, text, "an unsigned integer");
  }
  return value;
}

Result<double> ParseDouble(std::string_view text, std::string_view what) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return Malformed(what, text, "a finite number");
  }
  return value;
}

Result<bool> ParseFlag(std::string_view text, std::string_view what) {
  if (text == "1" || text == "true") return true;
  if (text == "0" || text == "false") return false;
  return Malformed(what, text, "1 or 0");
}

}  // namespace gale
