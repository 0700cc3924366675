// The metrics messages of the control plane (metrics/report.h): what is
// encoded reads back the same, a report is split to stay under its limit,
// and malformed bytes are refused with a Status, never thrown.

#include "metrics/report.h"

#include <gtest/gtest.h>

#include <random>

#include "records/control.h"

namespace gale::metrics {
namespace {

TaskSnapshot Task(int id, const std::string& component) {
  TaskSnapshot s;
  s.task = id;
  s.component = component;
  s.kind = "bolt";
  s.container = 1;
  s.pid = 1000 + id;
  s.counters.executed = 10u * static_cast<unsigned>(id);
  s.counters.execute_ns = 5000;
  s.counters.execute_samples = 5;
  s.rss_kb = 2048;
  s.cpu_ms = 1234;
  s.incarnation = 3;
  s.errors = {{1700000000000, "Execute threw: boom"}, {1700000000500, "reported error: x=1"}};
  s.complete_latency.Record(2'000'000);
  return s;
}

StmgrSnapshot Stmgr() {
  StmgrSnapshot s;
  s.container = 1;
  s.pid = 77;
  s.endpoint = "tcp://127.0.0.1:5000";
  s.backpressure = true;
  s.backpressure_culprit = "count:4";
  s.backpressure_ns = 3'000'000'000;
  s.rss_kb = 4096;
  s.cpu_ms = 99;
  return s;
}

TEST(TaskMessage, ReadsBackWhatWasEncoded) {
  TaskSnapshot in = Task(4, "count");
  std::string bytes = EncodeTaskMessage(in);
  ASSERT_TRUE(records::IsControl(bytes));
  EXPECT_EQ(records::TypeByte(bytes), static_cast<std::uint8_t>(records::ControlType::kTaskMetrics));
  TaskSnapshot out;
  ASSERT_TRUE(DecodeTaskMessage(bytes, &out).ok());
  EXPECT_EQ(out.task, 4);
  EXPECT_EQ(out.component, "count");
  EXPECT_EQ(out.counters, in.counters);
  EXPECT_EQ(out.rss_kb, 2048u);
  EXPECT_EQ(out.cpu_ms, 1234u);
  EXPECT_EQ(out.incarnation, 3u);
  EXPECT_EQ(out.errors, in.errors);
  EXPECT_EQ(out.complete_latency.Count(), 1u);
}

TEST(TaskMessage, KeepsAtMostTheLastErrorsAndBoundsTheirLength) {
  TaskSnapshot in = Task(2, "split");
  in.errors.clear();
  for (std::size_t i = 0; i < kMaxErrors + 3; ++i) {
    in.errors.push_back({static_cast<std::int64_t>(i), std::string(kMaxErrorChars * 2, 'e')});
  }
  TaskSnapshot out;
  ASSERT_TRUE(Decode(Encode(in), &out).ok());
  ASSERT_EQ(out.errors.size(), kMaxErrors);
  for (const UserError& e : out.errors) EXPECT_EQ(e.message.size(), kMaxErrorChars);
}

TEST(TaskMessage, RefusesAnotherTypeAndBadErrors) {
  TaskSnapshot out;
  EXPECT_FALSE(DecodeTaskMessage(records::Encode(records::Consumed{3}), &out).ok());
  std::string bytes = EncodeTaskMessage(Task(2, "split")) + "error_1=notatime boom\n";
  EXPECT_FALSE(DecodeTaskMessage(bytes, &out).ok());
  EXPECT_FALSE(DecodeTaskMessage("C", &out).ok());
}

TEST(Report, ReadsBackTheStreamManagerAndEveryTask) {
  std::vector<std::string> tasks = {Encode(Task(2, "split")), Encode(Task(4, "count"))};
  std::vector<std::string> messages = EncodeReports(Stmgr(), tasks);
  ASSERT_EQ(messages.size(), 1u);
  auto report = DecodeReport(messages[0]);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->stmgr.container, 1);
  EXPECT_EQ(report->stmgr.backpressure_culprit, "count:4");
  EXPECT_EQ(report->stmgr.rss_kb, 4096u);
  ASSERT_EQ(report->tasks.size(), 2u);
  EXPECT_EQ(report->tasks[0].task, 2);
  EXPECT_EQ(report->tasks[1].component, "count");
  EXPECT_EQ(report->tasks[1].errors.size(), 2u);
}

TEST(Report, SplitsToStayUnderTheLimitAndDropsNothingThatFits) {
  TaskSnapshot big = Task(1, "wide");
  big.component = std::string(100'000, 'w');  // about 100 KB per task
  std::vector<std::string> tasks(25, Encode(big));
  tasks.push_back(std::string(kMaxReportBytes, 'x'));  // can never fit: left out
  std::vector<std::string> messages = EncodeReports(Stmgr(), tasks);
  EXPECT_GE(messages.size(), 3u);
  std::size_t decoded = 0;
  for (const std::string& m : messages) {
    EXPECT_LE(m.size(), kMaxReportBytes);
    auto report = DecodeReport(m);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->stmgr.container, 1);
    decoded += report->tasks.size();
  }
  EXPECT_EQ(decoded, 25u);
}

TEST(Report, RefusesMalformedReports) {
  std::string good = EncodeReports(Stmgr(), {Encode(Task(2, "split"))})[0];
  const std::string header = good.substr(0, 3);
  const std::vector<std::string> bad = {
      "",
      header,                                      // no stmgr part
      header + "task 3\nabc",                      // task before stmgr
      header + "stmgr 999\ncontainer=1\n",         // part longer than the message
      header + "stmgr x\ncontainer=1\n",           // size not a number
      header + "stmgr -1\n",                       // negative size
      header + "nonsense 0\n",                     // unknown part
      header + "stmgr 12\ncontainer=1\nstmgr 12\ncontainer=1\n",  // two stmgr parts
      header + "stmgr 12\ncontainer=x\n",          // bad snapshot
      good.substr(0, good.size() - 5),             // truncated
      EncodeTaskMessage(Task(2, "split")),         // another type
      header + std::string(kMaxReportBytes, 'a'),  // over the limit
  };
  for (const std::string& b : bad) {
    auto report = DecodeReport(b);
    EXPECT_FALSE(report.ok()) << b.substr(0, 40);
  }
}

TEST(Report, MutatedReportsNeverThrow) {
  std::string good = EncodeReports(Stmgr(), {Encode(Task(2, "split")), Encode(Task(4, "x"))})[0];
  std::mt19937 rng(7);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string m = good;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = 3 + rng() % (m.size() - 3);
      switch (rng() % 3) {
        case 0: m[at] = static_cast<char>(rng()); break;
        case 1: m.erase(at, 1 + rng() % 8); break;
        default: m.insert(at, 1, static_cast<char>(rng())); break;
      }
      if (m.size() <= 3) break;
    }
    auto report = DecodeReport(m);  // must not throw or crash
    if (report.ok()) ++accepted;
  }
  EXPECT_LT(accepted, 3000);
}

}  // namespace
}  // namespace gale::metrics
