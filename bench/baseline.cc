// Word-count baseline: the same workload as the gale benchmarks, done by a
// plain single-threaded loop (generate a sentence, split it on spaces, count
// each word in a hash map). Other benchmark runs are compared with its rate.
//
// Usage: gale_bench_baseline [--seconds S] [--json FILE]
//   --seconds S  measured duration in seconds (default 10), after a 1 s
//                warm-up that is not measured.
//   --json FILE  also write the result as one JSON object to FILE.
//
// Output: baseline words_per_s=... cpu_s=... peak_rss_kb=... words=...
// where words and cpu_s cover the measured window only.

#include <sys/resource.h>

#include <chrono>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "workload.h"

namespace gale::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double kWarmUpSeconds = 1.0;
// The clock is read once per this many sentences (~5,000 words).
constexpr uint64_t kSentencesPerClockCheck = 512;
constexpr uint64_t kSeed = 42;

struct Options {
  double seconds = 10.0;
  std::string json_path;  // Empty: no JSON output.
  bool help = false;
};

struct Result {
  double words_per_s = 0;
  double cpu_s = 0;
  int64_t peak_rss_kb = 0;
  uint64_t words = 0;
  uint64_t distinct_words = 0;
  uint64_t checksum = 0;
};

// Hash and equality that accept std::string_view, so looking up a word that
// is already counted builds no std::string.
struct WordHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view word) const {
    return std::hash<std::string_view>{}(word);
  }
};

using WordCounts =
    std::unordered_map<std::string, uint64_t, WordHash, std::equal_to<>>;

void PrintUsage(const char* program) {
  std::fprintf(stderr, "usage: %s [--seconds S] [--json FILE]\n", program);
}

// Returns false (after printing why) if the arguments are invalid.
bool ParseOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options->help = true;
      return true;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: missing value or unknown option '%s'\n",
                   argv[0], argv[i]);
      return false;
    }
    const char* value = argv[++i];
    if (arg == "--seconds") {
      char* end = nullptr;
      options->seconds = std::strtod(value, &end);
      if (end == value || *end != '\0' || !(options->seconds > 0)) {
        std::fprintf(stderr,
                     "%s: --seconds wants a positive number, got '%s'\n",
                     argv[0], value);
        return false;
      }
    } else if (arg == "--json") {
      options->json_path = value;
    } else {
      std::fprintf(stderr, "%s: unknown option '%s'\n", argv[0], argv[i - 1]);
      return false;
    }
  }
  return true;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) +
           static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int64_t PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // Kilobytes on Linux.
}

// Splits `sentence` on single spaces and adds each word to `counts`.
inline void CountWords(std::string_view sentence, WordCounts* counts) {
  std::size_t start = 0;
  while (start <= sentence.size()) {
    std::size_t end = sentence.find(' ', start);
    if (end == std::string_view::npos) end = sentence.size();
    const std::string_view word = sentence.substr(start, end - start);
    if (!word.empty()) {
      auto it = counts->find(word);
      if (it != counts->end()) {
        ++it->second;
      } else {
        counts->emplace(std::string(word), 1);
      }
    }
    start = end + 1;
  }
}

Result Run(const Options& options) {
  SentenceGenerator generator(kSeed);
  WordCounts counts;
  std::string sentence;

  const Clock::time_point warm_up_end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(kWarmUpSeconds));
  const auto measured = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.seconds));

  bool measuring = false;
  Clock::time_point start_time;
  Clock::time_point end_time;
  double start_cpu_s = 0;
  uint64_t start_words = 0;
  uint64_t words = 0;
  for (;;) {
    for (uint64_t i = 0; i < kSentencesPerClockCheck; ++i) {
      generator.Next(&sentence);
      CountWords(sentence, &counts);
    }
    words += kSentencesPerClockCheck * kWordsPerSentence;
    const Clock::time_point now = Clock::now();
    if (!measuring) {
      if (now >= warm_up_end) {
        measuring = true;
        start_time = now;
        start_cpu_s = CpuSeconds();
        start_words = words;
      }
    } else if (now - start_time >= measured) {
      end_time = now;
      break;
    }
  }

  Result result;
  result.cpu_s = CpuSeconds() - start_cpu_s;
  result.words = words - start_words;
  result.words_per_s =
      static_cast<double>(result.words) /
      std::chrono::duration<double>(end_time - start_time).count();
  result.peak_rss_kb = PeakRssKb();
  result.distinct_words = counts.size();
  // Depends on every count, so the counting cannot be optimised away.
  for (const auto& [word, count] : counts) {
    result.checksum += count * (WordHash{}(word) | 1);
  }
  return result;
}

bool WriteJson(const std::string& path, const Result& result) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    std::perror(path.c_str());
    return false;
  }
  std::fprintf(file,
               "{\"name\":\"baseline\",\"words_per_s\":%.0f,\"cpu_s\":%.3f,"
               "\"peak_rss_kb\":%" PRId64 ",\"words\":%" PRIu64 "}\n",
               result.words_per_s, result.cpu_s, result.peak_rss_kb,
               result.words);
  const bool ok = std::fclose(file) == 0;
  if (!ok) std::perror(path.c_str());
  return ok;
}

}  // namespace
}  // namespace gale::bench

int main(int argc, char** argv) {
  using gale::bench::Options;
  using gale::bench::Result;

  Options options;
  if (!gale::bench::ParseOptions(argc, argv, &options)) {
    gale::bench::PrintUsage(argv[0]);
    return 2;
  }
  if (options.help) {
    gale::bench::PrintUsage(argv[0]);
    return 0;
  }
  const Result result = gale::bench::Run(options);
  std::printf("baseline words_per_s=%.0f cpu_s=%.3f peak_rss_kb=%" PRId64
              " words=%" PRIu64 " distinct=%" PRIu64 " checksum=%016" PRIx64
              "\n",
              result.words_per_s, result.cpu_s, result.peak_rss_kb,
              result.words, result.distinct_words, result.checksum);
  if (!options.json_path.empty() &&
      !gale::bench::WriteJson(options.json_path, result)) {
    return 1;
  }
  return 0;
}
