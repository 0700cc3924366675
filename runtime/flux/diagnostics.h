#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "flux/substitution.h"
#include "gale/topology.h"

namespace gale::flux {

// 'text', as names appear in messages.
inline std::string Quoted(const std::string& s) { return "'" + s + "'"; }

// Turns yaml-cpp positions (0-based, in substituted text) into 1-based
// positions of one file and records "FILE:LINE:COLUMN: message" errors in a
// list shared by all files of one load. Borrows `positions` and `errors`.
class Diagnostics {
 public:
  Diagnostics(std::string file, const PositionMap* positions, std::vector<std::string>* errors)
      : file_(std::move(file)), positions_(positions), errors_(errors) {}

  const std::string& file() const { return file_; }
  SourceLocation Locate(const YAML::Mark& mark) const;
  // The start of the file (for things that are missing altogether).
  SourceLocation Start() const { return {file_, 1, 1}; }

  void Error(const YAML::Mark& mark, const std::string& message) { Error(Locate(mark), message); }
  void Error(const SourceLocation& where, const std::string& message) {
    errors_->push_back(where.ToString() + ": " + message);
  }
  std::size_t error_count() const { return errors_->size(); }

 private:
  std::string file_;
  const PositionMap* positions_;
  std::vector<std::string>* errors_;
};

}  // namespace gale::flux
