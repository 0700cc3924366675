#include "flux/diagnostics.h"

namespace gale::flux {

SourceLocation Diagnostics::Locate(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return Start();
  int column =
      positions_ != nullptr ? positions_->OriginalColumn(mark.line, mark.column) : mark.column;
  return {file_, mark.line + 1, column + 1};
}

}  // namespace gale::flux
