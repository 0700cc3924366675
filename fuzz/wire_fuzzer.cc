// Arbitrary bytes as a data or ack batch and as a value list (wire/codec.h).
// The decoders must refuse what is malformed without crashing or reading
// out of bounds; what they accept must read back the same after the
// encoder wrote it again, and the two value readers (DecodeValues and
// ValueSpans) must agree.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "wire/codec.h"

namespace {

using namespace gale;
using namespace gale::wire;

bool SameValue(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const double* d = std::get_if<double>(&a)) {
    return std::bit_cast<std::uint64_t>(*d) == std::bit_cast<std::uint64_t>(std::get<double>(b));
  }
  return a == b;
}

bool SameValues(const Values& a, const Values& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!SameValue(a[i], b[i])) return false;
  }
  return true;
}

// Decodes a value list both ways; when it is valid, re-encodes it and
// checks the copy.
void CheckValues(std::string_view encoded) {
  Values values;
  Status decoded = DecodeValues(encoded, &values);
  std::vector<Span> spans;
  Status spanned = ValueSpans(encoded, &spans);
  FUZZ_CHECK(decoded.ok() == spanned.ok(), "DecodeValues and ValueSpans disagree");
  if (!decoded.ok()) return;
  FUZZ_CHECK(spans.size() == values.size(), "one span per value");
  for (const Span& s : spans) {
    FUZZ_CHECK(std::size_t{s.offset} + s.size <= encoded.size(), "span inside the list");
  }
  std::string again;
  std::vector<Span> again_spans;
  EncodeValues(values, &again, &again_spans);
  Values copy;
  FUZZ_CHECK(DecodeValues(again, &copy).ok(), "re-encoded values decode");
  FUZZ_CHECK(SameValues(values, copy), "values survive a round trip");
  // Decoding into a list that already holds values reuses it.
  FUZZ_CHECK(DecodeValues(encoded, &copy).ok() && SameValues(values, copy),
             "decoding again into a used list");
}

struct Data {
  std::uint32_t stream;
  std::int32_t source_task;
  std::vector<internal::Anchor> anchors;
  std::string values;
};

bool SameData(const Data& a, const DataRecord& b) {
  if (a.stream != b.stream || a.source_task != b.source_task || a.values != b.values ||
      a.anchors.size() != b.anchors.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.anchors.size(); ++i) {
    const internal::Anchor& x = a.anchors[i];
    const internal::Anchor& y = b.anchors[i];
    if (x.spout_task != y.spout_task || x.root != y.root || x.edge != y.edge) return false;
  }
  return true;
}

void CheckDataBatch(BatchReader& reader) {
  std::vector<Data> records;
  DataRecord rec;
  while (reader.NextData(&rec)) {
    CheckValues(rec.values);
    records.push_back({rec.stream, rec.source_task, rec.anchors, std::string(rec.values)});
  }
  if (!reader.status().ok()) return;
  FUZZ_CHECK(records.size() == reader.count(), "a valid batch holds its count of records");
  BatchWriter writer(BatchKind::kData, reader.dest_task());
  for (const Data& d : records) {
    writer.AddData(d.stream, d.source_task, d.anchors.data(), d.anchors.size(), d.values);
  }
  std::string batch = writer.Take();
  Result<BatchReader> again = BatchReader::Open(batch);
  FUZZ_CHECK(again.ok(), "a re-written data batch opens");
  FUZZ_CHECK(again->dest_task() == reader.dest_task(), "dest task survives");
  for (const Data& d : records) {
    FUZZ_CHECK(again->NextData(&rec), "every record reads back");
    FUZZ_CHECK(SameData(d, rec), "records survive a round trip");
  }
  FUZZ_CHECK(!again->NextData(&rec) && again->status().ok(), "nothing after the records");
}

void CheckAckBatch(BatchReader& reader) {
  std::vector<AckRecord> records;
  AckRecord rec;
  while (reader.NextAck(&rec)) records.push_back(rec);
  if (!reader.status().ok()) return;
  FUZZ_CHECK(records.size() == reader.count(), "a valid batch holds its count of records");
  // The writer XORs an ack into the one before it for the same root, so
  // the copy may hold fewer records; per root, the XOR of the ack values
  // and the sequence of fails and resets are what must survive.
  BatchWriter writer(BatchKind::kAck, reader.dest_task());
  for (const AckRecord& a : records) writer.AddAck(a);
  std::string batch = writer.Take();
  Result<BatchReader> again = BatchReader::Open(batch);
  FUZZ_CHECK(again.ok(), "a re-written ack batch opens");
  std::vector<AckRecord> copy;
  while (again->NextAck(&rec)) copy.push_back(rec);
  FUZZ_CHECK(again->status().ok(), "a re-written ack batch reads");
  FUZZ_CHECK(copy.size() <= records.size(), "merging never adds records");
  std::size_t j = 0;
  for (std::size_t i = 0; i < records.size(); ++j) {
    FUZZ_CHECK(j < copy.size(), "every record has its copy");
    AckRecord merged = records[i++];
    if (merged.kind == AckKind::kAck) {
      while (i < records.size() && records[i].kind == AckKind::kAck &&
             records[i].root == merged.root) {
        merged.value ^= records[i++].value;
      }
    }
    FUZZ_CHECK(copy[j].root == merged.root && copy[j].value == merged.value &&
                   copy[j].kind == merged.kind,
               "acks survive a round trip");
  }
  FUZZ_CHECK(j == copy.size(), "no extra records");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  BatchKind kind;
  std::int32_t dest = 0;
  std::uint32_t count = 0;
  Status header = PeekBatchHeader(bytes, &kind, &dest, &count);
  Result<BatchReader> reader = BatchReader::Open(bytes);
  FUZZ_CHECK(header.ok() || !reader.ok(), "Open accepts only what PeekBatchHeader accepts");
  if (reader.ok()) {
    FUZZ_CHECK(reader->kind() == kind && reader->dest_task() == dest && reader->count() == count,
               "Open and PeekBatchHeader agree");
    if (reader->kind() == BatchKind::kData) {
      CheckDataBatch(*reader);
    } else {
      CheckAckBatch(*reader);
    }
  }
  CheckValues(bytes);
  return 0;
}
