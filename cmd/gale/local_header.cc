#include "local_header.h"

#include <cstdio>
#include <exception>

namespace gale::cli {
namespace {

// "10", "2.5": seconds as the user would write them.
std::string Seconds(double secs) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", secs);
  return buf;
}

}  // namespace

SpoutEndInfo ClassifySpout(const plan::ComponentInfo& spout) {
  const Config& c = spout.config;
  const std::string& cls = spout.class_name;
  try {
    if (cls == "SequenceSpout" || cls == "FileSpout") return {SpoutEnd::kBounded, ""};
    if (cls == "RandomSentenceSpout") {
      if (c.Has("count")) return {SpoutEnd::kBounded, ""};
      return {SpoutEnd::kUnbounded, "RandomSentenceSpout without 'count'"};
    }
    if (cls == "KafkaSpout") {
      if (c.GetBool("bounded", false) || c.Has("max.records")) return {SpoutEnd::kBounded, ""};
      return {SpoutEnd::kUnbounded, "KafkaSpout without 'bounded' or 'max.records'"};
    }
  } catch (const std::exception&) {
    // A mistyped property: the spout's Open reports it; say nothing here.
  }
  return {SpoutEnd::kUnknown, ""};
}

std::string DescribeLocalRunEnd(const std::vector<plan::ComponentInfo>& components,
                                double duration_secs) {
  bool all_bounded = true;
  std::string unbounded;  // "spout 'x' (why)" of the first unbounded spout
  for (const plan::ComponentInfo& c : components) {
    if (c.kind != ComponentKind::kSpout) continue;
    SpoutEndInfo info = ClassifySpout(c);
    if (info.end != SpoutEnd::kBounded) all_bounded = false;
    if (info.end == SpoutEnd::kUnbounded && unbounded.empty()) {
      unbounded = "spout '" + c.id + "' is unbounded: " + info.why;
    }
  }
  if (duration_secs > 0) {
    std::string text = " for " + Seconds(duration_secs) + " s";
    if (unbounded.empty()) text += " (less if its spouts are exhausted first)";
    return text + ", or until Ctrl-C";
  }
  if (!unbounded.empty()) return " until Ctrl-C (" + unbounded + ")";
  if (all_bounded) return " until its spouts are exhausted and every tuple is processed, or Ctrl-C";
  return " until its spouts are exhausted or Ctrl-C";
}

}  // namespace gale::cli
