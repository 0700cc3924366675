// Arbitrary bytes as a control message (records/control.h), as any process
// on a socket may send them. DecodeControl must refuse what is malformed
// without crashing or throwing; a message it accepts must keep its type and
// read back the same after Encode wrote it again. The metrics messages that
// share the sockets (metrics/report.h) get the same bytes: refused or
// decoded, never a crash, and a decoded report reads back the same.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "metrics/report.h"
#include "records/control.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gale::records;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  gale::metrics::TaskSnapshot task;
  if (gale::metrics::DecodeTaskMessage(bytes, &task).ok()) {
    FUZZ_CHECK(data[2] == static_cast<std::uint8_t>(ControlType::kTaskMetrics), "task type");
  }
  if (auto report = gale::metrics::DecodeReport(bytes); report.ok()) {
    std::vector<std::string> texts;
    for (const auto& t : report->tasks) texts.push_back(gale::metrics::Encode(t));
    auto again = gale::metrics::EncodeReports(report->stmgr, texts);
    std::size_t tasks = 0;
    for (const std::string& m : again) {
      auto copy = gale::metrics::DecodeReport(m);
      FUZZ_CHECK(copy.ok(), "a re-encoded report decodes");
      FUZZ_CHECK(copy->stmgr.container == report->stmgr.container, "the report's container");
      tasks += copy->tasks.size();
    }
    FUZZ_CHECK(tasks == report->tasks.size(), "every task survives a round trip");
  }
  FUZZ_CHECK(IsControl(bytes) == (size > 0 && data[0] == kControlMagic), "IsControl");
  gale::Result<ControlRecord> message = DecodeControl(bytes);
  if (!message.ok()) return 0;
  FUZZ_CHECK(IsControl(bytes), "only control messages decode");
  FUZZ_CHECK(static_cast<std::uint8_t>(TypeOf(*message)) == data[2], "the type byte is kept");
  std::string again = EncodeControl(*message);
  FUZZ_CHECK(again.size() >= 3 && static_cast<std::uint8_t>(again[2]) == data[2],
             "the encoding has the same type");
  gale::Result<ControlRecord> copy = DecodeControl(again);
  FUZZ_CHECK(copy.ok(), "a re-encoded message decodes");
  FUZZ_CHECK(*copy == *message, "messages survive a round trip");
  return 0;
}
