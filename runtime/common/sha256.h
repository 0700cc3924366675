#pragma once

// SHA-256 (FIPS 180-4), for content addresses such as topology packages.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace gale {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string HexDigest();

 private:
  void Block(const std::uint8_t* p);

  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes
};

// The hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace gale
