#pragma once

// The summary table `gale local` prints at the end of a run, as tests read it.

#include <cstdint>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace gale::testing {

// Columns of one row of the summary table.
struct SummaryRow {
  std::uint64_t tasks = 0, emitted = 0, transferred = 0, executed = 0, acked = 0, failed = 0,
                timed_out = 0;
};

// The row of `component` in `out`; a test failure when there is none.
inline SummaryRow FindSummaryRow(const std::string& out, const std::string& component) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id;
    f >> id;
    if (id != component) continue;
    SummaryRow r;
    f >> r.tasks >> r.emitted >> r.transferred >> r.executed >> r.acked >> r.failed >> r.timed_out;
    return r;
  }
  ADD_FAILURE() << "no summary row for " << component << " in:\n" << out;
  return {};
}

}  // namespace gale::testing
