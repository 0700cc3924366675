#pragma once

// key=value text, the body of every control message and state record, and
// strict readers for its fields. Everything here is safe on bytes from
// another process: parsing is bounded (kMaxRecordBytes, kMaxLines,
// kMaxValueBytes) and a missing, repeated or malformed field is a Status,
// never an exception.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace gale::records {

inline constexpr std::size_t kMaxRecordBytes = 1 << 20;  // 1 MiB
inline constexpr std::size_t kMaxLines = 100000;
inline constexpr std::size_t kMaxKeyBytes = 256;
inline constexpr std::size_t kMaxValueBytes = 64 * 1024;

// key=value lines; repeated keys keep every value in order.
class KeyValues {
 public:
  void Add(const std::string& key, const std::string& value) { items_.push_back({key, value}); }
  void Set(const std::string& key, const std::string& value);
  std::optional<std::string> Get(const std::string& key) const;
  std::string GetOr(const std::string& key, const std::string& fallback) const;
  std::vector<std::string> GetAll(const std::string& key) const;
  std::size_t Count(const std::string& key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

  // One "key=value\n" per item; a newline inside a value becomes a space.
  std::string Serialize() const;
  // Lenient: skips lines without '=' and stops at the size limits.
  static KeyValues Parse(std::string_view text);
  // Strict: refuses text over kMaxRecordBytes, more than kMaxLines lines, a
  // non-empty line without '=', an empty or over-long key, an over-long
  // value, or a NUL byte. Empty lines are skipped.
  static Result<KeyValues> ParseStrict(std::string_view text);

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Field readers: the key must appear exactly once (a repeated single-valued
// field is refused) and its value must parse. Errors name the key.
Result<std::string> ReadString(const KeyValues& kv, const std::string& key);
Result<std::int64_t> ReadInt(const KeyValues& kv, const std::string& key, std::int64_t min,
                             std::int64_t max);
Result<std::uint64_t> ReadUint64(const KeyValues& kv, const std::string& key);
Result<double> ReadDouble(const KeyValues& kv, const std::string& key);
Result<bool> ReadFlag(const KeyValues& kv, const std::string& key);
// Like ReadString/ReadInt/ReadFlag, but an absent key yields `fallback`
// (a present but malformed one is still an error).
Result<std::string> ReadStringOr(const KeyValues& kv, const std::string& key,
                                 const std::string& fallback);
Result<std::int64_t> ReadIntOr(const KeyValues& kv, const std::string& key, std::int64_t fallback,
                               std::int64_t min, std::int64_t max);
Result<bool> ReadFlagOr(const KeyValues& kv, const std::string& key, bool fallback);

// Splits `text` on single spaces into exactly `n` non-empty words.
Result<std::vector<std::string_view>> SplitWords(std::string_view text, std::size_t n,
                                                 std::string_view what);

// Typical ranges.
inline constexpr std::int64_t kMaxId = 0x7fffffff;
inline constexpr std::int64_t kMinPid = 2;

}  // namespace gale::records
