#include "wire/codec.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "wire/bytes.h"

namespace gale::wire {
namespace {

// The encoded size of one value, tag included.
struct SizeVisitor {
  std::size_t operator()(std::monostate) const { return 1; }
  std::size_t operator()(bool) const { return 1; }
  std::size_t operator()(std::int64_t i) const { return 1 + VarintSize(ZigZag(i)); }
  std::size_t operator()(double) const { return 1 + 8; }
  std::size_t operator()(const std::string& s) const { return 1 + VarintSize(s.size()) + s.size(); }
  std::size_t operator()(const Bytes& b) const { return 1 + VarintSize(b.size()) + b.size(); }
};

// Writes one value into room sized by SizeVisitor.
struct WriteVisitor {
  char* p;
  char* operator()(std::monostate) const { return Tag(kTagNull); }
  char* operator()(bool b) const { return Tag(b ? kTagTrue : kTagFalse); }
  char* operator()(std::int64_t i) const { return WriteVarint(Tag(kTagInt), ZigZag(i)); }
  char* operator()(double d) const {
    return WriteFixed64(Tag(kTagDouble), std::bit_cast<std::uint64_t>(d));
  }
  char* operator()(const std::string& s) const {
    return WriteBytes(WriteVarint(Tag(kTagString), s.size()), s);
  }
  char* operator()(const Bytes& b) const {
    return WriteBytes(WriteVarint(Tag(kTagBytes), b.size()),
                      std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  char* Tag(std::uint8_t tag) const {
    *p = static_cast<char>(tag);
    return p + 1;
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
  // Sized first, so the list is written with one resize and no per-field
  // appends.
  const std::size_t base = out->size();
  std::size_t total = VarintSize(values.size());
  for (const Value& v : values) total += std::visit(SizeVisitor{}, v);
  out->resize(base + total);
  char* const begin = out->data() + base;
  char* p = WriteVarint(begin, values.size());
  if (spans != nullptr) spans->clear();
  for (const Value& v : values) {
    char* start = p;
    p = std::visit(WriteVisitor{p}, v);
    if (spans != nullptr) {
      spans->push_back({static_cast<std::uint32_t>(start - begin),
                        static_cast<std::uint32_t>(p - start)});
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
  len_ = 0;
  char* p = Room(kBatchHeaderSize);
  p[0] = static_cast<char>(kMagic);
  p[1] = static_cast<char>(kVersion);
  p[2] = static_cast<char>(kind_);
  p = WriteFixed32(p + 3, static_cast<std::uint32_t>(dest_task_));
  WriteFixed32(p, 0);  // the record count, set by Take
  len_ = kBatchHeaderSize;
  count_ = 0;
  last_is_mergeable_ = false;
}

char* BatchWriter::Room(std::size_t n) {
  if (buf_.size() - len_ < n) {
    // Grows the written-to size geometrically; the capacity of a reused
    // writer is already there, so this only zero-fills.
    buf_.resize(std::max(len_ + n, std::max<std::size_t>(2 * buf_.size(), 256)));
  }
  return buf_.data() + len_;
}

void BatchWriter::AddData(std::uint32_t stream, std::int32_t source_task,
                          const internal::Anchor* anchors, std::size_t anchor_count,
                          std::string_view encoded_values, std::size_t* edge_offsets) {
  const auto source = static_cast<std::uint32_t>(source_task);
  std::size_t size = VarintSize(stream) + VarintSize(source) + VarintSize(anchor_count) +
                     VarintSize(encoded_values.size()) + encoded_values.size();
  for (std::size_t i = 0; i < anchor_count; ++i) {
    size += VarintSize(static_cast<std::uint32_t>(anchors[i].spout_task)) + 16;
  }
  char* p = Room(size);
  p = WriteVarint(p, stream);
  p = WriteVarint(p, source);
  p = WriteVarint(p, anchor_count);
  for (std::size_t i = 0; i < anchor_count; ++i) {
    p = WriteVarint(p, static_cast<std::uint32_t>(anchors[i].spout_task));
    p = WriteFixed64(p, anchors[i].root);
    if (edge_offsets != nullptr) edge_offsets[i] = static_cast<std::size_t>(p - buf_.data());
    p = WriteFixed64(p, anchors[i].edge);
  }
  p = WriteVarint(p, encoded_values.size());
  p = WriteBytes(p, encoded_values);
  len_ += size;
  ++count_;
}

void BatchWriter::AddAck(const AckRecord& ack) {
  if (ack.kind == AckKind::kAck && last_is_mergeable_ && ack.root == last_root_) {
    last_value_ ^= ack.value;
    WriteFixed64(buf_.data() + last_ack_offset_ + 8, last_value_);
    return;
  }
  last_ack_offset_ = len_;
  last_is_mergeable_ = ack.kind == AckKind::kAck;
  last_root_ = ack.root;
  last_value_ = ack.value;
  char* p = Room(17);
  p = WriteFixed64(p, ack.root);
  p = WriteFixed64(p, ack.value);
  *p = static_cast<char>(ack.kind);
  len_ += 17;
  ++count_;
}

void BatchWriter::XorAt(std::size_t offset, std::uint64_t value) {
  char* p = buf_.data() + offset;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  WriteFixed64(p, v ^ value);
}

std::string BatchWriter::Take() {
  ++generation_;
  buf_.resize(len_);
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
