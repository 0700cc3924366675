#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gale {

// The ordered field names of a stream, e.g. Fields{"word", "count"}.
class Fields {
 public:
  Fields() = default;
  Fields(std::initializer_list<std::string> names);
  explicit Fields(std::vector<std::string> names);

  std::size_t size() const { return names_.size(); }
  bool empty() const { return names_.empty(); }
  const std::string& operator[](std::size_t i) const { return names_[i]; }
  const std::vector<std::string>& names() const { return names_; }

  // Position of `name`, or nullopt when the stream has no such field.
  std::optional<std::size_t> IndexOf(std::string_view name) const;
  bool Contains(std::string_view name) const { return IndexOf(name).has_value(); }

  // "[word, count]"
  std::string ToString() const;

  friend bool operator==(const Fields&, const Fields&) = default;

 private:
  std::vector<std::string> names_;
};

}  // namespace gale
