// Components of the out-of-tree plugin test, written only against the
// installed public headers. Loading libwordcase.so registers SpellNumberBolt
// and UpperCaseBolt.

#include <cctype>
#include <cstdint>
#include <string>

#include <gale/gale.h>

namespace wordcase {

// Spells the integer field `id` digit by digit and emits (id, word):
// 105 -> (105, "one-zero-five").
class SpellNumberBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config& config, const gale::TopologyContext& context,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
  }

  void Execute(const gale::Tuple& tuple) override {
    static constexpr const char* kDigits[] = {"zero", "one", "two",   "three", "four",
                                              "five", "six", "seven", "eight", "nine"};
    const std::int64_t id = tuple.GetInt("id");
    std::string word;
    for (char c : std::to_string(id)) {
      if (!word.empty()) word += '-';
      word += c == '-' ? "minus" : kDigits[c - '0'];
    }
    collector_->Emit(tuple, gale::Values{id, std::move(word)});
    collector_->Ack(tuple);
  }

  void DeclareOutputFields(gale::OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(gale::Fields{"id", "word"});
  }

 private:
  gale::OutputCollector* collector_ = nullptr;
};

// Uppercases the `word` field of (id, word) tuples.
class UpperCaseBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config& config, const gale::TopologyContext& context,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
  }

  void Execute(const gale::Tuple& tuple) override {
    std::string word = tuple.GetString("word");
    for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    collector_->Emit(tuple, gale::Values{tuple.GetInt("id"), std::move(word)});
    collector_->Ack(tuple);
  }

  void DeclareOutputFields(gale::OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(gale::Fields{"id", "word"});
  }

 private:
  gale::OutputCollector* collector_ = nullptr;
};

GALE_REGISTER_BOLT(SpellNumberBolt);
GALE_REGISTER_BOLT(UpperCaseBolt);

}  // namespace wordcase
