#pragma once

// Helpers shared by the built-in bolts. Not installed.

#include <cstdint>
#include <string>
#include <string_view>

#include "gale/gale.h"

namespace gale::builtin {

// Bound of the built-in bolts' `seed` property (seed + TaskIndex() must not
// overflow).
inline constexpr double kMaxBoltSeed = 9e15;

// "component 'x'" from the config's owner, or `class_name` when it has none.
std::string DescribeOwner(const Config& config, std::string_view class_name);

// The output fields of the pass-through bolts: the string list in property
// `fields`, default a single field `id`. Throws ConfigError for a non-string
// element or an empty list.
Fields PassThroughFields(const Config& config, std::string_view class_name);

// Property `key` as a fraction in [0, 1] (default 0); ConfigError otherwise.
double GetFraction(const Config& config, std::string_view class_name, std::string_view key);

// seed + TaskIndex(), with property `seed` (default 42): tasks differ, runs
// repeat.
std::uint64_t TaskSeed(const Config& config, const TopologyContext& context);

// Decides, tuple after tuple, whether to pick one: true with probability
// `fraction`, deterministically for a given seed (splitmix64). Not
// thread-safe.
class FractionSampler {
 public:
  explicit FractionSampler(std::uint64_t seed = 0) : state_(seed) {}

  bool Next(double fraction) {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    // 53 random bits as a double in [0, 1).
    return static_cast<double>(z >> 11) * 0x1.0p-53 < fraction;
  }

 private:
  std::uint64_t state_;
};

}  // namespace gale::builtin
