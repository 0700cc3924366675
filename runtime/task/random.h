#pragma once

#include <cstdint>
#include <random>

namespace gale::task {

// splitmix64: fast, good enough for tree and edge ids.
class Random64 {
 public:
  explicit Random64(std::uint64_t seed) : state_(seed != 0 ? seed : FreshSeed()) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Never zero: a zero edge id would not change a tree's XOR value.
  std::uint64_t NextNonZero() {
    std::uint64_t v;
    do v = Next();
    while (v == 0);
    return v;
  }
  static std::uint64_t FreshSeed() {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }

 private:
  std::uint64_t state_;
};

}  // namespace gale::task
