#pragma once

// Encoding of tuple values and of the batches that carry tuples and acks
// between tasks. The layout is documented in docs/wire-protocol.md; every
// decoder here accepts any byte string and returns a value or an error,
// never reads out of bounds and never allocates more than its input implies.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gale/tuple.h"
#include "gale/value.h"

namespace gale::wire {

inline constexpr std::uint8_t kMagic = 0x47;  // 'G'
inline constexpr std::uint8_t kVersion = 1;

enum class BatchKind : std::uint8_t { kData = 1, kAck = 2 };
enum class AckKind : std::uint8_t { kAck = 0, kFail = 1, kResetTimeout = 2 };

// Header: magic, version, kind, dest task (fixed32), record count (fixed32).
inline constexpr std::size_t kBatchHeaderSize = 11;
// Decoders refuse more values per tuple or anchors per tuple than this.
inline constexpr std::uint64_t kMaxValuesPerTuple = 1 << 16;
inline constexpr std::uint64_t kMaxAnchorsPerTuple = 1 << 16;

// Sizes that bound every batch, and with it every message on a socket
// (transport::kMaxMessageBytes); docs/wire-protocol.md lists them.
// A task sends a batch once it holds kBatchTargetBytes or kBatchMaxRecords
// records, so a batch is at most one record past kBatchTargetBytes.
inline constexpr std::size_t kBatchTargetBytes = 64 * 1024;
inline constexpr std::size_t kBatchMaxRecords = 1024;
// The encoded values of one tuple; an emit of more is refused (the emit
// throws std::invalid_argument, as for a wrong number of values).
inline constexpr std::size_t kMaxTupleValueBytes = 16 << 20;  // 16 MiB
// One anchor on the wire: varint spout task, fixed64 root, fixed64 edge.
inline constexpr std::size_t kMaxAnchorBytes = 5 + 8 + 8;
// The largest data record: four varints (stream, source task, anchor count,
// value length), the anchors, the values. Ack records are 17 bytes.
inline constexpr std::size_t kMaxDataRecordBytes =
    4 * 5 + kMaxAnchorsPerTuple * kMaxAnchorBytes + kMaxTupleValueBytes;
inline constexpr std::size_t kMaxBatchBytes = kBatchTargetBytes + kMaxDataRecordBytes;

enum ValueTag : std::uint8_t {
  kTagNull = 0,
  kTagFalse = 1,
  kTagTrue = 2,
  kTagInt = 3,     // zigzag varint
  kTagDouble = 4,  // fixed64 IEEE-754 bits
  kTagString = 5,  // varint length + bytes
  kTagBytes = 6,   // varint length + bytes
};

// Byte range of one encoded value inside an encoded value list.
struct Span {
  std::uint32_t offset;
  std::uint32_t size;
};

// Appends `values` as: varint count, then each value (tag + payload).
// When spans is not null, fills it with each value's byte range relative to
// the start of the appended bytes.
void EncodeValues(const Values& values, std::string* out, std::vector<Span>* spans);

// Decodes a value list written by EncodeValues. Reuses the capacity of
// existing strings in *values.
Status DecodeValues(std::string_view data, Values* values);

// Byte ranges of every value of an encoded list, without decoding them.
Status ValueSpans(std::string_view data, std::vector<Span>* spans);

// One tuple inside a data batch, as read back.
struct DataRecord {
  std::uint32_t stream = 0;       // topology-wide stream index
  std::int32_t source_task = 0;
  std::vector<internal::Anchor> anchors;
  std::string_view values;        // encoded value list
};

// One ack, fail or reset inside an ack batch (all for the batch's dest task,
// which owns the trees).
struct AckRecord {
  std::uint64_t root = 0;
  std::uint64_t value = 0;
  AckKind kind = AckKind::kAck;
};

// Builds one batch for one destination task. Reused after Take().
class BatchWriter {
 public:
  BatchWriter(BatchKind kind, std::int32_t dest_task);

  // With `edge_offsets`, stores where each anchor's edge was written, for
  // XorAt.
  void AddData(std::uint32_t stream, std::int32_t source_task, const internal::Anchor* anchors,
               std::size_t anchor_count, std::string_view encoded_values,
               std::size_t* edge_offsets = nullptr);
  // Appends an ack record; an ack for the same root as the record just
  // before it is XORed into that record instead (a bolt acking the words of
  // one sentence sends one record, not ten).
  void AddAck(const AckRecord& ack);

  // XORs `value` into the fixed64 written at `offset` of the current batch
  // (an offset AddData reported since the last Take).
  void XorAt(std::size_t offset, std::uint64_t value);

  std::uint32_t count() const { return count_; }
  std::size_t bytes() const { return len_; }
  bool empty() const { return count_ == 0; }
  // Counts the batches taken: an offset is good while this is unchanged.
  std::uint64_t generation() const { return generation_; }
  // The finished batch; the writer starts a new one.
  std::string Take();

 private:
  void Reset();
  // Makes room for n more bytes after the written ones and returns where
  // they start.
  char* Room(std::size_t n);

  BatchKind kind_;
  std::int32_t dest_task_;
  std::uint32_t count_ = 0;
  std::string buf_;      // its first len_ bytes are the batch; the rest is room
  std::size_t len_ = 0;
  std::uint64_t generation_ = 0;
  std::size_t last_ack_offset_ = 0;  // where the last ack record starts
  bool last_is_mergeable_ = false;   // it is a kAck record
  std::uint64_t last_root_ = 0;
  std::uint64_t last_value_ = 0;
};

// Reads a batch written by BatchWriter.
class BatchReader {
 public:
  // Checks the header (magic, version, kind, count plausible).
  static Result<BatchReader> Open(std::string_view batch);

  BatchKind kind() const { return kind_; }
  std::int32_t dest_task() const { return dest_task_; }
  std::uint32_t count() const { return count_; }

  // Next record; false at the end. A malformed record sets status() and
  // returns false.
  bool NextData(DataRecord* record);
  bool NextAck(AckRecord* record);
  const Status& status() const { return status_; }

 private:
  BatchReader(std::string_view body, BatchKind kind, std::int32_t dest, std::uint32_t count)
      : reader_body_(body), kind_(kind), dest_task_(dest), count_(count) {}
  bool Fail(const char* what);

  std::string_view reader_body_;
  std::size_t pos_ = 0;
  BatchKind kind_;
  std::int32_t dest_task_;
  std::uint32_t count_;
  std::uint32_t read_ = 0;
  Status status_;
};

// Reads only the header fields of a batch (for forwarding by task id and
// counting queued tuples). `count` may be null.
Status PeekBatchHeader(std::string_view batch, BatchKind* kind, std::int32_t* dest_task,
                       std::uint32_t* count = nullptr);

}  // namespace gale::wire
