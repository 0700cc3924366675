#include "wire/codec.h"

#include <bit>
#include <cstring>

#include "wire/bytes.h"

namespace gale::wire {
namespace {

struct EncodeVisitor {
  std::string* out;
  void operator()(std::monostate) const { PutU8(out, kTagNull); }
  void operator()(bool b) const { PutU8(out, b ? kTagTrue : kTagFalse); }
  void operator()(std::int64_t i) const {
    PutU8(out, kTagInt);
    PutVarint(out, ZigZag(i));
  }
  void operator()(double d) const {
    PutU8(out, kTagDouble);
    PutFixed64(out, std::bit_cast<std::uint64_t>(d));
  }
  void operator()(const std::string& s) const {
    PutU8(out, kTagString);
    PutVarint(out, s.size());
    out->append(s);
  }
  void operator()(const Bytes& b) const {
    PutU8(out, kTagBytes);
    PutVarint(out, b.size());
    out->append(reinterpret_cast<const char*>(b.data()), b.size());
  }
};

// Reads one value's tag and payload range; false when malformed.
bool ReadValue(Reader& r, std::uint8_t* tag, std::string_view* payload) {
  if (!r.GetU8(tag)) return false;
  const char* start = r.position();
  switch (*tag) {
    case kTagNull:
    case kTagFalse:
    case kTagTrue:
      *payload = {};
      return true;
    case kTagInt: {
      std::uint64_t v;
      if (!r.GetVarint(&v)) return false;
      *payload = std::string_view(start, static_cast<std::size_t>(r.position() - start));
      return true;
    }
    case kTagDouble:
      return r.GetBytes(8, payload);
    case kTagString:
    case kTagBytes: {
      std::uint64_t n;
      if (!r.GetBounded(r.remaining(), &n)) return false;
      return r.GetBytes(static_cast<std::size_t>(n), payload);
    }
    default:
      return false;
  }
}

}  // namespace

void EncodeValues(const Values& values, std::string* out, std::vector<Span>* spans) {
  std::size_t base = out->size();
  PutVarint(out, values.size());
  if (spans != nullptr) spans->clear();
  for (const Value& v : values) {
    std::size_t start = out->size();
    std::visit(EncodeVisitor{out}, v);
    if (spans != nullptr) {
      spans->push_back({static_cast<std::uint32_t>(start - base),
                        static_cast<std::uint32_t>(out->size() - start)});
    }
  }
}

Status DecodeValues(std::string_view data, Values* values) {
  Reader r(data);
  std::uint64_t n;
  // Every value takes at least one byte, which bounds the allocation.
  if (!r.GetBounded(std::min<std::uint64_t>(r.remaining(), kMaxValuesPerTuple), &n)) {
    return ProtocolError("value list: bad count");
  }
  values->resize(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t tag;
    std::string_view payload;
    if (!ReadValue(r, &tag, &payload)) return ProtocolError("value list: malformed value");
    Value& v = (*values)[i];
    switch (tag) {
      case kTagNull: v = std::monostate{}; break;
      case kTagFalse: v = false; break;
      case kTagTrue: v = true; break;
      case kTagInt: {
        Reader p(payload);
        std::uint64_t z = 0;
        (void)p.GetVarint(&z);
        v = UnZigZag(z);
        break;
      }
      case kTagDouble: {
        Reader p(payload);
        std::uint64_t bits = 0;
        (void)p.GetFixed64(&bits);
        v = std::bit_cast<double>(bits);
        break;
      }
      case kTagString:
        if (auto* s = std::get_if<std::string>(&v)) {
          s->assign(payload.data(), payload.size());
        } else {
          v.emplace<std::string>(payload);
        }
        break;
      case kTagBytes:
        v.emplace<Bytes>(reinterpret_cast<const std::uint8_t*>(payload.data()),
                         reinterpret_cast<const std::uint8_t*>(payload.data()) + payload.size());
        break;
    }
  }
  if (!r.empty()) return ProtocolError("value list: trailing bytes");
  return Status::Ok();
}

Status ValueSpans(std::string_view data, std::vector<Span>* spans) {
  Reader r(data);
  std::uint64_t n;
  if (!r.GetBounded(std::min<std::uint64_t>(r.remaining(), kMaxValuesPerTuple), &n)) {
    return ProtocolError("value list: bad count");
  }
  spans->clear();
  for (std::size_t i = 0; i < n; ++i) {
    const char* start = r.position();
    std::uint8_t tag;
    std::string_view payload;
    if (!ReadValue(r, &tag, &payload)) return ProtocolError("value list: malformed value");
    spans->push_back({static_cast<std::uint32_t>(start - data.data()),
                      static_cast<std::uint32_t>(r.position() - start)});
  }
  if (!r.empty()) return ProtocolError("value list: trailing bytes");
  return Status::Ok();
}

BatchWriter::BatchWriter(BatchKind kind, std::int32_t dest_task)
    : kind_(kind), dest_task_(dest_task) {
  Reset();
}

void BatchWriter::Reset() {
  buf_.clear();
  PutU8(&buf_, kMagic);
  PutU8(&buf_, kVersion);
  PutU8(&buf_, static_cast<std::uint8_t>(kind_));
  PutFixed32(&buf_, static_cast<std::uint32_t>(dest_task_));
  PutFixed32(&buf_, 0);
  count_ = 0;
  last_is_mergeable_ = false;
}

void BatchWriter::AddData(std::uint32_t stream, std::int32_t source_task,
                          const internal::Anchor* anchors, std::size_t anchor_count,
                          std::string_view encoded_values) {
  PutVarint(&buf_, stream);
  PutVarint(&buf_, static_cast<std::uint32_t>(source_task));
  PutVarint(&buf_, anchor_count);
  for (std::size_t i = 0; i < anchor_count; ++i) {
    PutVarint(&buf_, static_cast<std::uint32_t>(anchors[i].spout_task));
    PutFixed64(&buf_, anchors[i].root);
    PutFixed64(&buf_, anchors[i].edge);
  }
  PutVarint(&buf_, encoded_values.size());
  buf_.append(encoded_values);
  ++count_;
}

void BatchWriter::AddAck(const AckRecord& ack) {
  if (ack.kind == AckKind::kAck && last_is_mergeable_ && ack.root == last_root_) {
    last_value_ ^= ack.value;
    for (int i = 0; i < 8; ++i) {
      buf_[last_ack_offset_ + 8 + static_cast<std::size_t>(i)] =
          static_cast<char>(last_value_ >> (8 * i));
    }
    return;
  }
  last_ack_offset_ = buf_.size();
  last_is_mergeable_ = ack.kind == AckKind::kAck;
  last_root_ = ack.root;
  last_value_ = ack.value;
  PutFixed64(&buf_, ack.root);
  PutFixed64(&buf_, ack.value);
  PutU8(&buf_, static_cast<std::uint8_t>(ack.kind));
  ++count_;
}

std::string BatchWriter::Take() {
  SetFixed32(&buf_, 7, count_);
  std::string out;
  out.reserve(buf_.capacity());
  out.swap(buf_);
  Reset();
  return out;
}

Status PeekBatchHeader(std::string_view batch, BatchKind* kind, std::int32_t* dest_task,
                       std::uint32_t* record_count) {
  Reader r(batch);
  std::uint8_t magic, version, k;
  std::uint32_t dest, count;
  if (!r.GetU8(&magic) || !r.GetU8(&version) || !r.GetU8(&k) || !r.GetFixed32(&dest) ||
      !r.GetFixed32(&count)) {
    return ProtocolError("batch: truncated header (" + std::to_string(batch.size()) + " bytes)");
  }
  if (magic != kMagic) return ProtocolError("batch: bad magic byte");
  if (version != kVersion) {
    return ProtocolError("batch: wire version " + std::to_string(version) + ", expected " +
                         std::to_string(kVersion));
  }
  if (k != static_cast<std::uint8_t>(BatchKind::kData) &&
      k != static_cast<std::uint8_t>(BatchKind::kAck)) {
    return ProtocolError("batch: unknown kind " + std::to_string(k));
  }
  *kind = static_cast<BatchKind>(k);
  *dest_task = static_cast<std::int32_t>(dest);
  if (record_count != nullptr) *record_count = count;
  return Status::Ok();
}

Result<BatchReader> BatchReader::Open(std::string_view batch) {
  BatchKind kind;
  std::int32_t dest;
  GALE_RETURN_IF_ERROR(PeekBatchHeader(batch, &kind, &dest));
  Reader r(batch.substr(7));
  std::uint32_t count = 0;
  (void)r.GetFixed32(&count);
  std::size_t body = batch.size() - kBatchHeaderSize;
  // Every record takes at least 4 (data) or 17 (ack) bytes.
  std::size_t min_record = kind == BatchKind::kData ? 4 : 17;
  if (count > body / min_record) {
    return ProtocolError("batch: record count " + std::to_string(count) + " does not fit in " +
                         std::to_string(body) + " bytes");
  }
  return BatchReader(batch.substr(kBatchHeaderSize), kind, dest, count);
}

bool BatchReader::Fail(const char* what) {
  status_ = ProtocolError(std::string("batch record ") + std::to_string(read_) + ": " + what);
  read_ = count_;
  return false;
}

bool BatchReader::NextData(DataRecord* rec) {
  if (read_ >= count_) {
    if (status_.ok() && pos_ != reader_body_.size()) return Fail("trailing bytes after records");
    return false;
  }
  if (kind_ != BatchKind::kData) return Fail("not a data batch");
  Reader r(reader_body_.substr(pos_));
  std::uint64_t stream, source, n;
  if (!r.GetBounded(UINT32_MAX, &stream)) return Fail("bad stream index");
  if (!r.GetBounded(INT32_MAX, &source)) return Fail("bad source task");
  if (!r.GetBounded(std::min<std::uint64_t>(r.remaining() / 17, kMaxAnchorsPerTuple), &n)) {
    return Fail("bad anchor count");
  }
  rec->stream = static_cast<std::uint32_t>(stream);
  rec->source_task = static_cast<std::int32_t>(source);
  rec->anchors.resize(static_cast<std::size_t>(n));
  for (auto& a : rec->anchors) {
    std::uint64_t spout;
    if (!r.GetBounded(INT32_MAX, &spout) || !r.GetFixed64(&a.root) || !r.GetFixed64(&a.edge)) {
      return Fail("truncated anchor");
    }
    a.spout_task = static_cast<std::int32_t>(spout);
  }
  std::uint64_t len;
  if (!r.GetBounded(r.remaining(), &len)) return Fail("bad values length");
  (void)r.GetBytes(static_cast<std::size_t>(len), &rec->values);
  pos_ = static_cast<std::size_t>(r.position() - reader_body_.data());
  ++read_;
  return true;
}

bool BatchReader::NextAck(AckRecord* rec) {
  if (read_ >= count_) {
    if (status_.ok() && pos_ != reader_body_.size()) return Fail("trailing bytes after records");
    return false;
  }
  if (kind_ != BatchKind::kAck) return Fail("not an ack batch");
  Reader r(reader_body_.substr(pos_));
  std::uint8_t kind;
  if (!r.GetFixed64(&rec->root) || !r.GetFixed64(&rec->value) || !r.GetU8(&kind)) {
    return Fail("truncated ack");
  }
  if (kind > static_cast<std::uint8_t>(AckKind::kResetTimeout)) return Fail("unknown ack kind");
  rec->kind = static_cast<AckKind>(kind);
  pos_ += 17;
  ++read_;
  return true;
}

}  // namespace gale::wire
