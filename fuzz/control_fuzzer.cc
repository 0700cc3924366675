// Arbitrary bytes as a control message (records/control.h), as any process
// on a socket may send them. DecodeControl must refuse what is malformed
// without crashing or throwing; a message it accepts must keep its type and
// read back the same after Encode wrote it again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "records/control.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gale::records;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
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
