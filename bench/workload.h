#pragma once

// The word-count benchmark workload: a fixed vocabulary and a deterministic
// sentence generator. Every benchmark (the plain C++ baseline and the gale
// topologies) draws its input from here, so a given seed produces the same
// sentences on every platform and standard library.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace gale::bench {

inline constexpr std::size_t kVocabularySize = 1000;
inline constexpr std::size_t kWordsPerSentence = 10;
inline constexpr std::size_t kMinWordLength = 3;
inline constexpr std::size_t kMaxWordLength = 10;

// splitmix64: a small, fast generator whose output is fully specified, unlike
// the standard library distributions. Not thread-safe; one per thread.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // A value in [0, bound), bound < 2^32, by multiply-shift on the high 32
  // bits (no modulo; the bias is below 2^-22 for the bounds used here).
  uint64_t Below(uint64_t bound) { return ((Next() >> 32) * bound) >> 32; }

 private:
  uint64_t state_;
};

namespace internal {

// Builds the vocabulary from syllables (onset + vowel + optional coda), keeping
// the first kVocabularySize distinct words of kMinWordLength..kMaxWordLength
// characters. The fixed seed makes the list identical everywhere.
inline std::vector<std::string> BuildVocabulary() {
  static constexpr std::array<std::string_view, 36> kOnsets = {
      "b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",  "n",  "p",
      "r",  "s",  "t",  "v",  "w",  "z",  "br", "cr", "dr", "fr", "gr", "pr",
      "tr", "st", "sp", "ch", "sh", "th", "pl", "cl", "bl", "gl", "sl", "qu"};
  static constexpr std::array<std::string_view, 12> kVowels = {
      "a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "ee"};
  static constexpr std::array<std::string_view, 16> kCodas = {
      "",  "",  "",  "",  "",   "",   "n",  "r",
      "s", "t", "l", "m", "nd", "st", "ng", "ck"};

  SplitMix64 rng(0x676f6c6477617264ULL);
  std::vector<std::string> words;
  words.reserve(kVocabularySize);
  std::unordered_set<std::string> seen;
  seen.reserve(2 * kVocabularySize);
  std::string word;
  while (words.size() < kVocabularySize) {
    word.clear();
    const uint64_t syllables = 1 + rng.Below(3);
    for (uint64_t i = 0; i < syllables; ++i) {
      word += kOnsets[rng.Below(kOnsets.size())];
      word += kVowels[rng.Below(kVowels.size())];
      word += kCodas[rng.Below(kCodas.size())];
    }
    if (word.size() < kMinWordLength || word.size() > kMaxWordLength) {
      continue;
    }
    if (seen.insert(word).second) words.push_back(word);
  }
  return words;
}

}  // namespace internal

// The kVocabularySize distinct lowercase words, in a fixed order. Built on
// first use; safe to call from any thread.
inline const std::vector<std::string>& Vocabulary() {
  static const std::vector<std::string> vocabulary =
      internal::BuildVocabulary();
  return vocabulary;
}

// Produces sentences of kWordsPerSentence words drawn uniformly from
// Vocabulary(), separated by single spaces. The same seed yields the same
// sequence of sentences everywhere. Not thread-safe; one per thread.
class SentenceGenerator {
 public:
  explicit SentenceGenerator(uint64_t seed)
      : rng_(seed), vocabulary_(&Vocabulary()) {}

  // Replaces the contents of *out with the next sentence.
  void Next(std::string* out) {
    out->clear();
    for (std::size_t i = 0; i < kWordsPerSentence; ++i) {
      if (i != 0) out->push_back(' ');
      out->append((*vocabulary_)[rng_.Below(kVocabularySize)]);
    }
  }

 private:
  SplitMix64 rng_;
  const std::vector<std::string>* vocabulary_;  // Not owned; static lifetime.
};

}  // namespace gale::bench
