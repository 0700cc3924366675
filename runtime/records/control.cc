#include "records/control.h"

#include "common/parse.h"
#include "records/key_values.h"

namespace gale::records {
namespace {

std::string Frame(ControlType type, const KeyValues& kv) {
  std::string out;
  out.push_back(static_cast<char>(kControlMagic));
  out.push_back(static_cast<char>(kControlVersion));
  out.push_back(static_cast<char>(type));
  out += kv.Serialize();
  return out;
}

template <typename T>
Status Take(Result<T> r, T* out) {
  if (!r.ok()) return r.status();
  *out = std::move(r).value();
  return Status::Ok();
}

Status TakeInt32(Result<std::int64_t> r, std::int32_t* out) {
  if (!r.ok()) return r.status();
  *out = static_cast<std::int32_t>(*r);
  return Status::Ok();
}

Result<ControlRecord> DecodeRegister(const KeyValues& kv) {
  if (kv.Count("task") > 0) {
    Hello h;
    GALE_RETURN_IF_ERROR(TakeInt32(ReadInt(kv, "task", 1, kMaxId), &h.task));
    return ControlRecord(h);
  }
  Register r;
  GALE_RETURN_IF_ERROR(TakeInt32(ReadInt(kv, "container", 0, kMaxId), &r.container));
  GALE_RETURN_IF_ERROR(Take(ReadString(kv, "endpoint"), &r.endpoint));
  if (r.endpoint.empty()) return ProtocolError("empty field 'endpoint'");
  GALE_RETURN_IF_ERROR(TakeInt32(ReadInt(kv, "pid", kMinPid, kMaxId), &r.pid));
  GALE_RETURN_IF_ERROR(Take(ReadStringOr(kv, "plan_version", ""), &r.plan_version));
  return ControlRecord(r);
}

Result<ControlRecord> DecodePlan(const KeyValues& kv) {
  Plan p;
  GALE_RETURN_IF_ERROR(Take(ReadString(kv, "version"), &p.version));
  GALE_RETURN_IF_ERROR(Take(ReadFlag(kv, "active"), &p.active));
  for (const auto& [key, value] : kv.items()) {
    if (key != "stmgr") continue;
    auto words = SplitWords(value, 2, "stmgr");
    if (!words.ok()) return words.status();
    auto container = ParseInt((*words)[0], 0, kMaxId, "stmgr container");
    if (!container.ok()) return container.status();
    p.entries.push_back({static_cast<std::int32_t>(*container), std::string((*words)[1])});
  }
  return ControlRecord(std::move(p));
}

template <typename B>
Result<ControlRecord> DecodeBackpressure(const KeyValues& kv) {
  B b;
  GALE_RETURN_IF_ERROR(TakeInt32(ReadInt(kv, "container", 0, kMaxId), &b.container));
  GALE_RETURN_IF_ERROR(Take(ReadString(kv, "culprit"), &b.culprit));
  return ControlRecord(std::move(b));
}

}  // namespace

std::string Encode(const Register& m) {
  KeyValues kv;
  kv.Add("container", std::to_string(m.container));
  kv.Add("endpoint", m.endpoint);
  kv.Add("pid", std::to_string(m.pid));
  kv.Add("plan_version", m.plan_version);
  return Frame(ControlType::kRegister, kv);
}
std::string Encode(const Hello& m) {
  KeyValues kv;
  kv.Add("task", std::to_string(m.task));
  return Frame(ControlType::kRegister, kv);
}
std::string Encode(const Plan& m) {
  KeyValues kv;
  kv.Add("version", m.version);
  kv.Add("active", m.active ? "1" : "0");
  for (const PlanEntry& e : m.entries) kv.Add("stmgr", std::to_string(e.container) + " " + e.endpoint);
  return Frame(ControlType::kPlan, kv);
}
std::string Encode(const Activate&) { return Frame(ControlType::kActivate, {}); }
std::string Encode(const Deactivate&) { return Frame(ControlType::kDeactivate, {}); }
std::string Encode(const ThrottleOn&) { return Frame(ControlType::kThrottleOn, {}); }
std::string Encode(const ThrottleOff&) { return Frame(ControlType::kThrottleOff, {}); }
std::string Encode(const BackpressureOn& m) {
  KeyValues kv;
  kv.Add("container", std::to_string(m.container));
  kv.Add("culprit", m.culprit);
  return Frame(ControlType::kBackpressureOn, kv);
}
std::string Encode(const BackpressureOff& m) {
  KeyValues kv;
  kv.Add("container", std::to_string(m.container));
  kv.Add("culprit", m.culprit);
  return Frame(ControlType::kBackpressureOff, kv);
}
std::string Encode(const Request& m) {
  KeyValues kv;
  kv.Add("command", m.command);
  return Frame(ControlType::kRequest, kv);
}
std::string Encode(const Reply& m) {
  KeyValues kv;
  kv.Add("ok", m.ok ? "1" : "0");
  kv.Add("message", m.message);
  for (const std::string& t : m.tasks) kv.Add("task", t);
  for (const std::string& t : m.stmgrs) kv.Add("stmgr", t);
  return Frame(ControlType::kReply, kv);
}
std::string Encode(const Consumed& m) {
  KeyValues kv;
  kv.Add("batches", std::to_string(m.batches));
  return Frame(ControlType::kConsumed, kv);
}

std::string FlattenSnapshot(std::string_view text) {
  std::string flat(text);
  for (char& c : flat) {
    if (c == '\x1f') c = ' ';
    if (c == '\n') c = '\x1f';
  }
  return flat;
}

std::string UnflattenSnapshot(std::string_view flat) {
  std::string text(flat);
  for (char& c : text) {
    if (c == '\x1f') c = '\n';
  }
  return text;
}

std::string EncodeControl(const ControlRecord& m) {
  return std::visit([](const auto& r) { return Encode(r); }, m);
}

ControlType TypeOf(const ControlRecord& m) {
  static constexpr ControlType kTypes[] = {
      ControlType::kRegister,       ControlType::kRegister,    ControlType::kPlan,
      ControlType::kActivate,       ControlType::kDeactivate,  ControlType::kThrottleOn,
      ControlType::kThrottleOff,    ControlType::kBackpressureOn, ControlType::kBackpressureOff,
      ControlType::kRequest,        ControlType::kReply,       ControlType::kConsumed};
  return kTypes[m.index()];
}

Result<ControlRecord> DecodeControl(std::string_view bytes) {
  if (bytes.size() < 3 || static_cast<std::uint8_t>(bytes[0]) != kControlMagic) {
    return ProtocolError("control message: bad header");
  }
  if (static_cast<std::uint8_t>(bytes[1]) != kControlVersion) {
    return ProtocolError("control message: version " +
                         std::to_string(static_cast<std::uint8_t>(bytes[1])) + ", expected " +
                         std::to_string(kControlVersion));
  }
  auto type = static_cast<ControlType>(static_cast<std::uint8_t>(bytes[2]));
  auto parsed = KeyValues::ParseStrict(bytes.substr(3));
  if (!parsed.ok()) return ProtocolError("control message: " + parsed.status().message());
  const KeyValues& kv = *parsed;
  Result<ControlRecord> out = ProtocolError("");
  switch (type) {
    case ControlType::kRegister: out = DecodeRegister(kv); break;
    case ControlType::kPlan: out = DecodePlan(kv); break;
    case ControlType::kActivate: return ControlRecord(Activate{});
    case ControlType::kDeactivate: return ControlRecord(Deactivate{});
    case ControlType::kThrottleOn: return ControlRecord(ThrottleOn{});
    case ControlType::kThrottleOff: return ControlRecord(ThrottleOff{});
    case ControlType::kBackpressureOn: out = DecodeBackpressure<BackpressureOn>(kv); break;
    case ControlType::kBackpressureOff: out = DecodeBackpressure<BackpressureOff>(kv); break;
    case ControlType::kRequest: {
      Request r;
      GALE_RETURN_IF_ERROR(Take(ReadString(kv, "command"), &r.command));
      return ControlRecord(std::move(r));
    }
    case ControlType::kReply: {
      Reply r;
      GALE_RETURN_IF_ERROR(Take(ReadFlag(kv, "ok"), &r.ok));
      GALE_RETURN_IF_ERROR(Take(ReadString(kv, "message"), &r.message));
      r.tasks = kv.GetAll("task");
      r.stmgrs = kv.GetAll("stmgr");
      return ControlRecord(std::move(r));
    }
    case ControlType::kConsumed: {
      Consumed c;
      GALE_RETURN_IF_ERROR(Take(ReadUint64(kv, "batches"), &c.batches));
      return ControlRecord(c);
    }
    default:
      return ProtocolError("control message: unknown type " +
                           std::to_string(static_cast<unsigned>(type)));
  }
  if (!out.ok()) return ProtocolError("control message: " + out.status().message());
  return out;
}

}  // namespace gale::records
