#include "metrics/report.h"

#include "common/parse.h"
#include "records/control.h"

namespace gale::metrics {
namespace {

std::string Header(records::ControlType type) {
  std::string out;
  out.push_back(static_cast<char>(records::kControlMagic));
  out.push_back(static_cast<char>(records::kControlVersion));
  out.push_back(static_cast<char>(type));
  return out;
}

Status CheckHeader(std::string_view bytes, records::ControlType type, std::size_t max) {
  if (bytes.size() < 3 || static_cast<std::uint8_t>(bytes[0]) != records::kControlMagic ||
      static_cast<std::uint8_t>(bytes[1]) != records::kControlVersion ||
      records::TypeByte(bytes) != static_cast<std::uint8_t>(type)) {
    return ProtocolError("metrics message: bad header");
  }
  if (bytes.size() > max) {
    return ProtocolError("metrics message: " + std::to_string(bytes.size()) +
                         " bytes, over the limit of " + std::to_string(max));
  }
  return Status::Ok();
}

void AppendPart(std::string* out, std::string_view kind, std::string_view text) {
  out->append(kind);
  out->push_back(' ');
  out->append(std::to_string(text.size()));
  out->push_back('\n');
  out->append(text);
}

}  // namespace

std::string EncodeTaskMessage(const TaskSnapshot& snapshot) {
  return Header(records::ControlType::kTaskMetrics) + Encode(snapshot);
}

Status DecodeTaskMessage(std::string_view bytes, TaskSnapshot* snapshot) {
  GALE_RETURN_IF_ERROR(
      CheckHeader(bytes, records::ControlType::kTaskMetrics, kMaxEncodedBytes + 3));
  Status s = Decode(bytes.substr(3), snapshot);
  if (!s.ok()) return ProtocolError("task metrics: " + s.message());
  return Status::Ok();
}

std::vector<std::string> EncodeReports(const StmgrSnapshot& stmgr,
                                       const std::vector<std::string>& task_texts) {
  std::vector<std::string> out;
  std::string start = Header(records::ControlType::kMetricsReport);
  AppendPart(&start, "stmgr", Encode(stmgr));
  std::string current = start;
  std::size_t tasks = 0;
  for (const std::string& text : task_texts) {
    const std::size_t part = text.size() + 32;
    if (start.size() + part > kMaxReportBytes) continue;  // cannot fit any report
    if (current.size() + part > kMaxReportBytes || tasks == kMaxReportTasks) {
      out.push_back(std::move(current));
      current = start;
      tasks = 0;
    }
    AppendPart(&current, "task", text);
    ++tasks;
  }
  out.push_back(std::move(current));
  return out;
}

Result<Report> DecodeReport(std::string_view bytes) {
  GALE_RETURN_IF_ERROR(CheckHeader(bytes, records::ControlType::kMetricsReport, kMaxReportBytes));
  std::string_view rest = bytes.substr(3);
  Report report;
  bool have_stmgr = false;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos || nl > 32) {
      return ProtocolError("metrics report: malformed part header");
    }
    std::string_view header = rest.substr(0, nl);
    auto space = header.find(' ');
    if (space == std::string_view::npos) {
      return ProtocolError("metrics report: malformed part header");
    }
    std::string_view kind = header.substr(0, space);
    auto size = ParseInt(header.substr(space + 1), 0,
                         static_cast<std::int64_t>(kMaxReportBytes), "part size");
    if (!size.ok()) return ProtocolError("metrics report: " + size.status().message());
    rest = rest.substr(nl + 1);
    if (static_cast<std::size_t>(*size) > rest.size()) {
      return ProtocolError("metrics report: part longer than the message");
    }
    std::string_view text = rest.substr(0, static_cast<std::size_t>(*size));
    rest = rest.substr(static_cast<std::size_t>(*size));
    if (kind == "stmgr") {
      if (have_stmgr) return ProtocolError("metrics report: two stmgr parts");
      Status s = Decode(text, &report.stmgr);
      if (!s.ok()) return ProtocolError("metrics report: stmgr: " + s.message());
      have_stmgr = true;
    } else if (kind == "task") {
      if (!have_stmgr) return ProtocolError("metrics report: task part before the stmgr part");
      if (report.tasks.size() == kMaxReportTasks) {
        return ProtocolError("metrics report: more than " + std::to_string(kMaxReportTasks) +
                             " tasks");
      }
      TaskSnapshot t;
      Status s = Decode(text, &t);
      if (!s.ok()) return ProtocolError("metrics report: task: " + s.message());
      report.tasks.push_back(std::move(t));
    } else {
      return ProtocolError("metrics report: unknown part '" + std::string(kind.substr(0, 16)) +
                           "'");
    }
  }
  if (!have_stmgr) return ProtocolError("metrics report: no stmgr part");
  return report;
}

}  // namespace gale::metrics
