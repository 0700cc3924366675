#include "records/key_values.h"

#include "common/parse.h"

namespace gale::records {

void KeyValues::Set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : items_) {
    if (k == key) {
      v = value;
      return;
    }
  }
  Add(key, value);
}

std::optional<std::string> KeyValues::Get(const std::string& key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string KeyValues::GetOr(const std::string& key, const std::string& fallback) const {
  auto v = Get(key);
  return v ? *v : fallback;
}

std::vector<std::string> KeyValues::GetAll(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) {
    if (k == key) out.push_back(v);
  }
  return out;
}

std::size_t KeyValues::Count(const std::string& key) const {
  std::size_t n = 0;
  for (const auto& item : items_) n += item.first == key ? 1 : 0;
  return n;
}

std::string KeyValues::Serialize() const {
  std::string out;
  for (const auto& [k, v] : items_) {
    out += k;
    out += '=';
    for (char c : v) out += (c == '\n' ? ' ' : c);
    out += '\n';
  }
  return out;
}

KeyValues KeyValues::Parse(std::string_view text) {
  KeyValues kv;
  if (text.size() > kMaxRecordBytes) text = text.substr(0, kMaxRecordBytes);
  std::size_t pos = 0;
  while (pos < text.size() && kv.items_.size() < kMaxLines) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    kv.Add(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return kv;
}

Result<KeyValues> KeyValues::ParseStrict(std::string_view text) {
  if (text.size() > kMaxRecordBytes) {
    return ProtocolError("record of " + std::to_string(text.size()) + " bytes, over the limit of " +
                         std::to_string(kMaxRecordBytes));
  }
  KeyValues kv;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line_no > kMaxLines) {
      return ProtocolError("record of more than " + std::to_string(kMaxLines) + " lines");
    }
    if (line.empty()) continue;
    if (line.find('\0') != std::string_view::npos) {
      return ProtocolError("line " + std::to_string(line_no) + ": NUL byte");
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return ProtocolError("line " + std::to_string(line_no) + ": no '=' in a key=value line");
    }
    if (eq == 0 || eq > kMaxKeyBytes) {
      return ProtocolError("line " + std::to_string(line_no) + ": empty or over-long key");
    }
    if (line.size() - eq - 1 > kMaxValueBytes) {
      return ProtocolError("line " + std::to_string(line_no) + ": value over " +
                           std::to_string(kMaxValueBytes) + " bytes");
    }
    kv.Add(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return kv;
}

Result<std::string> ReadString(const KeyValues& kv, const std::string& key) {
  std::size_t n = kv.Count(key);
  if (n == 0) return ProtocolError("missing field '" + key + "'");
  if (n > 1) return ProtocolError("field '" + key + "' appears " + std::to_string(n) + " times");
  return *kv.Get(key);
}

Result<std::int64_t> ReadInt(const KeyValues& kv, const std::string& key, std::int64_t min,
                             std::int64_t max) {
  auto s = ReadString(kv, key);
  if (!s.ok()) return s.status();
  return ParseInt(*s, min, max, key);
}

Result<std::uint64_t> ReadUint64(const KeyValues& kv, const std::string& key) {
  auto s = ReadString(kv, key);
  if (!s.ok()) return s.status();
  return ParseUint64(*s, key);
}

Result<double> ReadDouble(const KeyValues& kv, const std::string& key) {
  auto s = ReadString(kv, key);
  if (!s.ok()) return s.status();
  return ParseDouble(*s, key);
}

Result<bool> ReadFlag(const KeyValues& kv, const std::string& key) {
  auto s = ReadString(kv, key);
  if (!s.ok()) return s.status();
  return ParseFlag(*s, key);
}

Result<std::string> ReadStringOr(const KeyValues& kv, const std::string& key,
                                 const std::string& fallback) {
  if (kv.Count(key) == 0) return fallback;
  return ReadString(kv, key);
}

Result<std::int64_t> ReadIntOr(const KeyValues& kv, const std::string& key, std::int64_t fallback,
                               std::int64_t min, std::int64_t max) {
  if (kv.Count(key) == 0) return fallback;
  return ReadInt(kv, key, min, max);
}

Result<bool> ReadFlagOr(const KeyValues& kv, const std::string& key, bool fallback) {
  if (kv.Count(key) == 0) return fallback;
  return ReadFlag(kv, key);
}

Result<std::vector<std::string_view>> SplitWords(std::string_view text, std::size_t n,
                                                 std::string_view what) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (words.size() < n) {
    std::size_t end = words.size() + 1 == n ? text.size() : text.find(' ', pos);
    if (end == std::string_view::npos || pos > text.size()) break;
    std::string_view w = text.substr(pos, end - pos);
    if (w.empty() || w.find(' ') != std::string_view::npos) break;
    words.push_back(w);
    pos = end + 1;
  }
  if (words.size() != n) {
    return ProtocolError(std::string(what) + ": expected " + std::to_string(n) +
                         " space-separated words in '" +
                         std::string(text.substr(0, 80)) + "'");
  }
  return words;
}

}  // namespace gale::records
