#pragma once

// Small helpers shared by the built-in spouts. Not installed.

#include <cstdint>
#include <string>
#include <string_view>

#include "gale/gale.h"

namespace gale::builtin {

// splitmix64: a fast generator whose output is fully specified, so a seed
// gives the same sequence everywhere. Not thread-safe.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // A value in [0, bound) for bound < 2^32 (multiply-shift, no modulo).
  std::uint32_t Below(std::uint32_t bound) {
    return static_cast<std::uint32_t>(((Next() >> 32) * bound) >> 32);
  }

 private:
  std::uint64_t state_;
};

// "component 'x'" from the config's owner, or `class_name` when it has none.
inline std::string OwnerName(const Config& config, std::string_view class_name) {
  return config.owner().empty() ? std::string(class_name) : config.owner();
}

// Returns `value`, or throws ConfigError naming `key` when it is below `min`.
inline std::int64_t CheckAtLeast(const Config& config, std::string_view class_name,
                                 std::string_view key, std::int64_t value, std::int64_t min) {
  if (value < min) {
    throw ConfigError(OwnerName(config, class_name) + ": property '" + std::string(key) +
                      "' must be >= " + std::to_string(min) + ", got " + std::to_string(value));
  }
  return value;
}

}  // namespace gale::builtin
