#pragma once

// Control messages between gale processes. They share sockets with data
// batches and are told apart by the first byte: 0x47 ('G') starts a data or
// ack batch (wire/codec.h), 0x43 ('C') a control message:
//
//   'C' | version (1) | type (u8) | key=value lines
//
// Who sends what:
//   stmgr   -> tmaster : kRegister {container, endpoint, pid}, kHeartbeat {container, ...}
//   tmaster -> stmgr   : kPlan {container=N endpoint=...}*, kActivate, kDeactivate
//   stmgr   -> stmgr   : kBackpressureOn/Off {container, culprit}
//   stmgr   -> instance: kActivate, kDeactivate, kThrottleOn, kThrottleOff
//   instance -> stmgr  : kRegister {task} (hello), kConsumed {batches}: credit
//                        for batches the task has finished
//   cli     -> tmaster : kRequest {command}; tmaster -> cli: kReply {ok, message}

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "state/state_manager.h"

namespace gale::transport {

inline constexpr std::uint8_t kControlMagic = 0x43;
inline constexpr std::uint8_t kControlVersion = 1;

enum class ControlType : std::uint8_t {
  kRegister = 1,
  kHeartbeat = 2,
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
};

struct ControlMessage {
  ControlType type = ControlType::kHeartbeat;
  state::KeyValues fields;
};

std::string EncodeControl(const ControlMessage& message);
Result<ControlMessage> DecodeControl(std::string_view bytes);
inline bool IsControl(std::string_view bytes) {
  return !bytes.empty() && static_cast<std::uint8_t>(bytes[0]) == kControlMagic;
}

}  // namespace gale::transport
