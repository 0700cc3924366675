#pragma once

// Reading Prometheus text as /metrics serves it.

#include <regex>
#include <sstream>
#include <string>

namespace gale::testing {

// True if `labels` (the text between the braces) holds `label` (say
// `component="split"`, or several adjacent ones) from the start of a label:
// `component="split"` is not found in `source_component="split"`.
inline bool HasLabel(const std::string& labels, const std::string& label) {
  for (std::size_t at = labels.find(label); at != std::string::npos;
       at = labels.find(label, at + 1)) {
    if (at == 0 || labels[at - 1] == ',') return true;
  }
  return false;
}

// Sum of the samples of the family `name` whose labels contain `label`
// (say `component="split"`; see HasLabel).
inline double SumOf(const std::string& text, const std::string& name, const std::string& label) {
  double sum = 0;
  std::regex re("^" + name + R"(\{([^}]*)\} (\S+)$)");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, re) && HasLabel(m[1], label)) {
      sum += std::stod(m[2]);
    }
  }
  return sum;
}

}  // namespace gale::testing
