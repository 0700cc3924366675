#include "topology/suggest.h"

#include <algorithm>
#include <cctype>

namespace gale::topology {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Suggest(std::string_view word, const std::vector<std::string>& candidates,
                    std::size_t max_distance) {
  const std::string lower = Lower(word);
  for (const std::string& c : candidates) {
    if (Lower(c) == lower) return c;
  }
  if (word.size() <= 2) return "";
  std::string best;
  std::size_t best_distance = max_distance + 1;
  for (const std::string& c : candidates) {
    std::size_t d = EditDistance(lower, Lower(c));
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates,
                       std::size_t max_distance) {
  std::string guess = Suggest(word, candidates, max_distance);
  return guess.empty() ? "" : " (did you mean '" + guess + "'?)";
}

}  // namespace gale::topology
