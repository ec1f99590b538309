#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xpusim::core {

// ASCII lower case: names, generations and yes/no words are matched without regard to case.
std::string lowercase(std::string s);

// Names from `candidates` closest to `name` (edit distance, then shared prefix), best first.
// `max_distance` > 0 caps the edit distance (field-name typos are small; catalog names get more room).
std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& candidates,
                                       std::size_t max_results = 3, std::size_t max_distance = 0);

// "one of: a, b, c" or "a known name (closest: x, y)" for error messages.
std::string expected_one_of(const std::vector<std::string>& candidates);
std::string expected_known_name(std::string_view what, std::string_view name,
                                const std::vector<std::string>& candidates);

}  // namespace xpusim::core
