#include "web_log.h"

#include <charconv>
#include <vector>

namespace gale::examples {
namespace {

bool ParseNumber(std::string_view text, int min, int max, int* out) {
  if (text.empty() || text.size() > 4) return false;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  *out = value;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::optional<WebLogRecord> ParseWebLogLine(std::string_view line) {
  std::vector<std::string_view> cols;
  std::size_t begin = 0;
  while (true) {
    std::size_t comma = line.find(',', begin);
    cols.push_back(
        Trim(line.substr(begin, comma == std::string_view::npos ? line.npos : comma - begin)));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  if (cols.size() != 5) return std::nullopt;
  WebLogRecord r;
  std::string_view ip = cols[0];
  std::size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    std::size_t dot = i < 3 ? ip.find('.', start) : ip.size();
    if (dot == std::string_view::npos) return std::nullopt;
    if (!ParseNumber(ip.substr(start, dot - start), 0, 255,
                     &r.octets[static_cast<std::size_t>(i)])) {
      return std::nullopt;
    }
    start = dot + 1;
  }
  if (!ParseNumber(cols[4], 0, 999, &r.status)) return std::nullopt;
  r.ip = std::string(ip);
  r.date = std::string(cols[1]);
  r.url = std::string(cols[2]);
  r.protocol = std::string(cols[3]);
  return r;
}

std::string FormatWebLogLine(const WebLogRecord& r) {
  return r.ip + "," + r.date + "," + r.url + "," + r.protocol + "," + std::to_string(r.status);
}

}  // namespace gale::examples
