#include "bolts/kafka/record_format.h"

#include <charconv>
#include <cmath>

namespace gale::kafka {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;  // UTF-8 passes through
        }
    }
  }
  out += '"';
}

std::string DoubleText(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, end);
}

}  // namespace

std::optional<std::string> RenderText(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::optional<std::string> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, bool>) {
          return std::string(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return DoubleText(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else {
          return std::string(v.begin(), v.end());
        }
      },
      value);
}

void AppendJson(std::string& out, const Value& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          out += std::isfinite(v) ? DoubleText(v) : "null";
        } else if constexpr (std::is_same_v<T, std::string>) {
          AppendJsonString(out, v);
        } else {
          out += '"';
          for (std::uint8_t b : v) {
            out += kHex[b >> 4];
            out += kHex[b & 0xf];
          }
          out += '"';
        }
      },
      value);
}

std::string RenderJson(const Value& value) {
  std::string out;
  AppendJson(out, value);
  return out;
}

std::string RenderTupleJson(const Tuple& tuple) {
  std::string out = "{";
  const Fields& fields = tuple.Fields();
  for (std::size_t i = 0; i < tuple.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, i < fields.size() ? fields[i] : "field" + std::to_string(i));
    out += ':';
    AppendJson(out, tuple[i]);
  }
  out += '}';
  return out;
}

}  // namespace gale::kafka
