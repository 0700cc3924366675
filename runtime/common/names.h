#pragma once

// What a topology and its components may be called. A topology name becomes
// a directory under the state root (and a ZooKeeper node), and component ids
// reach file names, log lines and metric labels, so both are letters,
// digits, '.', '_' and '-', never start with '.' (never "." or ".."), and
// have a length every file system takes.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace gale {

inline constexpr std::size_t kMaxName = 128;
inline constexpr std::size_t kMaxTopologyName = kMaxName;

inline bool ValidName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxName && name[0] != '.' &&
         std::all_of(name.begin(), name.end(), [](char ch) {
           auto c = static_cast<unsigned char>(ch);
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

inline bool ValidTopologyName(std::string_view name) { return ValidName(name); }
inline bool ValidComponentId(std::string_view id) { return ValidName(id); }

}  // namespace gale
