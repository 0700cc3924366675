#pragma once

// What `gale local` announces about how its run will end, from the topology
// alone (before anything runs). A spout's end is known for the built-in
// spouts from their properties (RandomSentenceSpout `count`, SequenceSpout,
// FileSpout, KafkaSpout `bounded` / `max.records`); a user spout may or may
// not ever report Exhausted(), so its end is unknown until it happens.

#include <string>
#include <vector>

#include "plan/plan.h"

namespace gale::cli {

enum class SpoutEnd {
  kBounded,    // will be exhausted by itself
  kUnbounded,  // never exhausted
  kUnknown,    // only Exhausted() at run time can tell
};

struct SpoutEndInfo {
  SpoutEnd end = SpoutEnd::kUnknown;
  std::string why;  // for kUnbounded: e.g. "RandomSentenceSpout without 'count'"
};

// How one spout component ends.
SpoutEndInfo ClassifySpout(const plan::ComponentInfo& spout);

// The end of the header line, after "(N tasks)": e.g. " for 10 s, or until
// Ctrl-C" or " until its spouts are exhausted or Ctrl-C", from the
// topology's components (TopologyPlan::components()). `duration_secs` 0
// means no --duration.
std::string DescribeLocalRunEnd(const std::vector<plan::ComponentInfo>& components,
                                double duration_secs);

}  // namespace gale::cli
