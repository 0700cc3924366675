#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gale/gale.h"

namespace gale::builtin {

// Keeps a running count per word and emits (`word`, `count`) anchored to
// each input, then acks it. The word is the input's field `word` when it has
// one, else its first field. Tick tuples are acked and ignored. Counts live
// in memory for the life of the task.
class WordCountBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;

  // The count of `word` so far (0 when unseen).
  std::int64_t CountOf(std::string_view word) const;
  std::size_t distinct_words() const { return counts_.size(); }

 private:
  // Lets find() take a string_view without building a std::string.
  struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  OutputCollector* collector_ = nullptr;
  std::unordered_map<std::string, std::int64_t, TransparentHash, std::equal_to<>> counts_;
  const Fields* word_fields_ = nullptr;  // the input stream's fields last seen
  std::size_t word_index_ = 0;
  Values out_{std::string(), std::int64_t{0}};  // reused for every emit
};

}  // namespace gale::builtin
