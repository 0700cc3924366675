#include "gale/fields.h"

namespace gale {

Fields::Fields(std::initializer_list<std::string> names) : names_(names) {}
Fields::Fields(std::vector<std::string> names) : names_(std::move(names)) {}

std::optional<std::size_t> Fields::IndexOf(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return std::nullopt;
}

std::string Fields::ToString() const {
  std::string out = "[";
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (i > 0) out += ", ";
    out += names_[i];
  }
  return out + "]";
}

}  // namespace gale
