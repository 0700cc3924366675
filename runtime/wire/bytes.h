#pragma once

// Little-endian, varint-based byte writing and defensive reading. Readers
// never read past their input and report truncation or overflow instead.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gale::wire {

// Writing through a pointer into room the caller made (VarintSize tells how
// much a varint needs); each returns the end of what it wrote. Hot paths
// size a record once and write it with these instead of one std::string
// append per field.
inline std::size_t VarintSize(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* WriteVarint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline char* WriteFixed32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
  return p + 4;
}

inline char* WriteFixed64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
  return p + 8;
}

inline char* WriteBytes(char* p, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

// The same encodings appended to a string.
inline void PutU8(std::string* out, std::uint8_t v) { out->push_back(static_cast<char>(v)); }

inline void PutVarint(std::string* out, std::uint64_t v) {
  char buf[10];
  out->append(buf, static_cast<std::size_t>(WriteVarint(buf, v) - buf));
}

inline void PutFixed32(std::string* out, std::uint32_t v) {
  char buf[4];
  out->append(buf, static_cast<std::size_t>(WriteFixed32(buf, v) - buf));
}

inline void PutFixed64(std::string* out, std::uint64_t v) {
  char buf[8];
  out->append(buf, static_cast<std::size_t>(WriteFixed64(buf, v) - buf));
}

inline void SetFixed32(std::string* out, std::size_t pos, std::uint32_t v) {
  WriteFixed32(out->data() + pos, v);
}

inline std::uint64_t ZigZag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t UnZigZag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// Reads from a byte range it does not own. Every getter returns false on
// truncated or malformed input and leaves the reader in an unspecified but
// safe position.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }
  const char* position() const { return p_; }

  bool GetU8(std::uint8_t* v) {
    if (p_ == end_) return false;
    *v = static_cast<std::uint8_t>(*p_++);
    return true;
  }

  bool GetVarint(std::uint64_t* v) {
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      std::uint64_t byte = static_cast<std::uint8_t>(*p_++);
      if (shift == 63 && byte > 1) return false;  // overflows 64 bits
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  // A varint that must fit in [0, limit].
  bool GetBounded(std::uint64_t limit, std::uint64_t* v) { return GetVarint(v) && *v <= limit; }

  bool GetFixed32(std::uint32_t* v) {
    if (remaining() < 4) return false;
    std::uint32_t r = 0;
    for (int i = 0; i < 4; ++i) r |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(p_[i])) << (8 * i);
    p_ += 4;
    *v = r;
    return true;
  }

  bool GetFixed64(std::uint64_t* v) {
    if (remaining() < 8) return false;
    std::uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(p_[i])) << (8 * i);
    p_ += 8;
    *v = r;
    return true;
  }

  bool GetBytes(std::size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = std::string_view(p_, n);
    p_ += n;
    return true;
  }

  bool Skip(std::size_t n) {
    if (remaining() < n) return false;
    p_ += n;
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace gale::wire
