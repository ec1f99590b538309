#include "core/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace xpusim::core {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::size_t shared_prefix(std::string_view a, std::string_view b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() &&
         std::tolower(static_cast<unsigned char>(a[n])) == std::tolower(static_cast<unsigned char>(b[n])))
    ++n;
  return n;
}

}  // namespace

std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& candidates,
                                       std::size_t max_results, std::size_t max_distance) {
  struct Scored {
    std::size_t distance, prefix;
    const std::string* name;
  };
  std::vector<Scored> scored;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(name, c);
    // A candidate containing the typed text is a strong match ("h100" -> "h100-sxm5-80gb").
    if (!name.empty() && c.find(name) != std::string::npos) d = std::min<std::size_t>(d, 1);
    scored.push_back({d, shared_prefix(name, c), &c});
  }
  // Equal distances: the longer shared prefix first ("mi300" -> mi325x before b200), then catalog order.
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& x, const Scored& y) {
    return x.distance != y.distance ? x.distance < y.distance : x.prefix > y.prefix;
  });
  std::vector<std::string> out;
  if (scored.empty()) return out;
  // Far-off names are noise next to a close one: keep those within 2 edits of the best.
  std::size_t limit = std::min(std::max<std::size_t>(3, name.size() / 2 + 2), scored.front().distance + 2);
  if (max_distance > 0) limit = std::min(limit, max_distance);
  for (const auto& s : scored) {
    if (out.size() >= max_results) break;
    if (s.distance <= limit) out.push_back(*s.name);
  }
  return out;
}

std::string expected_one_of(const std::vector<std::string>& candidates) {
  std::string out = "one of: ";
  for (std::size_t i = 0; i < candidates.size(); ++i) out += (i ? ", " : "") + candidates[i];
  return out;
}

std::string expected_known_name(std::string_view what, std::string_view name,
                                const std::vector<std::string>& candidates) {
  std::string out = "a known " + std::string(what) + " name or a YAML file";
  const auto near = closest_names(name, candidates);
  if (!near.empty()) {
    out += " (did you mean: ";
    for (std::size_t i = 0; i < near.size(); ++i) out += (i ? ", " : "") + near[i];
    out += "?)";
  }
  return out;
}

}  // namespace xpusim::core
