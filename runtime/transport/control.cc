#include "transport/control.h"

namespace gale::transport {

std::string EncodeControl(const ControlMessage& message) {
  std::string out;
  out.push_back(static_cast<char>(kControlMagic));
  out.push_back(static_cast<char>(kControlVersion));
  out.push_back(static_cast<char>(message.type));
  out += message.fields.Serialize();
  return out;
}

Result<ControlMessage> DecodeControl(std::string_view bytes) {
  if (bytes.size() < 3 || static_cast<std::uint8_t>(bytes[0]) != kControlMagic) {
    return ProtocolError("control message: bad header");
  }
  if (static_cast<std::uint8_t>(bytes[1]) != kControlVersion) {
    return ProtocolError("control message: version " +
                         std::to_string(static_cast<std::uint8_t>(bytes[1])) + ", expected " +
                         std::to_string(kControlVersion));
  }
  auto type = static_cast<std::uint8_t>(bytes[2]);
  if (type < 1 || type > static_cast<std::uint8_t>(ControlType::kConsumed)) {
    return ProtocolError("control message: unknown type " + std::to_string(type));
  }
  auto fields = records::KeyValues::ParseStrict(bytes.substr(3));
  if (!fields.ok()) return ProtocolError("control message: " + fields.status().message());
  ControlMessage m;
  m.type = static_cast<ControlType>(type);
  m.fields = std::move(fields).value();
  return m;
}

}  // namespace gale::transport
