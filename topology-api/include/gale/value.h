#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gale {

// Raw bytes, distinct from text.
using Bytes = std::vector<std::uint8_t>;

// One tuple field. std::monostate is null.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string, Bytes>;
using Values = std::vector<Value>;

// A spout's id for one emitted message; the runtime hands it back to Ack/Fail.
using MessageId = std::uint64_t;

// "null", "bool", "int", "double", "string" or "bytes".
std::string_view ValueTypeName(const Value& value);

// Human-readable text of a value (strings as they are, bytes as hex).
std::string ValueToString(const Value& value);

}  // namespace gale
