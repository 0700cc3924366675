#include "producer_spouts.h"

#include <cstdio>

#include "web_log.h"

namespace gale::examples {
namespace {

const std::vector<std::string>& DefaultWords() {
  static const std::vector<std::string> kWords = {"storm", "heron", "kafka",    "stream", "tuple",
                                                  "spout", "bolt",  "topology", "acker",  "window"};
  return kWords;
}

const char* const kUrls[] = {"/",         "/index.html",    "/login",        "/cart",
                             "/checkout", "/search?q=gale", "/api/v1/items", "/logout"};
const int kStatuses[] = {200, 200, 200, 200, 301, 302, 404, 500};

}  // namespace

void RandomWordSpout::Configure(const Config& config) {
  if (!config.Has("words")) {
    words_ = DefaultWords();
    return;
  }
  for (const Value& v : config.GetList("words")) {
    const auto* word = std::get_if<std::string>(&v);
    if (word == nullptr || word->empty()) {
      throw ConfigError(config.owner() + ": property 'words' must list non-empty strings");
    }
    words_.push_back(*word);
  }
  if (words_.empty()) throw ConfigError(config.owner() + ": property 'words' is empty");
}

Values RandomWordSpout::Make(std::uint64_t sequence) {
  return Values{words_[random()() % words_.size()]};
}

void RandomWordSpout::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"word"});
}

Values WebLogSpout::Make(std::uint64_t sequence) {
  WebLogRecord r;
  for (std::size_t i = 0; i < 4; ++i) {
    r.octets[i] = static_cast<int>(random()() % (i == 0 ? 223 : 256)) + (i == 0 ? 1 : 0);
  }
  r.ip = std::to_string(r.octets[0]) + "." + std::to_string(r.octets[1]) + "." +
         std::to_string(r.octets[2]) + "." + std::to_string(r.octets[3]);
  std::uint64_t secs = sequence;
  char date[32];
  std::snprintf(date, sizeof date, "2024-05-%02d %02d:%02d:%02d",
                static_cast<int>(1 + (secs / 86400) % 28), static_cast<int>((secs / 3600) % 24),
                static_cast<int>((secs / 60) % 60), static_cast<int>(secs % 60));
  r.date = date;
  r.url = kUrls[random()() % std::size(kUrls)];
  r.protocol = "HTTP/1.1";
  r.status = kStatuses[random()() % std::size(kStatuses)];
  return Values{FormatWebLogLine(r)};
}

void WebLogSpout::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"line"});
}

GALE_REGISTER_SPOUT(RandomWordSpout);
GALE_REGISTER_SPOUT(WebLogSpout);

}  // namespace gale::examples
