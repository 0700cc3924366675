#include "top_frame.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace gale::cli {
namespace {

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kBoldRed = "\x1b[1;31m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kReverse = "\x1b[7m";
constexpr const char* kReset = "\x1b[0m";

// A piece of a line and its colour (nullptr: none).
struct Cell {
  std::string text;
  const char* sgr = nullptr;
};
using Line = std::vector<Cell>;

// Pads or cuts `s` to `width` columns, right-aligned when `right`.
std::string Fit(const std::string& s, std::size_t width, bool right) {
  if (s.size() > width) return width == 0 ? "" : s.substr(0, width - 1) + "~";
  std::string pad(width - s.size(), ' ');
  return right ? pad + s : s + pad;
}

std::string Render(const Line& line, const FrameStyle& style) {
  std::string out;
  std::size_t left = style.width > 0 ? static_cast<std::size_t>(style.width) : std::string::npos;
  for (const Cell& cell : line) {
    if (left == 0) break;
    std::string text = cell.text.substr(0, std::min(left, cell.text.size()));
    if (left != std::string::npos) left -= text.size();
    if (style.colour && cell.sgr != nullptr && !text.empty()) {
      out += cell.sgr + text + kReset;
    } else {
      out += text;
    }
  }
  return out;
}

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// Latencies in 3 significant-ish digits: "0.512", "12.3", "1234".
std::string Latency(const std::optional<double>& value) {
  if (!value) return "-";
  if (*value < 10) return Fixed(*value, 3);
  if (*value < 1000) return Fixed(*value, 1);
  return Fixed(*value, 0);
}

std::string Count(std::uint64_t n) { return n < 100000 ? std::to_string(n) : FormatRate(n); }

bool NamesComponent(const std::string& culprits, const std::string& component) {
  std::size_t start = 0;
  while (start <= culprits.size()) {
    std::size_t comma = culprits.find(',', start);
    std::string entry = culprits.substr(start, comma == std::string::npos ? std::string::npos
                                                                          : comma - start);
    if (entry.substr(0, entry.find(':')) == component) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

double RatePerSec(std::uint64_t before, std::uint64_t now, double secs) {
  if (secs <= 0 || now < before) return 0;
  return static_cast<double>(now - before) / secs;
}

std::optional<double> Capacity(const metrics::TaskCounters& delta, double secs) {
  if (secs <= 0 || delta.executed == 0 || delta.execute_samples == 0) return std::nullopt;
  double mean_ns =
      static_cast<double>(delta.execute_ns) / static_cast<double>(delta.execute_samples);
  return static_cast<double>(delta.executed) * mean_ns / (secs * 1e9);
}

metrics::Histogram HistogramSince(const metrics::Histogram& before,
                                  const metrics::Histogram& now) {
  std::vector<std::uint64_t> seen(metrics::Histogram::BucketCount(), 0);
  before.ForEachBucket([&](std::size_t i, std::uint64_t count) { seen[i] = count; });
  // A histogram with fewer samples than before belongs to a new process.
  if (now.Count() < before.Count()) std::fill(seen.begin(), seen.end(), 0);
  metrics::Histogram out;
  now.ForEachBucket([&](std::size_t i, std::uint64_t count) {
    if (count > seen[i]) (void)out.AddToBucket(i, count - seen[i]);
  });
  return out;
}

std::vector<ComponentRow> ComputeRows(const Snapshot& before, const Snapshot& now, double secs,
                                      const std::set<int>& live_tasks) {
  std::map<int, const metrics::TaskSnapshot*> earlier;
  for (const metrics::TaskSnapshot& t : before.tasks) earlier[t.task] = &t;
  std::map<std::string, const metrics::ComponentMetrics*> earlier_components;
  for (const metrics::ComponentMetrics& c : before.metrics.components) {
    earlier_components[c.id] = &c;
  }
  std::vector<ComponentRow> rows;
  for (const metrics::ComponentMetrics& c : now.metrics.components) {
    ComponentRow row;
    row.id = c.id;
    row.kind = c.kind;
    row.tasks = c.tasks;
    const metrics::TaskCounters& t = c.totals;
    auto found = earlier_components.find(c.id);
    const metrics::TaskCounters prev =
        found == earlier_components.end() ? t : found->second->totals;
    row.emitted_per_sec = RatePerSec(prev.emitted, t.emitted, secs);
    row.executed_per_sec = RatePerSec(prev.executed, t.executed, secs);
    row.acked_per_sec = RatePerSec(prev.acked, t.acked, secs);
    row.failed_per_sec = RatePerSec(prev.failed, t.failed, secs);
    row.failed = t.failed;
    row.timed_out = t.timed_out;
    row.failing = t.failed > prev.failed || t.timed_out > prev.timed_out;
    row.throttled_secs = c.throttled_secs;
    const metrics::TaskCounters delta = t.Minus(prev);
    if (c.kind == "spout" && delta.acked > 0) {
      row.complete_mean_ms =
          static_cast<double>(delta.complete_ns) / static_cast<double>(delta.acked) / 1e6;
    }
    if (delta.execute_samples > 0) {
      row.execute_mean_us = static_cast<double>(delta.execute_ns) /
                            static_cast<double>(delta.execute_samples) / 1e3;
    }
    metrics::Histogram complete;
    for (const metrics::TaskSnapshot& task : now.tasks) {
      if (task.component != c.id) continue;
      if (live_tasks.count(task.task)) row.tasks_live++;
      row.restarts += task.incarnation > 0 ? task.incarnation - 1 : 0;
      auto e = earlier.find(task.task);
      const metrics::TaskSnapshot* prior = e == earlier.end() ? nullptr : e->second;
      // Only the interval counts: a task first seen now has no rate yet.
      if (prior == nullptr) continue;
      complete.Merge(HistogramSince(prior->complete_latency, task.complete_latency));
      std::optional<double> cap = Capacity(task.counters.Minus(prior->counters), secs);
      if (cap && (!row.capacity || *cap > *row.capacity)) row.capacity = cap;
    }
    if (complete.Count() > 0) {
      row.complete_p99_ms = static_cast<double>(complete.Percentile(99)) / 1e6;
    }
    row.culprit = now.metrics.backpressure.active &&
                  NamesComponent(now.metrics.backpressure.culprits, c.id);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string FormatDuration(double secs) {
  auto s = static_cast<long long>(secs < 0 ? 0 : secs);
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
  }
  return buf;
}

std::string FormatRate(double v) {
  if (v <= 0) return "0";
  if (v < 100) return Fixed(v, 1);
  if (v < 1e4) return Fixed(v, 0);
  if (v < 1e6) return Fixed(v / 1e3, 1) + "k";
  if (v < 1e9) return Fixed(v / 1e6, 2) + "M";
  return Fixed(v / 1e9, 2) + "G";
}

std::vector<std::string> FormatFrame(const FrameHeader& h, const std::vector<ComponentRow>& rows,
                                     const FrameStyle& style) {
  std::vector<Line> lines;
  // topology NAME: running, active, up 12m05s, 5/5 tasks live  every 1s  14:59:48
  Line head;
  head.push_back({"topology ", nullptr});
  head.push_back({h.name, kBold});
  head.push_back({": ", nullptr});
  head.push_back({h.running ? "running" : "dead", h.running ? kGreen : kBoldRed});
  head.push_back({", ", nullptr});
  head.push_back({h.active ? "active" : "inactive", h.active ? nullptr : kYellow});
  if (h.uptime_secs) head.push_back({", up " + FormatDuration(*h.uptime_secs), nullptr});
  head.push_back({", ", nullptr});
  head.push_back({std::to_string(h.tasks_live) + "/" + std::to_string(h.tasks_total) +
                      " tasks live",
                  h.tasks_live < h.tasks_total ? kRed : nullptr});
  std::string every = h.interval_secs == static_cast<long long>(h.interval_secs)
                          ? std::to_string(static_cast<long long>(h.interval_secs))
                          : Fixed(h.interval_secs, 1);
  head.push_back({"  every " + every + "s", nullptr});
  if (!h.clock.empty()) head.push_back({"  " + h.clock, nullptr});
  if (h.interactive) head.push_back({"  (q quits)", nullptr});
  lines.push_back(head);

  const metrics::BackpressureMetrics& bp = h.backpressure;
  Line pressure;
  pressure.push_back({"backpressure: ", nullptr});
  if (bp.active) {
    pressure.push_back({"ACTIVE, held by " + (bp.culprits.empty() ? "?" : bp.culprits),
                        kBoldRed});
  } else {
    pressure.push_back({"none now", nullptr});
  }
  pressure.push_back({"; " + std::to_string(bp.episodes) + " episodes, " + Fixed(bp.secs, 2) +
                          " s in total",
                      nullptr});
  if (!bp.last_culprits.empty()) {
    pressure.push_back({", last caused by " + bp.last_culprits, nullptr});
  }
  lines.push_back(pressure);
  lines.push_back({});

  std::size_t id_width = 9;
  for (const ComponentRow& r : rows) id_width = std::max(id_width, r.id.size() + 1);
  id_width = std::min<std::size_t>(id_width, 24);
  struct Column {
    const char* title;
    std::size_t width;
  };
  // Every column after the first is right-aligned and preceded by a space.
  const std::vector<Column> columns = {
      {"KIND", 5},     {"TASKS", 7},  {"RST", 4},     {"EMIT/s", 8},  {"EXEC/s", 8},
      {"ACK/s", 8},    {"FAIL/s", 7}, {"FAILED", 7},  {"TMOUT", 6},   {"CMPL-ms", 8},
      {"P99-ms", 8},   {"EXEC-us", 8}, {"CAP", 6},    {"THROT-s", 8},
  };
  Line titles;
  titles.push_back({Fit("COMPONENT", id_width, false), nullptr});
  for (const Column& c : columns) titles.push_back({" " + Fit(c.title, c.width, true), nullptr});
  if (style.colour) {
    for (Cell& cell : titles) cell.sgr = kReverse;
  }
  lines.push_back(titles);

  for (const ComponentRow& r : rows) {
    Line line;
    auto add = [&](std::size_t column, const std::string& text, const char* sgr = nullptr) {
      line.push_back({" " + Fit(text, columns[column].width, true), sgr});
    };
    line.push_back({Fit((r.culprit ? "*" : "") + r.id, id_width, false),
                    r.culprit ? kBoldRed : nullptr});
    add(0, r.kind);
    add(1, std::to_string(r.tasks_live) + "/" + std::to_string(r.tasks),
        r.tasks_live < r.tasks ? kRed : nullptr);
    add(2, std::to_string(r.restarts), r.restarts > 0 ? kYellow : nullptr);
    add(3, FormatRate(r.emitted_per_sec));
    add(4, FormatRate(r.executed_per_sec));
    add(5, FormatRate(r.acked_per_sec));
    add(6, FormatRate(r.failed_per_sec), r.failed_per_sec > 0 ? kRed : nullptr);
    add(7, Count(r.failed), r.failing ? kRed : nullptr);
    add(8, Count(r.timed_out), r.failing ? kRed : nullptr);
    add(9, Latency(r.complete_mean_ms));
    add(10, Latency(r.complete_p99_ms));
    add(11, Latency(r.execute_mean_us));
    const char* busy = !r.capacity                    ? nullptr
                       : *r.capacity >= kBusyCapacity ? kBoldRed
                       : *r.capacity >= 0.5           ? kYellow
                                                      : nullptr;
    add(12, r.capacity ? Fixed(*r.capacity, 3) : "-", busy);
    add(13, r.kind == "spout" ? Fixed(r.throttled_secs, 1) : "-");
    lines.push_back(line);
  }

  std::vector<std::string> out;
  out.reserve(lines.size());
  for (const Line& line : lines) out.push_back(Render(line, style));
  return out;
}

}  // namespace gale::cli
