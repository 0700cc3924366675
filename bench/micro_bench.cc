// Micro-benchmarks of the per-tuple pieces of gale's data path (Google
// Benchmark): value encoding and decoding, fields-grouping hashing, batch
// writing and reading, and the XOR tracker. Run by bench/run.sh --micro.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "acking/xor_tracker.h"
#include "grouping/grouping.h"
#include "wire/codec.h"
#include "workload.h"

namespace gale {
namespace {

const std::vector<std::string>& Words() { return bench::Vocabulary(); }

void BM_EncodeWord(benchmark::State& state) {
  std::string out;
  std::vector<wire::Span> spans;
  Values values{std::string()};
  std::size_t i = 0;
  for (auto _ : state) {
    std::get<std::string>(values[0]) = Words()[i++ % Words().size()];
    out.clear();
    wire::EncodeValues(values, &out, &spans);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EncodeWord);

void BM_DecodeWord(benchmark::State& state) {
  std::vector<std::string> encoded;
  for (const std::string& w : Words()) {
    encoded.emplace_back();
    wire::EncodeValues({w}, &encoded.back(), nullptr);
  }
  Values values;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(wire::DecodeValues(encoded[i++ % encoded.size()], &values));
  }
}
BENCHMARK(BM_DecodeWord);

void BM_FieldsGroupingChoose(benchmark::State& state) {
  grouping::GroupingOptions o;
  o.spec.type = GroupingType::kFields;
  o.target_tasks = {1, 2, 3, 4};
  o.key_indexes = {0};
  auto g = std::move(grouping::MakeGrouping(o)).value();
  std::vector<std::string> encoded;
  std::vector<std::vector<wire::Span>> spans;
  for (const std::string& w : Words()) {
    encoded.emplace_back();
    spans.emplace_back();
    wire::EncodeValues({w}, &encoded.back(), &spans.back());
  }
  std::vector<std::int32_t> out;
  std::size_t i = 0;
  for (auto _ : state) {
    std::size_t k = i++ % encoded.size();
    grouping::RoutingInput in{1, encoded[k], &spans[k], nullptr};
    out.clear();
    g->Choose(in, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_FieldsGroupingChoose);

// Writes a batch of 1,024 word tuples, then reads it back: the cost per
// tuple of one hop through the transport.
void BM_BatchWriteRead(benchmark::State& state) {
  const bool anchored = state.range(0) != 0;
  std::vector<std::string> encoded;
  for (const std::string& w : Words()) {
    encoded.emplace_back();
    wire::EncodeValues({w}, &encoded.back(), nullptr);
  }
  internal::Anchor anchor{1, 0x1234, 0x5678};
  wire::BatchWriter writer(wire::BatchKind::kData, 2);
  wire::DataRecord record;
  Values values;
  for (auto _ : state) {
    for (std::size_t i = 0; i < 1024; ++i) {
      writer.AddData(0, 1, anchored ? &anchor : nullptr, anchored ? 1 : 0,
                     encoded[i % encoded.size()]);
    }
    std::string batch = writer.Take();
    auto reader = wire::BatchReader::Open(batch);
    while (reader->NextData(&record)) benchmark::DoNotOptimize(wire::DecodeValues(record.values, &values));
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_BatchWriteRead)->Arg(0)->Arg(1);

// One tree with ten edges: Start, then ten acks (the spout's work for one
// sentence split into ten acked words).
void BM_XorTrackerTree(benchmark::State& state) {
  acking::XorTracker tracker(30'000'000'000, 3, 0);
  std::uint64_t root = 1;
  std::int64_t now = 0;
  for (auto _ : state) {
    std::uint64_t edges[10];
    std::uint64_t all = 0;
    for (int e = 0; e < 10; ++e) {
      edges[e] = (root * 0x9E3779B97F4A7C15ULL) ^ (e + 1);
      all ^= edges[e];
    }
    (void)tracker.Start(root, root, all, now);
    for (int e = 0; e < 10; ++e) benchmark::DoNotOptimize(tracker.Ack(root, edges[e], now));
    ++root;
    now += 100;
  }
}
BENCHMARK(BM_XorTrackerTree);

}  // namespace
}  // namespace gale

BENCHMARK_MAIN();
