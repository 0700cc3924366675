#pragma once

// What a topology may be called. The name becomes a directory under the
// state root (and later a ZooKeeper node), so it has no '/', does not start
// with '.' (never "." or ".."), and has a length every file system takes.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace gale {

inline constexpr std::size_t kMaxTopologyName = 128;

inline bool ValidTopologyName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxTopologyName && name[0] != '.' &&
         std::all_of(name.begin(), name.end(), [](char ch) {
           auto c = static_cast<unsigned char>(ch);
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

}  // namespace gale
