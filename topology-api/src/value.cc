#include "gale/value.h"

#include <cstdio>
#include <string>

namespace gale {

std::string_view ValueTypeName(const Value& value) {
  switch (value.index()) {
    case 0: return "null";
    case 1: return "bool";
    case 2: return "int";
    case 3: return "double";
    case 4: return "string";
    default: return "bytes";
  }
}

std::string ValueToString(const Value& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      return buf;
    }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const Bytes& b) const {
      static const char kHex[] = "0123456789abcdef";
      std::string out;
      out.reserve(b.size() * 2);
      for (std::uint8_t c : b) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
      return out;
    }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace gale
