#pragma once

// Metrics over the control plane: each instance sends its TaskSnapshot to its
// stream manager about once a second (kTaskMetrics), and each stream manager
// sends its own StmgrSnapshot with the latest snapshots of its tasks to the
// topology master about once a second (kMetricsReport). docs/wire-protocol.md
// describes the bytes:
//
//   kTaskMetrics:   'C' | 1 | 13 | snapshot text (metrics::Encode)
//   kMetricsReport: 'C' | 1 | 14 | part*
//     part: "stmgr <n>\n" or "task <n>\n", then n bytes of snapshot text;
//     exactly one stmgr part, first.
//
// A report is at most kMaxReportBytes; a container with more tasks than fit
// sends several, each with the stream manager's part. Decoders never throw
// and refuse anything malformed with a Status.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "metrics/snapshot.h"

namespace gale::metrics {

inline constexpr std::size_t kMaxReportBytes = 1 << 20;
inline constexpr std::size_t kMaxReportTasks = 4096;

std::string EncodeTaskMessage(const TaskSnapshot& snapshot);
[[nodiscard]] Status DecodeTaskMessage(std::string_view bytes, TaskSnapshot* snapshot);

struct Report {
  StmgrSnapshot stmgr;
  std::vector<TaskSnapshot> tasks;
};

// One or more messages holding `stmgr` and every text of `task_texts`
// (metrics::Encode of each task's snapshot). A task text alone over the
// limit is left out.
std::vector<std::string> EncodeReports(const StmgrSnapshot& stmgr,
                                       const std::vector<std::string>& task_texts);
Result<Report> DecodeReport(std::string_view bytes);

}  // namespace gale::metrics
