#include "wire/codec.h"

#include <random>

#include <gtest/gtest.h>

#include "wire/bytes.h"

namespace gale::wire {
namespace {

Values Sample() {
  return {std::monostate{}, true, false, std::int64_t{-5}, std::int64_t{1} << 62, 3.25,
          std::string("hello"), std::string(300, 'x'), Bytes{0, 1, 255}};
}

TEST(ValueCodec, RoundTripsEveryType) {
  std::string buf;
  std::vector<Span> spans;
  EncodeValues(Sample(), &buf, &spans);
  ASSERT_EQ(spans.size(), Sample().size());
  Values out;
  ASSERT_TRUE(DecodeValues(buf, &out).ok());
  EXPECT_EQ(out, Sample());
}

TEST(ValueCodec, SpansMatchBetweenEncoderAndScanner) {
  std::string buf;
  std::vector<Span> written, scanned;
  EncodeValues(Sample(), &buf, &written);
  ASSERT_TRUE(ValueSpans(buf, &scanned).ok());
  ASSERT_EQ(written.size(), scanned.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(written[i].offset, scanned[i].offset);
    EXPECT_EQ(written[i].size, scanned[i].size);
  }
}

TEST(ValueCodec, SameValueEncodesToSameBytes) {
  std::string a, b;
  std::vector<Span> sa, sb;
  EncodeValues({std::string("key"), std::int64_t{1}}, &a, &sa);
  EncodeValues({std::string("key"), std::int64_t{2}}, &b, &sb);
  EXPECT_EQ(a.substr(sa[0].offset, sa[0].size), b.substr(sb[0].offset, sb[0].size));
}

TEST(ValueCodec, DecodeReusesStringsAndChangesTypes) {
  Values out = {std::string("previous value that is long enough to allocate"), std::int64_t{3}};
  std::string buf;
  EncodeValues({std::string("a"), std::string("b")}, &buf, nullptr);
  ASSERT_TRUE(DecodeValues(buf, &out).ok());
  EXPECT_EQ(out, (Values{std::string("a"), std::string("b")}));
}

TEST(ValueCodec, RejectsTruncationTrailingBytesAndBadTags) {
  std::string buf;
  EncodeValues(Sample(), &buf, nullptr);
  Values out;
  for (std::size_t n = 0; n < buf.size(); ++n) {
    EXPECT_FALSE(DecodeValues(std::string_view(buf).substr(0, n), &out).ok()) << n;
  }
  EXPECT_FALSE(DecodeValues(buf + "x", &out).ok());
  std::string bad;
  PutVarint(&bad, 1);
  PutU8(&bad, 99);
  EXPECT_FALSE(DecodeValues(bad, &out).ok());
}

TEST(ValueCodec, HugeCountsDoNotAllocate) {
  std::string bad;
  PutVarint(&bad, 1ull << 40);
  Values out;
  EXPECT_FALSE(DecodeValues(bad, &out).ok());
  EXPECT_LT(out.capacity(), 16u);
  std::string huge_string;
  PutVarint(&huge_string, 1);
  PutU8(&huge_string, kTagString);
  PutVarint(&huge_string, 1ull << 60);
  EXPECT_FALSE(DecodeValues(huge_string, &out).ok());
}

TEST(Batch, DataRoundTrip) {
  BatchWriter w(BatchKind::kData, 7);
  std::string values;
  EncodeValues({std::string("word"), std::int64_t{4}}, &values, nullptr);
  internal::Anchor anchors[2] = {{3, 0xdeadbeefULL, 0x1234ULL}, {5, ~0ULL, 1}};
  w.AddData(2, 9, anchors, 2, values);
  w.AddData(1, 9, nullptr, 0, values);
  EXPECT_EQ(w.count(), 2u);
  std::string batch = w.Take();
  EXPECT_TRUE(w.empty());

  auto r = BatchReader::Open(batch);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->dest_task(), 7);
  EXPECT_EQ(r->kind(), BatchKind::kData);
  DataRecord rec;
  ASSERT_TRUE(r->NextData(&rec));
  EXPECT_EQ(rec.stream, 2u);
  EXPECT_EQ(rec.source_task, 9);
  ASSERT_EQ(rec.anchors.size(), 2u);
  EXPECT_EQ(rec.anchors[0].spout_task, 3);
  EXPECT_EQ(rec.anchors[0].root, 0xdeadbeefULL);
  EXPECT_EQ(rec.anchors[1].root, ~0ULL);
  EXPECT_EQ(rec.values, values);
  ASSERT_TRUE(r->NextData(&rec));
  EXPECT_TRUE(rec.anchors.empty());
  EXPECT_FALSE(r->NextData(&rec));
  EXPECT_TRUE(r->status().ok());
}

TEST(Batch, AckRoundTrip) {
  BatchWriter w(BatchKind::kAck, 1);
  w.AddAck({11, 22, AckKind::kAck});
  w.AddAck({33, 0, AckKind::kFail});
  w.AddAck({44, 0, AckKind::kResetTimeout});
  std::string batch = w.Take();
  auto r = BatchReader::Open(batch);
  ASSERT_TRUE(r.ok());
  AckRecord a;
  ASSERT_TRUE(r->NextAck(&a));
  EXPECT_EQ(a.root, 11u);
  EXPECT_EQ(a.value, 22u);
  ASSERT_TRUE(r->NextAck(&a));
  EXPECT_EQ(a.kind, AckKind::kFail);
  ASSERT_TRUE(r->NextAck(&a));
  EXPECT_EQ(a.kind, AckKind::kResetTimeout);
  EXPECT_FALSE(r->NextAck(&a));
  EXPECT_TRUE(r->status().ok());
}

TEST(Batch, RejectsWrongVersionMagicAndKind) {
  BatchWriter w(BatchKind::kAck, 1);
  w.AddAck({1, 2, AckKind::kAck});
  std::string batch = w.Take();
  std::string v = batch;
  v[1] = 2;
  EXPECT_NE(BatchReader::Open(v).status().message().find("wire version 2"), std::string::npos);
  std::string m = batch;
  m[0] = 'X';
  EXPECT_FALSE(BatchReader::Open(m).ok());
  std::string k = batch;
  k[2] = 9;
  EXPECT_FALSE(BatchReader::Open(k).ok());
  EXPECT_FALSE(BatchReader::Open("").ok());
}

TEST(Batch, RejectsCountsThatCannotFit) {
  BatchWriter w(BatchKind::kData, 1);
  std::string batch = w.Take();
  SetFixed32(&batch, 7, 1000000);
  EXPECT_FALSE(BatchReader::Open(batch).ok());
}

// Randomized decoding: random bytes and mutations of valid batches must
// produce records or errors, never crashes or runaway allocations.
TEST(BatchFuzz, RandomAndMutatedInputsAreHandled) {
  std::mt19937_64 rng(1234);
  BatchWriter w(BatchKind::kData, 3);
  std::string values;
  EncodeValues(Sample(), &values, nullptr);
  internal::Anchor anchor{1, 2, 3};
  for (int i = 0; i < 20; ++i) w.AddData(i, 1, &anchor, 1, values);
  const std::string valid = w.Take();
  BatchWriter acks(BatchKind::kAck, 3);
  for (int i = 0; i < 20; ++i) acks.AddAck({std::uint64_t(i), 1, AckKind::kAck});
  const std::string valid_acks = acks.Take();

  std::size_t records = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string input;
    switch (iter % 3) {
      case 0: {
        input.resize(rng() % 200);
        for (char& c : input) c = static_cast<char>(rng());
        if (input.size() > 2 && rng() % 2) {
          input[0] = static_cast<char>(kMagic);
          input[1] = static_cast<char>(kVersion);
          input[2] = static_cast<char>(1 + rng() % 2);
        }
        break;
      }
      case 1:
        input = valid;
        break;
      default:
        input = valid_acks;
        break;
    }
    if (iter % 3 != 0) {
      int flips = 1 + static_cast<int>(rng() % 8);
      for (int f = 0; f < flips; ++f) {
        std::size_t pos = rng() % input.size();
        input[pos] = static_cast<char>(rng());
      }
      if (rng() % 4 == 0) input.resize(rng() % input.size());
    }
    auto r = BatchReader::Open(input);
    if (!r.ok()) continue;
    DataRecord rec;
    AckRecord ack;
    Values decoded;
    if (r->kind() == BatchKind::kData) {
      while (r->NextData(&rec)) {
        ++records;
        (void)DecodeValues(rec.values, &decoded);
        EXPECT_LE(decoded.size(), input.size());
      }
    } else {
      while (r->NextAck(&ack)) ++records;
    }
  }
  EXPECT_GT(records, 0u);
}

}  // namespace
}  // namespace gale::wire

namespace gale::wire {
namespace {

TEST(Batch, ConsecutiveAcksOfOneRootMergeByXor) {
  BatchWriter w(BatchKind::kAck, 1);
  w.AddAck({7, 0x0f, AckKind::kAck});
  w.AddAck({7, 0xf0, AckKind::kAck});
  w.AddAck({8, 0x01, AckKind::kAck});
  w.AddAck({8, 0x00, AckKind::kFail});  // a fail is never merged
  w.AddAck({8, 0x02, AckKind::kAck});
  EXPECT_EQ(w.count(), 4u);
  std::string batch = w.Take();
  auto r = BatchReader::Open(batch);
  ASSERT_TRUE(r.ok());
  AckRecord a;
  ASSERT_TRUE(r->NextAck(&a));
  EXPECT_EQ(a.root, 7u);
  EXPECT_EQ(a.value, 0xffu);
  ASSERT_TRUE(r->NextAck(&a));
  EXPECT_EQ(a.value, 0x01u);
  ASSERT_TRUE(r->NextAck(&a));
  EXPECT_EQ(a.kind, AckKind::kFail);
  ASSERT_TRUE(r->NextAck(&a));
  EXPECT_EQ(a.value, 0x02u);
  EXPECT_FALSE(r->NextAck(&a));
  // After Take nothing merges into the previous batch's last record.
  w.AddAck({8, 0x04, AckKind::kAck});
  EXPECT_EQ(w.count(), 1u);
}

TEST(Batch, XorAtChangesOnlyTheEdgeAddDataReported) {
  BatchWriter w(BatchKind::kData, 7);
  std::string values;
  EncodeValues({std::string("word")}, &values, nullptr);
  // A spout task over 127 takes a two-byte varint before the root.
  internal::Anchor anchors[2] = {{3, 0x11, 0xa0}, {300, 0x22, 0xb0}};
  std::size_t offsets[2];
  w.AddData(1, 9, anchors, 2, values, offsets);
  w.AddData(1, 9, anchors, 1, values);
  const std::uint64_t generation = w.generation();
  w.XorAt(offsets[1], 0x0f);
  w.XorAt(offsets[0], 0xff00000000000001ULL);
  std::string batch = w.Take();
  EXPECT_NE(w.generation(), generation);

  auto r = BatchReader::Open(batch);
  ASSERT_TRUE(r.ok());
  DataRecord rec;
  ASSERT_TRUE(r->NextData(&rec));
  ASSERT_EQ(rec.anchors.size(), 2u);
  EXPECT_EQ(rec.anchors[0].root, 0x11u);
  EXPECT_EQ(rec.anchors[0].edge, 0xff000000000000a1ULL);
  EXPECT_EQ(rec.anchors[1].spout_task, 300);
  EXPECT_EQ(rec.anchors[1].root, 0x22u);
  EXPECT_EQ(rec.anchors[1].edge, 0xbfu);
  EXPECT_EQ(rec.values, values);
  ASSERT_TRUE(r->NextData(&rec));
  EXPECT_EQ(rec.anchors[0].edge, 0xa0u);  // the second record is untouched
  EXPECT_TRUE(r->status().ok());
}

}  // namespace
}  // namespace gale::wire
