// Arbitrary bytes as each record read back from a state directory
// (records/state_records.h), the key=value text under all of them
// (records/key_values.h) and the metrics snapshots (metrics/snapshot.h).
// The first byte picks the decoder, the rest is the file's text. Decoders
// must refuse what is malformed without crashing or throwing; what they
// accept must be stable: decoding what Encode wrote gives back the same
// encoding.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "metrics/snapshot.h"
#include "records/key_values.h"
#include "records/state_records.h"

namespace {

using namespace gale;

template <typename R>
void CheckRecord(std::string_view text) {
  R record;
  if (!records::Decode(text, &record).ok()) return;
  std::string encoded = records::Encode(record);
  R copy;
  FUZZ_CHECK(records::Decode(encoded, &copy).ok(), "a re-encoded record decodes");
  FUZZ_CHECK(copy == record, "records survive a round trip");
}

template <typename S>
void CheckSnapshot(std::string_view text) {
  S snapshot;
  if (!metrics::Decode(text, &snapshot).ok()) return;
  std::string encoded = metrics::Encode(snapshot);
  S copy;
  FUZZ_CHECK(metrics::Decode(encoded, &copy).ok(), "a re-encoded snapshot decodes");
  FUZZ_CHECK(metrics::Encode(copy) == encoded, "snapshots survive a round trip");
}

void CheckKeyValues(std::string_view text) {
  records::KeyValues lenient = records::KeyValues::Parse(text);
  Result<records::KeyValues> strict = records::KeyValues::ParseStrict(text);
  if (!strict.ok()) return;
  FUZZ_CHECK(strict->items() == lenient.items(), "strict and lenient parses agree");
  for (const auto& [key, value] : strict->items()) {
    FUZZ_CHECK(!key.empty() && key.find('=') == std::string::npos, "keys hold no '='");
    FUZZ_CHECK(value.find('\n') == std::string::npos, "values hold no newline");
  }
  Result<records::KeyValues> copy = records::KeyValues::ParseStrict(strict->Serialize());
  FUZZ_CHECK(copy.ok() && copy->items() == strict->items(), "key=value text survives");
  // Field readers on every key present, as the decoders call them.
  for (const auto& [key, value] : strict->items()) {
    (void)records::ReadInt(*strict, key, 0, records::kMaxId);
    (void)records::ReadUint64(*strict, key);
    (void)records::ReadDouble(*strict, key);
    (void)records::ReadFlag(*strict, key);
    for (std::size_t n = 1; n <= 3; ++n) {
      auto words = records::SplitWords(value, n, key);
      if (!words.ok()) continue;
      FUZZ_CHECK(words->size() == n, "SplitWords gives n words");
      for (std::string_view w : *words) {
        FUZZ_CHECK(!w.empty() && w.find(' ') == std::string_view::npos, "words are words");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 13) {
    case 0: CheckRecord<records::PackingPlan>(text); break;
    case 1: CheckRecord<records::PhysicalPlan>(text); break;
    case 2: CheckRecord<records::Activation>(text); break;
    case 3: CheckRecord<records::MasterLocation>(text); break;
    case 4: CheckRecord<records::ProcessRecord>(text); break;
    case 5: CheckRecord<records::SchedulerRecord>(text); break;
    case 6: CheckRecord<records::Submission>(text); break;
    case 7: CheckRecord<records::TaskError>(text); break;
    case 8: CheckSnapshot<metrics::TaskSnapshot>(text); break;
    case 9: CheckSnapshot<metrics::StmgrSnapshot>(text); break;
    case 10: CheckKeyValues(text); break;
    case 11: CheckRecord<records::CurveKeys>(text); break;
    case 12: CheckRecord<records::HttpToken>(text); break;
  }
  return 0;
}
