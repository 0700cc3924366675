#include "records/state_records.h"

#include "common/parse.h"
#include "records/key_values.h"

namespace gale::records {
namespace {

Status Parsed(std::string_view text, const char* what, KeyValues* out) {
  auto kv = KeyValues::ParseStrict(text);
  if (!kv.ok()) return ProtocolError(std::string(what) + ": " + kv.status().message());
  *out = std::move(kv).value();
  return Status::Ok();
}

Status Context(const char* what, Status s) {
  if (s.ok()) return s;
  return Status(s.code(), std::string(what) + ": " + s.message());
}

Status Int32(const KeyValues& kv, const char* key, std::int64_t min, std::int32_t* out) {
  auto v = ReadInt(kv, key, min, kMaxId);
  if (!v.ok()) return v.status();
  *out = static_cast<std::int32_t>(*v);
  return Status::Ok();
}

Status Int32Word(std::string_view word, std::int64_t min, const char* what, std::int32_t* out) {
  auto v = ParseInt(word, min, kMaxId, what);
  if (!v.ok()) return v.status();
  *out = static_cast<std::int32_t>(*v);
  return Status::Ok();
}

// `start` of the pid records: optional, 0 when absent.
void AddStart(KeyValues& kv, std::uint64_t start) {
  if (start != 0) kv.Add("start", std::to_string(start));
}

Status Start(const KeyValues& kv, std::uint64_t* out) {
  if (kv.Count("start") == 0) {
    *out = 0;
    return Status::Ok();
  }
  auto v = ReadUint64(kv, "start");
  if (!v.ok()) return v.status();
  *out = *v;
  return Status::Ok();
}

Status String(const KeyValues& kv, const char* key, bool allow_empty, std::string* out) {
  auto v = ReadString(kv, key);
  if (!v.ok()) return v.status();
  if (!allow_empty && v->empty()) return ProtocolError(std::string("empty field '") + key + "'");
  *out = std::move(v).value();
  return Status::Ok();
}

}  // namespace

std::string Encode(const PackingPlan& r) {
  KeyValues kv;
  for (const PackingEntry& e : r.tasks) {
    kv.Add("task", std::to_string(e.task) + " " + std::to_string(e.container) + " " + e.component);
  }
  kv.Add("workers", std::to_string(r.workers));
  return kv.Serialize();
}

Status Decode(std::string_view text, PackingPlan* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "packing", &kv));
  PackingPlan r;
  GALE_RETURN_IF_ERROR(Context("packing", Int32(kv, "workers", 1, &r.workers)));
  for (const auto& [key, value] : kv.items()) {
    if (key != "task") continue;
    auto words = SplitWords(value, 3, "packing task");
    if (!words.ok()) return words.status();
    PackingEntry e;
    GALE_RETURN_IF_ERROR(Int32Word((*words)[0], 1, "packing task id", &e.task));
    GALE_RETURN_IF_ERROR(Int32Word((*words)[1], 0, "packing container", &e.container));
    if (e.container >= r.workers) {
      return ProtocolError("packing: task " + std::to_string(e.task) + " in container " +
                           std::to_string(e.container) + " of " + std::to_string(r.workers));
    }
    e.component = std::string((*words)[2]);
    r.tasks.push_back(std::move(e));
  }
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const PhysicalPlan& r) {
  KeyValues kv;
  kv.Add("version", r.version);
  for (const PhysicalEntry& e : r.stmgrs) {
    kv.Add("stmgr", std::to_string(e.container) + " " + e.endpoint + " " + std::to_string(e.pid));
  }
  return kv.Serialize();
}

Status Decode(std::string_view text, PhysicalPlan* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "physical", &kv));
  PhysicalPlan r;
  GALE_RETURN_IF_ERROR(Context("physical", String(kv, "version", true, &r.version)));
  for (const auto& [key, value] : kv.items()) {
    if (key != "stmgr") continue;
    auto words = SplitWords(value, 3, "physical stmgr");
    if (!words.ok()) return words.status();
    PhysicalEntry e;
    GALE_RETURN_IF_ERROR(Int32Word((*words)[0], 0, "physical container", &e.container));
    e.endpoint = std::string((*words)[1]);
    GALE_RETURN_IF_ERROR(Int32Word((*words)[2], kMinPid, "physical pid", &e.pid));
    r.stmgrs.push_back(std::move(e));
  }
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const Activation& r) { return std::string("active=") + (r.active ? "1" : "0") + "\n"; }

Status Decode(std::string_view text, Activation* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "activation", &kv));
  auto active = ReadFlag(kv, "active");
  if (!active.ok()) return Context("activation", active.status());
  out->active = *active;
  return Status::Ok();
}

std::string Encode(const MasterLocation& r) {
  KeyValues kv;
  kv.Add("pid", std::to_string(r.pid));
  AddStart(kv, r.start);
  kv.Add("endpoint", r.endpoint);
  if (!r.http.empty()) kv.Add("http", r.http);
  if (!r.host.empty()) kv.Add("host", r.host);
  return kv.Serialize();
}

Status Decode(std::string_view text, MasterLocation* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "tmaster", &kv));
  MasterLocation r;
  GALE_RETURN_IF_ERROR(Context("tmaster", Int32(kv, "pid", kMinPid, &r.pid)));
  GALE_RETURN_IF_ERROR(Context("tmaster", Start(kv, &r.start)));
  GALE_RETURN_IF_ERROR(Context("tmaster", String(kv, "endpoint", false, &r.endpoint)));
  auto http = ReadStringOr(kv, "http", "");
  if (!http.ok()) return Context("tmaster", http.status());
  r.http = std::move(http).value();
  auto host = ReadStringOr(kv, "host", "");
  if (!host.ok()) return Context("tmaster", host.status());
  r.host = std::move(host).value();
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const ProcessRecord& r) {
  KeyValues kv;
  kv.Add("pid", std::to_string(r.pid));
  AddStart(kv, r.start);
  kv.Add("restarts", std::to_string(r.restarts));
  if (!r.given_up.empty()) kv.Add("given_up", r.given_up);
  if (!r.host.empty()) kv.Add("host", r.host);
  return kv.Serialize();
}

Status Decode(std::string_view text, ProcessRecord* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "pids", &kv));
  ProcessRecord r;
  GALE_RETURN_IF_ERROR(Context("pids", Int32(kv, "pid", kMinPid, &r.pid)));
  GALE_RETURN_IF_ERROR(Context("pids", Start(kv, &r.start)));
  GALE_RETURN_IF_ERROR(Context("pids", Int32(kv, "restarts", 0, &r.restarts)));
  r.given_up = kv.GetOr("given_up", "");
  auto host = ReadStringOr(kv, "host", "");
  if (!host.ok()) return Context("pids", host.status());
  r.host = std::move(host).value();
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const SchedulerRecord& r) {
  KeyValues kv;
  kv.Add("pid", std::to_string(r.pid));
  AddStart(kv, r.start);
  return kv.Serialize();
}

Status Decode(std::string_view text, SchedulerRecord* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "scheduler", &kv));
  SchedulerRecord r;
  GALE_RETURN_IF_ERROR(Context("scheduler", Int32(kv, "pid", kMinPid, &r.pid)));
  GALE_RETURN_IF_ERROR(Context("scheduler", Start(kv, &r.start)));
  *out = r;
  return Status::Ok();
}

std::string Encode(const SlurmJobs& r) {
  KeyValues kv;
  for (const SlurmJob& j : r.jobs) kv.Add("job", j.process + " " + j.id);
  return kv.Serialize();
}

Status Decode(std::string_view text, SlurmJobs* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "slurm", &kv));
  SlurmJobs r;
  for (const auto& [key, value] : kv.items()) {
    if (key != "job") continue;
    auto words = SplitWords(value, 2, "slurm job");
    if (!words.ok()) return words.status();
    r.jobs.push_back({std::string((*words)[0]), std::string((*words)[1])});
  }
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const JobLocation& r) {
  KeyValues kv;
  kv.Add("pid", std::to_string(r.pid));
  kv.Add("job", r.job);
  kv.Add("node", r.node);
  kv.Add("host", r.host);
  return kv.Serialize();
}

Status Decode(std::string_view text, JobLocation* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "job location", &kv));
  JobLocation r;
  GALE_RETURN_IF_ERROR(Context("job location", Int32(kv, "pid", kMinPid, &r.pid)));
  GALE_RETURN_IF_ERROR(Context("job location", String(kv, "job", false, &r.job)));
  GALE_RETURN_IF_ERROR(Context("job location", String(kv, "node", false, &r.node)));
  GALE_RETURN_IF_ERROR(Context("job location", String(kv, "host", true, &r.host)));
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const Submission& r) {
  KeyValues kv;
  kv.Add("file", r.file);
  kv.Add("topology", r.topology);
  for (const auto& l : r.libs) kv.Add("lib", l);
  for (const auto& f : r.filters) kv.Add("filter", f);
  kv.Add("env_filter", r.env_filter ? "1" : "0");
  for (const auto& o : r.overrides) kv.Add("override", o);
  if (!r.package.empty()) kv.Add("package", r.package);
  if (!r.package_dir.empty()) kv.Add("package_dir", r.package_dir);
  return kv.Serialize();
}

Status Decode(std::string_view text, Submission* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "submit", &kv));
  Submission r;
  GALE_RETURN_IF_ERROR(Context("submit", String(kv, "file", true, &r.file)));
  GALE_RETURN_IF_ERROR(Context("submit", String(kv, "topology", true, &r.topology)));
  if (r.file.empty() && r.topology.empty()) {
    return ProtocolError("submit: neither 'file' nor 'topology' is set");
  }
  auto env = ReadFlag(kv, "env_filter");
  if (!env.ok()) return Context("submit", env.status());
  r.env_filter = *env;
  r.libs = kv.GetAll("lib");
  r.filters = kv.GetAll("filter");
  r.overrides = kv.GetAll("override");
  r.package = kv.Get("package").value_or("");  // absent in records of older versions
  r.package_dir = kv.Get("package_dir").value_or("");
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const TaskError& r) {
  std::string out;
  for (char c : r.message) out += c == '\n' ? ' ' : c;
  return out + "\n";
}

Status Decode(std::string_view text, TaskError* out) {
  if (text.size() > kMaxRecordBytes) return ProtocolError("task error: over 1 MiB");
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::string message;
  for (char c : text) message += c == '\n' ? ' ' : c;
  out->message = std::move(message);
  return Status::Ok();
}

bool IsZ85Key(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (text.size() != kZ85KeyChars) return false;
  return text.find_first_not_of(kAlphabet) == std::string_view::npos;
}

std::string Encode(const CurveKeys& r) {
  KeyValues kv;
  kv.Add("server_public", r.server_public);
  kv.Add("server_secret", r.server_secret);
  kv.Add("client_public", r.client_public);
  kv.Add("client_secret", r.client_secret);
  return kv.Serialize();
}

Status Decode(std::string_view text, CurveKeys* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "keys", &kv));
  CurveKeys r;
  for (auto [key, field] : {std::pair{"server_public", &r.server_public},
                            std::pair{"server_secret", &r.server_secret},
                            std::pair{"client_public", &r.client_public},
                            std::pair{"client_secret", &r.client_secret}}) {
    GALE_RETURN_IF_ERROR(Context("keys", String(kv, key, false, field)));
    // The key itself stays out of the message: it may be a secret.
    if (!IsZ85Key(*field)) {
      return ProtocolError(std::string("keys: '") + key + "' is not a " +
                           std::to_string(kZ85KeyChars) + "-character Z85 key");
    }
  }
  *out = std::move(r);
  return Status::Ok();
}

std::string Encode(const HttpToken& r) {
  KeyValues kv;
  kv.Add("token", r.token);
  return kv.Serialize();
}

Status Decode(std::string_view text, HttpToken* out) {
  KeyValues kv;
  GALE_RETURN_IF_ERROR(Parsed(text, "http_token", &kv));
  HttpToken r;
  GALE_RETURN_IF_ERROR(Context("http_token", String(kv, "token", false, &r.token)));
  // The token itself stays out of the message: it is a secret.
  if (r.token.size() != kHttpTokenChars ||
      r.token.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return ProtocolError("http_token: 'token' is not " + std::to_string(kHttpTokenChars) +
                         " lowercase hex digits");
  }
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace gale::records
