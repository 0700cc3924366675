#pragma once

// "Did you mean" suggestions for misspelt names (keys, class names,
// component ids, config keys).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gale::topology {

// Levenshtein distance (insertions, deletions, substitutions).
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate `word` was most likely meant as: one equal ignoring case,
// else the closest within `max_distance` edits (words of 1-2 characters get
// no edit-distance suggestion). "" when none is close.
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates,
                    std::size_t max_distance = 2);

// " (did you mean 'X'?)" for Suggest's answer, or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates,
                       std::size_t max_distance = 2);

}  // namespace gale::topology
