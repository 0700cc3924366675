#pragma once

// Control messages between gale processes: the typed records are in
// records/control.h (DecodeControl, Encode). This header keeps the untyped
// form for code not yet ported to them (the stream manager); new code uses
// the records.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "records/control.h"
#include "records/key_values.h"

namespace gale::transport {

using records::ControlType;
using records::IsControl;
using records::kControlMagic;
using records::kControlVersion;

struct ControlMessage {
  ControlType type = ControlType::kHeartbeat;
  records::KeyValues fields;
};

std::string EncodeControl(const ControlMessage& message);
// Checks the header and parses the fields strictly (bounded); the fields
// themselves are the caller's to check.
Result<ControlMessage> DecodeControl(std::string_view bytes);

}  // namespace gale::transport
