#include "metrics/snapshot.h"

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <tuple>
#include <utility>

#include "common/names.h"
#include "common/parse.h"

namespace gale::metrics {
namespace {

using CounterField = std::uint64_t TaskCounters::*;

// The counters with their keys, in the order of the files.
constexpr std::pair<const char*, CounterField> kCounterFields[] = {
    {"emitted", &TaskCounters::emitted},
    {"transferred", &TaskCounters::transferred},
    {"executed", &TaskCounters::executed},
    {"acked", &TaskCounters::acked},
    {"failed", &TaskCounters::failed},
    {"timed_out", &TaskCounters::timed_out},
    {"complete_ns", &TaskCounters::complete_ns},
    {"execute_ns", &TaskCounters::execute_ns},
    {"execute_samples", &TaskCounters::execute_samples},
    {"user_errors", &TaskCounters::user_errors},
    {"misuse", &TaskCounters::misuse},
    {"throttled_ns", &TaskCounters::throttled_ns},
    {"throttle_episodes", &TaskCounters::throttle_episodes},
    {"malformed", &TaskCounters::malformed},
    {"dropped", &TaskCounters::dropped},
};

using StreamField = std::uint64_t StreamCounters::*;

constexpr StreamField kOutputFields[] = {&StreamCounters::emitted, &StreamCounters::transferred};
constexpr StreamField kInputFields[] = {&StreamCounters::executed, &StreamCounters::acked,
                                        &StreamCounters::failed};
constexpr StreamField kStreamFields[] = {&StreamCounters::emitted, &StreamCounters::transferred,
                                         &StreamCounters::executed, &StreamCounters::acked,
                                         &StreamCounters::failed};

constexpr std::size_t kMaxLines = 4096;
constexpr std::int64_t kMaxId = std::numeric_limits<int>::max();

void Line(std::string* out, std::string_view key, std::string_view value) {
  out->append(key);
  out->push_back('=');
  // Values are single-line; a newline would split them.
  for (char c : value) out->push_back(c == '\n' || c == '\r' ? ' ' : c);
  out->push_back('\n');
}

void Line(std::string* out, std::string_view key, std::uint64_t value) {
  Line(out, key, std::to_string(value));
}

// The lines of `text` as key -> value; the last of repeated keys wins.
Status SplitLines(std::string_view text, std::map<std::string, std::string, std::less<>>* kv) {
  if (text.size() > kMaxEncodedBytes) {
    return Status(ErrorCode::kInvalidArgument, "metrics record too large");
  }
  std::size_t lines = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (++lines > kMaxLines) return Status(ErrorCode::kInvalidArgument, "metrics record too long");
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status(ErrorCode::kInvalidArgument, "malformed metrics line");
    }
    (*kv)[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return Status::Ok();
}

// Reads typed fields from the split lines; remembers the first error.
class Reader {
 public:
  explicit Reader(const std::map<std::string, std::string, std::less<>>& kv) : kv_(kv) {}

  const std::string* Find(std::string_view key) const {
    auto it = kv_.find(key);
    return it == kv_.end() ? nullptr : &it->second;
  }
  void U64(std::string_view key, std::uint64_t* out) {
    if (const std::string* v = Find(key)) Keep(ParseUint64(*v, key), out);
  }
  void I64(std::string_view key, std::int64_t* out) {
    if (const std::string* v = Find(key)) {
      Keep(ParseInt(*v, std::numeric_limits<std::int64_t>::min(),
                    std::numeric_limits<std::int64_t>::max(), key),
           out);
    }
  }
  void Int(std::string_view key, std::int64_t min, int* out) {
    if (const std::string* v = Find(key)) {
      std::int64_t n = 0;
      Keep(ParseInt(*v, min, kMaxId, key), &n);
      *out = static_cast<int>(n);
    }
  }
  void Flag(std::string_view key, bool* out) {
    if (const std::string* v = Find(key)) Keep(ParseFlag(*v, key), out);
  }
  void Text(std::string_view key, std::string* out) {
    if (const std::string* v = Find(key)) *out = *v;
  }
  void Fail(Status s) {
    if (status_.ok()) status_ = std::move(s);
  }
  const Status& status() const { return status_; }

 private:
  template <typename T, typename U>
  void Keep(Result<T> r, U* out) {
    if (r.ok()) {
      *out = static_cast<U>(*r);
    } else {
      Fail(r.status());
    }
  }

  const std::map<std::string, std::string, std::less<>>& kv_;
  Status status_;
};

// "index:count,index:count,..." with increasing indexes.
std::string EncodeHistogram(const Histogram& h) {
  std::string out;
  h.ForEachBucket([&](std::size_t index, std::uint64_t count) {
    if (!out.empty()) out.push_back(',');
    out += std::to_string(index);
    out.push_back(':');
    out += std::to_string(count);
  });
  return out;
}

Status DecodeHistogram(std::string_view text, Histogram* h) {
  h->Reset();
  const Status bad(ErrorCode::kInvalidArgument, "malformed complete_latency_buckets");
  std::int64_t last = -1;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    auto colon = item.find(':');
    if (colon == std::string_view::npos) return bad;
    auto index = ParseInt(item.substr(0, colon), 0,
                          static_cast<std::int64_t>(Histogram::BucketCount()) - 1, "bucket");
    auto count = ParseUint64(item.substr(colon + 1), "bucket count");
    if (!index.ok() || !count.ok() || *index <= last) return bad;
    last = *index;
    if (!h->AddToBucket(static_cast<std::size_t>(*index), *count)) return bad;
  }
  return Status::Ok();
}

// "<n> <n> [<component>] <stream>": the counts of `fields`, then the names.
std::string EncodeStream(const StreamStats& st, std::span<const StreamField> fields, bool input) {
  std::string out;
  for (StreamField f : fields) {
    out += std::to_string(st.counters.*f);
    out.push_back(' ');
  }
  if (input) {
    out += st.component;
    out.push_back(' ');
  }
  out += st.stream;
  return out;
}

Status DecodeStream(std::string_view text, std::span<const StreamField> fields, bool input,
                    StreamStats* st) {
  const Status bad(ErrorCode::kInvalidArgument,
                   std::string("malformed ") + (input ? "input" : "output") + " stream counts");
  for (StreamField f : fields) {
    auto space = text.find(' ');
    if (space == std::string_view::npos) return bad;
    auto n = ParseUint64(text.substr(0, space), "stream count");
    if (!n.ok()) return bad;
    st->counters.*f = *n;
    text = text.substr(space + 1);
  }
  if (input) {
    auto space = text.find(' ');
    // A component id (common/names.h), so that it reads back as written.
    if (space == std::string_view::npos || !ValidComponentId(text.substr(0, space))) return bad;
    st->component = std::string(text.substr(0, space));
    text = text.substr(space + 1);
  }
  if (text.empty()) return bad;
  st->stream = std::string(text);
  return Status::Ok();
}

std::uint64_t SaturatingAdd(std::uint64_t a, std::uint64_t b) {
  return b > std::numeric_limits<std::uint64_t>::max() - a
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

void Append(std::string* list, const std::string& item) {
  if (item.empty()) return;
  if (!list->empty()) list->push_back(',');
  *list += item;
}

}  // namespace

StreamCounters StreamCounters::Plus(const StreamCounters& other) const {
  StreamCounters out;
  for (StreamField f : kStreamFields) out.*f = SaturatingAdd(this->*f, other.*f);
  return out;
}

StreamCounters StreamCounters::Minus(const StreamCounters& other) const {
  StreamCounters out;
  for (StreamField f : kStreamFields) out.*f = this->*f > other.*f ? this->*f - other.*f : 0;
  return out;
}

TaskCounters TaskCounters::Plus(const TaskCounters& other) const {
  TaskCounters out;
  for (const auto& [key, field] : kCounterFields) {
    out.*field = SaturatingAdd(this->*field, other.*field);
  }
  return out;
}

TaskCounters TaskCounters::Minus(const TaskCounters& other) const {
  TaskCounters out;
  for (const auto& [key, field] : kCounterFields) {
    out.*field = this->*field > other.*field ? this->*field - other.*field : 0;
  }
  return out;
}

std::string Encode(const TaskSnapshot& s) {
  std::string out;
  Line(&out, "task", std::to_string(s.task));
  Line(&out, "component", s.component);
  Line(&out, "kind", s.kind);
  Line(&out, "container", std::to_string(s.container));
  Line(&out, "pid", std::to_string(s.pid));
  for (const auto& [key, field] : kCounterFields) Line(&out, key, s.counters.*field);
  Line(&out, "pending", std::to_string(s.pending));
  Line(&out, "drained", s.drained ? "1" : "0");
  Line(&out, "active", s.active ? "1" : "0");
  Line(&out, "throttled", s.throttled ? "1" : "0");
  Line(&out, "peak_rss_kb", s.peak_rss_kb);
  Line(&out, "incarnation", s.incarnation);
  Line(&out, "rss_kb", s.rss_kb);
  Line(&out, "cpu_ms", s.cpu_ms);
  for (std::size_t i = 0; i < s.errors.size() && i < kMaxErrors; ++i) {
    const UserError& e = s.errors[i];
    Line(&out, "error_" + std::to_string(i + 1),
         std::to_string(e.time_ms) + " " + e.message.substr(0, kMaxErrorChars));
  }
  for (const auto& [key, field] : kCounterFields) {
    Line(&out, std::string("base_") + key, s.base.*field);
  }
  if (s.complete_latency.Count() > 0) {
    Line(&out, "complete_latency_buckets", EncodeHistogram(s.complete_latency));
  }
  if (s.queue_depth >= 0) Line(&out, "queue_depth", std::to_string(s.queue_depth));
  for (std::size_t i = 0; i < s.outputs.size() && i < kMaxStreams; ++i) {
    Line(&out, "out_" + std::to_string(i + 1), EncodeStream(s.outputs[i], kOutputFields, false));
  }
  for (std::size_t i = 0; i < s.inputs.size() && i < kMaxStreams; ++i) {
    Line(&out, "in_" + std::to_string(i + 1), EncodeStream(s.inputs[i], kInputFields, true));
  }
  return out;
}

Status Decode(std::string_view text, TaskSnapshot* out) {
  std::map<std::string, std::string, std::less<>> kv;
  if (Status s = SplitLines(text, &kv); !s.ok()) return s;
  if (!kv.count("task") || !kv.count("component")) {
    return Status(ErrorCode::kInvalidArgument, "metrics record without task or component");
  }
  TaskSnapshot s;
  Reader r(kv);
  r.Int("task", 1, &s.task);
  r.Text("component", &s.component);
  r.Text("kind", &s.kind);
  r.Int("container", -1, &s.container);
  r.Int("pid", 0, &s.pid);
  for (const auto& [key, field] : kCounterFields) {
    r.U64(key, &(s.counters.*field));
    r.U64(std::string("base_") + key, &(s.base.*field));
  }
  r.I64("pending", &s.pending);
  r.Flag("drained", &s.drained);
  r.Flag("active", &s.active);
  r.Flag("throttled", &s.throttled);
  r.U64("peak_rss_kb", &s.peak_rss_kb);
  r.U64("incarnation", &s.incarnation);
  r.U64("rss_kb", &s.rss_kb);
  r.U64("cpu_ms", &s.cpu_ms);
  for (std::size_t i = 1; i <= kMaxErrors; ++i) {
    const std::string* v = r.Find("error_" + std::to_string(i));
    if (v == nullptr) break;
    auto space = v->find(' ');
    auto time = ParseInt(std::string_view(*v).substr(0, space), 0,
                         std::numeric_limits<std::int64_t>::max(), "error time");
    if (!time.ok()) {
      r.Fail(time.status());
      break;
    }
    s.errors.push_back({*time, space == std::string::npos
                                   ? std::string()
                                   : v->substr(space + 1, kMaxErrorChars)});
  }
  if (const std::string* buckets = r.Find("complete_latency_buckets")) {
    if (Status hs = DecodeHistogram(*buckets, &s.complete_latency); !hs.ok()) r.Fail(hs);
  }
  r.I64("queue_depth", &s.queue_depth);
  for (auto [prefix, list, input] : {std::tuple{"out_", &s.outputs, false},
                                     std::tuple{"in_", &s.inputs, true}}) {
    const std::span<const StreamField> fields =
        input ? std::span<const StreamField>(kInputFields) : kOutputFields;
    for (std::size_t i = 1; i <= kMaxStreams; ++i) {
      const std::string* v = r.Find(prefix + std::to_string(i));
      if (v == nullptr) break;
      StreamStats st;
      if (Status ss = DecodeStream(*v, fields, input, &st); !ss.ok()) {
        r.Fail(ss);
        break;
      }
      if (!input) st.component = s.component;  // outputs are the task's own streams
      list->push_back(std::move(st));
    }
  }
  if (!r.status().ok()) return r.status();
  *out = std::move(s);
  return Status::Ok();
}

std::string Encode(const StmgrSnapshot& s) {
  std::string out;
  Line(&out, "container", std::to_string(s.container));
  Line(&out, "pid", std::to_string(s.pid));
  Line(&out, "endpoint", s.endpoint);
  if (!s.host.empty()) Line(&out, "host", s.host);
  Line(&out, "queued_bytes", s.queued_bytes);
  Line(&out, "routed_batches", s.routed_batches);
  Line(&out, "dropped_batches", s.dropped_batches);
  Line(&out, "malformed_batches", s.malformed_batches);
  Line(&out, "backpressure", s.backpressure ? "1" : "0");
  Line(&out, "backpressure_culprit", s.backpressure_culprit);
  Line(&out, "backpressure_episodes", s.backpressure_episodes);
  Line(&out, "last_backpressure_culprit", s.last_backpressure_culprit);
  Line(&out, "backpressure_ns", s.backpressure_ns);
  Line(&out, "remote_backpressure", s.remote_backpressure);
  Line(&out, "plan_version", s.plan_version);
  Line(&out, "peak_rss_kb", s.peak_rss_kb);
  Line(&out, "rss_kb", s.rss_kb);
  Line(&out, "cpu_ms", s.cpu_ms);
  Line(&out, "malformed_metrics", s.malformed_metrics);
  return out;
}

Status Decode(std::string_view text, StmgrSnapshot* out) {
  std::map<std::string, std::string, std::less<>> kv;
  if (Status s = SplitLines(text, &kv); !s.ok()) return s;
  if (!kv.count("container")) {
    return Status(ErrorCode::kInvalidArgument, "stream manager record without container");
  }
  StmgrSnapshot s;
  Reader r(kv);
  r.Int("container", -1, &s.container);
  r.Int("pid", 0, &s.pid);
  r.Text("endpoint", &s.endpoint);
  r.Text("host", &s.host);
  r.U64("queued_bytes", &s.queued_bytes);
  r.U64("routed_batches", &s.routed_batches);
  r.U64("dropped_batches", &s.dropped_batches);
  r.U64("malformed_batches", &s.malformed_batches);
  r.Flag("backpressure", &s.backpressure);
  r.Text("backpressure_culprit", &s.backpressure_culprit);
  r.U64("backpressure_episodes", &s.backpressure_episodes);
  r.Text("last_backpressure_culprit", &s.last_backpressure_culprit);
  r.U64("backpressure_ns", &s.backpressure_ns);
  r.Text("remote_backpressure", &s.remote_backpressure);
  r.Text("plan_version", &s.plan_version);
  r.U64("peak_rss_kb", &s.peak_rss_kb);
  r.U64("rss_kb", &s.rss_kb);
  r.U64("cpu_ms", &s.cpu_ms);
  r.U64("malformed_metrics", &s.malformed_metrics);
  if (!r.status().ok()) return r.status();
  *out = std::move(s);
  return Status::Ok();
}

TopologyMetrics Aggregate(const std::vector<ComponentRef>& components,
                          const std::vector<TaskSnapshot>& tasks,
                          const std::vector<StmgrSnapshot>& stmgrs) {
  TopologyMetrics m;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const ComponentRef& c : components) {
    if (index.count(c.id)) continue;
    index[c.id] = m.components.size();
    ComponentMetrics cm;
    cm.id = c.id;
    cm.kind = c.kind;
    cm.tasks = c.tasks;
    m.components.push_back(std::move(cm));
    m.tasks_total += c.tasks;
  }
  std::vector<Histogram> complete(m.components.size());
  for (const TaskSnapshot& t : tasks) {
    auto it = index.find(t.component);
    if (it == index.end()) continue;
    ComponentMetrics& c = m.components[it->second];
    if (c.kind.empty()) c.kind = t.kind;
    c.tasks_reporting++;
    c.totals = c.totals.Plus(t.counters);
    c.current = c.current.Plus(t.current());
    if (t.incarnation > 1) c.restarted_tasks++;
    c.pending += t.pending;
    c.drained = c.drained && t.drained;
    complete[it->second].Merge(t.complete_latency);
    if (t.kind == "spout") m.spouts_drained = m.spouts_drained && t.drained;
    m.progress += t.counters.emitted + t.counters.acked + t.counters.failed;
    m.tasks_reporting++;
  }
  for (std::size_t i = 0; i < m.components.size(); ++i) {
    ComponentMetrics& c = m.components[i];
    const TaskCounters& t = c.totals;
    c.complete_mean_ms =
        t.acked > 0 ? static_cast<double>(t.complete_ns) / 1e6 / static_cast<double>(t.acked) : 0;
    const Histogram& h = complete[i];
    c.complete_p50_ms = static_cast<double>(h.Percentile(50)) / 1e6;
    c.complete_p99_ms = static_cast<double>(h.Percentile(99)) / 1e6;
    c.complete_p999_ms = static_cast<double>(h.Percentile(99.9)) / 1e6;
    c.execute_mean_us = t.execute_samples > 0 ? static_cast<double>(t.execute_ns) / 1e3 /
                                                    static_cast<double>(t.execute_samples)
                                              : 0;
    c.throttled_secs = static_cast<double>(t.throttled_ns) / 1e9;
  }
  BackpressureMetrics& bp = m.backpressure;
  for (const StmgrSnapshot& s : stmgrs) {
    bp.queued_bytes += s.queued_bytes;
    bp.episodes += s.backpressure_episodes;
    bp.secs += static_cast<double>(s.backpressure_ns) / 1e9;
    Append(&bp.last_culprits, s.last_backpressure_culprit);
    if (s.backpressure) {
      bp.active = true;
      Append(&bp.culprits, s.backpressure_culprit);
    }
  }
  return m;
}

}  // namespace gale::metrics
