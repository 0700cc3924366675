#pragma once

// Reading Prometheus text as /metrics serves it.

#include <regex>
#include <sstream>
#include <string>

namespace gale::testing {

// Sum of the samples of the family `name` whose labels contain `label`
// (say `component="split"`).
inline double SumOf(const std::string& text, const std::string& name, const std::string& label) {
  double sum = 0;
  std::regex re("^" + name + R"(\{([^}]*)\} (\S+)$)");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, re) && std::string(m[1]).find(label) != std::string::npos) {
      sum += std::stod(m[2]);
    }
  }
  return sum;
}

}  // namespace gale::testing
