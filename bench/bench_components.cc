// Components of the gale word-count benchmark (libgale_bench.so), used by
// bench/wordcount-bench.yaml and driven by bench/run.sh:
//
//   BenchSentenceSpout  emits field `sentence` from the shared workload
//                       (workload.h), optionally at a fixed rate.
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

// Emits one sentence per NextTuple call, from a SentenceGenerator seeded with
// property `seed` (default 42) plus the task index. Properties:
//   rate  sentences per second for this task; 0 (default) is unlimited.
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
  }

  void NextTuple() override {
    if (rate_per_s_ > 0 && budget_ == 0 && !RefillBudget()) return;
    // One Values reused for every emit: the collector encodes it during
    // the call.
    generator_->Next(&std::get<std::string>(sentence_[0]));
    if (acking_) {
      collector_->Emit(sentence_, next_id_++);
    } else {
      collector_->Emit(sentence_);
    }
    if (budget_ > 0) --budget_;
  }

  void Ack(MessageId /*id*/) override { ++acked_; }
  void Fail(MessageId /*id*/) override { ++failed_; }

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
    stats_path_ = config.GetString("stats.path", "");
    const std::size_t pos = stats_path_.find("{task}");
    if (pos != std::string::npos) {
      stats_path_.replace(pos, 6, std::to_string(task_id_));
    }
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
