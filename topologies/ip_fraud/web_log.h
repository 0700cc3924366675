#pragma once

// The web-log line format of the IP-fraud example: "ip,date,url,protocol,status",
// e.g. "203.0.113.7,2024-05-01 12:00:03,/cart,HTTP/1.1,200".

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gale::examples {

struct WebLogRecord {
  std::string ip;
  std::array<int, 4> octets{};
  std::string date;
  std::string url;
  std::string protocol;
  int status = 0;
};

// nullopt unless the line has exactly five comma-separated columns, a dotted
// IPv4 address first and a numeric status last.
std::optional<WebLogRecord> ParseWebLogLine(std::string_view line);

// Formats one line (the inverse of ParseWebLogLine).
std::string FormatWebLogLine(const WebLogRecord& record);

}  // namespace gale::examples
