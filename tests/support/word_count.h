#pragma once

// The bounded word count the cluster tests run: random lines read by
// FileSpout, split, counted, and the counts written by FileSinkBolt; and
// what the sinks wrote, read back.

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "support/run_command.h"

namespace gale::testing {

struct WordCountInput {
  std::string text;                               // lines of words
  std::map<std::string, std::int64_t> reference;  // word -> times in `text`
};

// `lines` lines of 1..max_words words, each `prefix` and a number below
// `vocabulary`, from a generator seeded with `seed`.
inline WordCountInput RandomLines(unsigned seed, int lines, int max_words,
                                  const std::string& prefix, int vocabulary) {
  WordCountInput in;
  std::mt19937 rng(seed);
  for (int line = 0; line < lines; ++line) {
    int words = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_words));
    for (int w = 0; w < words; ++w) {
      std::string word = prefix + std::to_string(rng() % static_cast<unsigned>(vocabulary));
      in.text += (w ? " " : "") + word;
      ++in.reference[word];
    }
    in.text += "\n";
  }
  return in;
}

// Two workers; two spouts reading `input`, two split, `count_tasks` count
// and two sink tasks writing to `sink` (a path with `{task}`).
inline std::string FileWordCountYaml(const std::string& name, const std::string& input,
                                     const std::string& sink, int count_tasks) {
  return "name: " + name + R"(
config:
  topology.workers: 2
spouts:
  - id: lines
    className: FileSpout
    parallelism: 2
    properties: [{name: path, value: ")" + input + R"("}]
bolts:
  - {id: split, className: SplitSentenceBolt, parallelism: 2}
  - {id: count, className: WordCountBolt, parallelism: )" + std::to_string(count_tasks) + R"(}
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties: [{name: path, value: ")" + sink + R"("}]
streams:
  - {from: lines, to: split, grouping: {type: SHUFFLE}}
  - {from: split, to: count, grouping: {type: FIELDS, args: [word]}}
  - {from: count, to: sink, grouping: {type: FIELDS, args: [word]}}
)";
}

// word -> the highest count the sinks wrote for it, from the files in
// `dir` whose names start with `prefix`; lines without a tab are skipped.
inline std::map<std::string, std::int64_t> SinkCounts(const ScratchDir& dir,
                                                      const std::string& prefix) {
  std::map<std::string, std::int64_t> counts;
  for (const std::string& line : ReadLines(dir, prefix)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string word = line.substr(0, tab);
    counts[word] = std::max<std::int64_t>(counts[word], std::stoll(line.substr(tab + 1)));
  }
  return counts;
}

}  // namespace gale::testing
