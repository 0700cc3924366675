// Components of the gale word-count benchmark (libgale_bench.so), used by
// bench/wordcount-bench.yaml and driven by bench/run.sh:
//
//   BenchSentenceSpout  emits field `sentence` from the shared workload
//                       (workload.h), optionally at a fixed rate, and can
//                       log the complete latency of its slow trees.
//   BenchCountBolt      counts field `word` and measures its own sustained
//                       rate after a warm-up, written to a stats file.
//
// Both do the same work per item as the plain C++ baseline (baseline.cc), so
// the difference between the two is what gale itself costs.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gale/gale.h"
#include "workload.h"

namespace gale::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kDefaultSeed = 42;
constexpr double kDefaultWarmUpSecs = 2.0;
// A rate-limited spout reads the clock at most once per this many emits.
constexpr uint64_t kMaxEmitsPerClockCheck = 64;
// The count bolt reads the clock once per this many words.
constexpr uint64_t kWordsPerClockCheck = 256;

// True when the spout's tuple trees are tracked, by the same rule as the
// runtime: `topology.reliability.mode` wins over `topology.acking`.
bool AckingEnabled(const Config& config) {
  if (config.Has("topology.reliability.mode")) {
    std::string mode = config.GetString("topology.reliability.mode");
    std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) {
      return static_cast<char>(std::toupper(c));
    });
    return mode != "ATMOST_ONCE";
  }
  return config.GetBool("topology.acking", true);
}

// The complete latency of a spout's trees, measured by the spout itself from
// its Emit to its Ack, for telling apart what slows a topology's slow trees
// (bench/tail_attribution.py). Kept in memory and written once, on Close:
// the measured run pays two clock readings per tree. One line per logged
// tree:
//   <steady clock at the ack, ns> <latency, ns>
// for every tree at least `min_ns` slow and every kSampleEvery-th of the
// others (the sample tells the share of slow trees), up to kMaxRecords lines.
class LatencyLog {
 public:
  static constexpr uint64_t kSampleEvery = 1000;
  static constexpr std::size_t kMaxRecords = std::size_t{1} << 24;

  LatencyLog(std::string path, int64_t min_ns) : path_(std::move(path)), min_ns_(min_ns) {
    emitted_ns_.resize(kRingSize);
    // Logging every tree: room for every record up front (address space
    // until written). A vector growing past millions of records would copy
    // them on the ack path, a stall of milliseconds the log would record.
    if (min_ns_ == 0) records_.reserve(kMaxRecords);
  }

  void Emitted(MessageId id, int64_t now_ns) {
    emitted_ns_[id & (kRingSize - 1)] = {id, now_ns};
  }

  void Acked(MessageId id, int64_t now_ns) {
    const auto& [emitted_id, emitted_ns] = emitted_ns_[id & (kRingSize - 1)];
    if (emitted_id != id) return;  // more trees pending than the ring holds
    const int64_t latency_ns = now_ns - emitted_ns;
    if ((latency_ns >= min_ns_ || ++acked_ % kSampleEvery == 0) &&
        records_.size() < kMaxRecords) {
      records_.emplace_back(now_ns, latency_ns);
    }
  }

  void Write() const {
    std::FILE* file = std::fopen(path_.c_str(), "w");
    if (file == nullptr) {
      std::perror(path_.c_str());
      return;
    }
    std::fprintf(file, "# min_ns=%" PRId64 " sample_every=%" PRIu64 "\n", min_ns_,
                 kSampleEvery);
    for (const auto& [ack_ns, latency_ns] : records_) {
      std::fprintf(file, "%" PRId64 " %" PRId64 "\n", ack_ns, latency_ns);
    }
    if (std::fclose(file) != 0) std::perror(path_.c_str());
  }

 private:
  static constexpr std::size_t kRingSize = std::size_t{1} << 20;

  std::string path_;
  int64_t min_ns_;
  std::vector<std::pair<MessageId, int64_t>> emitted_ns_;  // by id, a ring
  std::vector<std::pair<int64_t, int64_t>> records_;
  uint64_t acked_ = 0;
};

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Clock::now().time_since_epoch())
      .count();
}

// Replaces `{task}` in `path` by the task id.
std::string TaskPath(std::string path, int task_id) {
  const std::size_t pos = path.find("{task}");
  if (pos != std::string::npos) path.replace(pos, 6, std::to_string(task_id));
  return path;
}

// Emits one sentence per NextTuple call, from a SentenceGenerator seeded with
// property `seed` (default 42) plus the task index. Properties:
//   rate                 sentences per second for this task; 0 (default) is
//                        unlimited.
//   latency.log          with acking on, a file written on Close with the
//                        complete latency of the slow trees (LatencyLog);
//                        `{task}` is replaced by the task id; "" (default)
//                        measures nothing.
//   latency.log.min.ms   what counts as slow there (default 1).
// The schedule is open-loop: a spout held back (backpressure, max pending)
// catches up afterwards. With acking on, each sentence carries a message id
// (a counter) and nothing else is kept: a failed tree is counted, never
// replayed.
class BenchSentenceSpout : public Spout {
 public:
  void Open(const Config& config, const TopologyContext& context,
            SpoutOutputCollector& collector) override {
    collector_ = &collector;
    generator_.emplace(static_cast<uint64_t>(
        config.GetInt("seed", kDefaultSeed) + context.TaskIndex()));
    acking_ = AckingEnabled(config);
    rate_per_s_ = config.GetDouble("rate", 0);
    if (rate_per_s_ < 0) {
      throw ConfigError(config.owner() + ": property 'rate' must be >= 0");
    }
    std::get<std::string>(sentence_[0]).reserve(kWordsPerSentence * (kMaxWordLength + 1));
    const std::string log_path = config.GetString("latency.log", "");
    const double log_min_ms = config.GetDouble("latency.log.min.ms", 1);
    if (log_min_ms < 0) {
      throw ConfigError(config.owner() + ": property 'latency.log.min.ms' must be >= 0");
    }
    if (acking_ && !log_path.empty()) {
      latency_log_.emplace(TaskPath(log_path, context.TaskId()),
                           static_cast<int64_t>(log_min_ms * 1e6));
    }
  }

  void NextTuple() override {
    if (rate_per_s_ > 0 && budget_ == 0 && !RefillBudget()) return;
    // One Values reused for every emit: the collector encodes it during
    // the call.
    generator_->Next(&std::get<std::string>(sentence_[0]));
    if (acking_) {
      if (latency_log_) latency_log_->Emitted(next_id_, SteadyNowNs());
      collector_->Emit(sentence_, next_id_++);
    } else {
      collector_->Emit(sentence_);
    }
    if (budget_ > 0) --budget_;
  }

  void Ack(MessageId id) override {
    ++acked_;
    if (latency_log_) latency_log_->Acked(id, SteadyNowNs());
  }
  void Fail(MessageId /*id*/) override { ++failed_; }

  void Close() override {
    if (latency_log_) latency_log_->Write();
  }

  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{"sentence"});
  }

 private:
  // Sets budget_ to the number of sentences the schedule allows now (at most
  // kMaxEmitsPerClockCheck); false when the spout is ahead of schedule.
  bool RefillBudget() {
    const Clock::time_point now = Clock::now();
    if (emitted_by_schedule_ == 0) start_ = now;
    const double elapsed_s =
        std::chrono::duration<double>(now - start_).count();
    const auto due = static_cast<uint64_t>(elapsed_s * rate_per_s_) + 1;
    if (due <= emitted_by_schedule_) return false;
    budget_ = std::min(due - emitted_by_schedule_, kMaxEmitsPerClockCheck);
    emitted_by_schedule_ += budget_;
    return true;
  }

  SpoutOutputCollector* collector_ = nullptr;
  std::optional<SentenceGenerator> generator_;
  Values sentence_{std::string()};
  bool acking_ = true;
  MessageId next_id_ = 1;
  uint64_t acked_ = 0;
  uint64_t failed_ = 0;
  std::optional<LatencyLog> latency_log_;
  // Rate limiting.
  double rate_per_s_ = 0;
  Clock::time_point start_;
  uint64_t emitted_by_schedule_ = 0;  // Sentences granted since start_.
  uint64_t budget_ = 0;               // Granted but not yet emitted.
};

// Hash and equality that accept std::string_view, so counting a word that is
// already in the map builds no std::string.
struct WordHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view word) const {
    return std::hash<std::string_view>{}(word);
  }
};

using WordCounts =
    std::unordered_map<std::string, uint64_t, WordHash, std::equal_to<>>;

// Counts field `word` of every input tuple, acks it and emits nothing.
// Properties:
//   warmup.secs  seconds after Prepare before measuring starts (default 2).
//   stats.path   file written on Cleanup ("" = none, the default); `{task}`
//                is replaced by the task id. It holds one line:
//                  task=<id> words=<n> secs=<s> distinct=<d>
//                where words were counted in the last secs seconds, from the
//                end of the warm-up to the last word counted.
class BenchCountBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override {
    collector_ = &collector;
    task_id_ = context.TaskId();
    const double warm_up_s =
        config.GetDouble("warmup.secs", kDefaultWarmUpSecs);
    warm_up_end_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(warm_up_s));
    stats_path_ = TaskPath(config.GetString("stats.path", ""), task_id_);
    counts_.reserve(2 * kVocabularySize);
  }

  void Execute(const Tuple& tuple) override {
    if (tuple.IsTick()) {
      collector_->Ack(tuple);
      return;
    }
    // Every input of one stream shares one Fields object.
    if (&tuple.Fields() != word_fields_) {
      word_index_ = tuple.Fields().IndexOf("word").value_or(0);
      word_fields_ = &tuple.Fields();
    }
    const std::string_view word = tuple.GetString(word_index_);
    auto it = counts_.find(word);
    if (it != counts_.end()) {
      ++it->second;
    } else {
      counts_.emplace(std::string(word), 1);
    }
    if (++words_ % kWordsPerClockCheck == 0) Checkpoint();
    collector_->Ack(tuple);
  }

  void Cleanup() override {
    if (stats_path_.empty()) return;
    const uint64_t words = measuring_ ? last_words_ - start_words_ : 0;
    const double secs =
        measuring_
            ? std::chrono::duration<double>(last_time_ - start_time_).count()
            : 0.0;
    std::FILE* file = std::fopen(stats_path_.c_str(), "w");
    if (file == nullptr) {
      std::perror(stats_path_.c_str());
      return;
    }
    std::fprintf(file, "task=%d words=%" PRIu64 " secs=%.6f distinct=%zu\n",
                 task_id_, words, secs, counts_.size());
    if (std::fclose(file) != 0) std::perror(stats_path_.c_str());
  }

  void DeclareOutputFields(OutputFieldsDeclarer& /*declarer*/) const override {}

 private:
  void Checkpoint() {
    const Clock::time_point now = Clock::now();
    if (!measuring_) {
      if (now < warm_up_end_) return;
      measuring_ = true;
      start_time_ = now;
      start_words_ = words_;
    }
    last_time_ = now;
    last_words_ = words_;
  }

  OutputCollector* collector_ = nullptr;
  int task_id_ = 0;
  std::string stats_path_;
  WordCounts counts_;
  const Fields* word_fields_ = nullptr;
  std::size_t word_index_ = 0;
  uint64_t words_ = 0;
  // Measurement window: from the first checkpoint after the warm-up to the
  // latest checkpoint.
  Clock::time_point warm_up_end_;
  bool measuring_ = false;
  Clock::time_point start_time_;
  uint64_t start_words_ = 0;
  Clock::time_point last_time_;
  uint64_t last_words_ = 0;
};

}  // namespace

GALE_REGISTER_SPOUT(BenchSentenceSpout);
GALE_REGISTER_BOLT(BenchCountBolt);

}  // namespace gale::bench
