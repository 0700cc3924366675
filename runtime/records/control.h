#pragma once

// Typed control messages. They share sockets with data batches and are told
// apart by the first byte: 0x47 ('G') starts a data or ack batch
// (wire/codec.h), 0x43 ('C') a control message:
//
//   'C' | version (1) | type (u8) | key=value lines (records/key_values.h)
//
//   stmgr    -> tmaster : Register {container, endpoint, pid, plan_version}
//   tmaster  -> stmgr   : Plan {version, active, stmgr="<container> <endpoint>"*}
//   stmgr    -> stmgr   : BackpressureOn/Off {container, culprit}
//   stmgr    -> instance: Activate, Deactivate, ThrottleOn, ThrottleOff
//   instance -> stmgr   : Hello {task} (sent as type kRegister), Consumed {batches}
//   cli      -> tmaster : Request {command}; tmaster -> cli: Reply {ok, message, task=*, stmgr=*}
//                        (commands: activate, deactivate, metrics)
//   instance -> stmgr   : TaskMetrics, stmgr -> tmaster: MetricsReport (metrics/report.h)
//
// Register and Hello share type 1 (kRegister) for wire compatibility: a
// kRegister with a `task` field is a Hello. Decoding never throws, refuses
// anything malformed or over the limits with a kProtocol Status, and checks
// ranges it can know (task >= 1, container >= 0, pid > 1); the receiver
// checks ids against its plan.
//
//   auto m = records::DecodeControl(bytes);
//   if (!m.ok()) { refuse; }
//   else if (auto* reg = std::get_if<records::Register>(&*m)) { ... }
//   socket.send(records::Encode(records::Reply{true, "done"}));

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace gale::records {

inline constexpr std::uint8_t kControlMagic = 0x43;
inline constexpr std::uint8_t kControlVersion = 1;

enum class ControlType : std::uint8_t {
  kRegister = 1,
  kHeartbeat = 2,  // reserved: refused by DecodeControl
  kPlan = 3,
  kActivate = 4,
  kDeactivate = 5,
  kThrottleOn = 6,
  kThrottleOff = 7,
  kBackpressureOn = 8,
  kBackpressureOff = 9,
  kRequest = 10,
  kReply = 11,
  kConsumed = 12,
  // Metrics (metrics/report.h): not key=value records, so DecodeControl
  // refuses them; their receivers check TypeByte first.
  kTaskMetrics = 13,    // instance -> stmgr: one metrics::TaskSnapshot
  kMetricsReport = 14,  // stmgr -> tmaster: a StmgrSnapshot and its tasks' snapshots
};

// The type byte of a control message (0 if too short to have one).
inline std::uint8_t TypeByte(std::string_view bytes) {
  return bytes.size() >= 3 ? static_cast<std::uint8_t>(bytes[2]) : 0;
}

inline bool IsControl(std::string_view bytes) {
  return !bytes.empty() && static_cast<std::uint8_t>(bytes[0]) == kControlMagic;
}

struct Register {
  std::int32_t container = 0;
  std::string endpoint;
  std::int32_t pid = 0;
  std::string plan_version;  // empty before the first plan
  bool operator==(const Register&) const = default;
};
struct Hello {
  std::int32_t task = 0;
  bool operator==(const Hello&) const = default;
};
struct PlanEntry {
  std::int32_t container = 0;
  std::string endpoint;
  bool operator==(const PlanEntry&) const = default;
};
struct Plan {
  std::string version;
  bool active = true;
  std::vector<PlanEntry> entries;
  bool operator==(const Plan&) const = default;
};
struct Activate {
  bool operator==(const Activate&) const = default;
};
struct Deactivate {
  bool operator==(const Deactivate&) const = default;
};
struct ThrottleOn {
  bool operator==(const ThrottleOn&) const = default;
};
struct ThrottleOff {
  bool operator==(const ThrottleOff&) const = default;
};
struct BackpressureOn {
  std::int32_t container = 0;
  std::string culprit;
  bool operator==(const BackpressureOn&) const = default;
};
struct BackpressureOff {
  std::int32_t container = 0;
  std::string culprit;
  bool operator==(const BackpressureOff&) const = default;
};
struct Request {
  std::string command;
  bool operator==(const Request&) const = default;
};
struct Reply {
  bool ok = false;
  std::string message;
  // The answer to "metrics": the latest snapshot of each task and stream
  // manager the master holds (metrics/snapshot.h text with each newline
  // as \x1f; FlattenSnapshot / UnflattenSnapshot).
  std::vector<std::string> tasks;
  std::vector<std::string> stmgrs;
  bool operator==(const Reply&) const = default;
};

// A snapshot's key=value lines as one record value, and back.
std::string FlattenSnapshot(std::string_view text);
std::string UnflattenSnapshot(std::string_view flat);
struct Consumed {
  std::uint64_t batches = 0;
  bool operator==(const Consumed&) const = default;
};

using ControlRecord = std::variant<Register, Hello, Plan, Activate, Deactivate, ThrottleOn,
                                   ThrottleOff, BackpressureOn, BackpressureOff, Request, Reply,
                                   Consumed>;

// Wire bytes of one message. Values must not contain newlines (they would
// become spaces); endpoints must not contain spaces.
std::string Encode(const Register& m);
std::string Encode(const Hello& m);
std::string Encode(const Plan& m);
std::string Encode(const Activate& m);
std::string Encode(const Deactivate& m);
std::string Encode(const ThrottleOn& m);
std::string Encode(const ThrottleOff& m);
std::string Encode(const BackpressureOn& m);
std::string Encode(const BackpressureOff& m);
std::string Encode(const Request& m);
std::string Encode(const Reply& m);
std::string Encode(const Consumed& m);
std::string EncodeControl(const ControlRecord& m);

// The type byte a record travels with.
ControlType TypeOf(const ControlRecord& m);

Result<ControlRecord> DecodeControl(std::string_view bytes);

}  // namespace gale::records
