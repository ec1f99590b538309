#include "serving/workload.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace xpusim::serving {

namespace {

double parse_num(const std::string& text, const std::string& flag, const std::string& whole) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v >= 0 && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw core::Error::flag(flag, whole, "a token count, uniform:MIN:MAX, lognormal:MEDIAN:SIGMA or a histogram file");
}

std::vector<std::string> split(const std::string& s, char c) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto p = s.find(c, start);
    out.push_back(s.substr(start, p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

LengthDistribution load_histogram(const std::filesystem::path& path) {
  const auto table = core::CsvTable::load(path);
  table.require_columns({"tokens", "weight"});
  LengthDistribution d;
  d.kind = LengthDistribution::Kind::kHistogram;
  double last = 0;
  for (const auto& row : table.rows()) {
    const double t = row.number("tokens"), w = row.number("weight");
    if (!(t > last)) throw core::Error(row.where(), "tokens", row.text("tokens"), "bin upper edges ascending and positive");
    if (!(w >= 0)) throw core::Error(row.where(), "weight", row.text("weight"), "a weight >= 0");
    d.bins.emplace_back(t, w);
    last = t;
    if (row.has("source") && d.source.empty()) d.source = row.text("source");
  }
  if (d.bins.empty()) throw core::Error(path.string() + ": expected at least one histogram bin");
  return d;
}

int sample(const LengthDistribution& d, std::mt19937_64& rng, double total_weight) {
  switch (d.kind) {
    case LengthDistribution::Kind::kFixed: return std::max(1, static_cast<int>(std::lround(d.a)));
    case LengthDistribution::Kind::kUniform: {
      std::uniform_real_distribution<double> u(d.a, d.b);
      return std::max(1, static_cast<int>(std::lround(u(rng))));
    }
    case LengthDistribution::Kind::kLogNormal: {
      std::lognormal_distribution<double> ln(std::log(std::max(1.0, d.a)), d.b);
      return std::max(1, static_cast<int>(std::lround(ln(rng))));
    }
    case LengthDistribution::Kind::kHistogram: {
      std::uniform_real_distribution<double> u(0.0, total_weight);
      double x = u(rng), lo = 0;
      for (const auto& [edge, w] : d.bins) {
        if (x < w) {
          std::uniform_real_distribution<double> in(lo, edge);
          return std::max(1, static_cast<int>(std::lround(in(rng))));
        }
        x -= w;
        lo = edge;
      }
      return std::max(1, static_cast<int>(d.bins.back().first));
    }
  }
  return 1;
}

}  // namespace

double LengthDistribution::mean() const {
  switch (kind) {
    case Kind::kFixed: return a;
    case Kind::kUniform: return 0.5 * (a + b);
    case Kind::kLogNormal: return a * std::exp(0.5 * b * b);
    case Kind::kHistogram: {
      double sw = 0, s = 0, lo = 0;
      for (const auto& [edge, w] : bins) {
        s += w * 0.5 * (lo + edge);
        sw += w;
        lo = edge;
      }
      return sw > 0 ? s / sw : 0;
    }
  }
  return a;
}

LengthDistribution parse_length(const std::string& text, const std::string& flag,
                                const std::filesystem::path& data_dir) {
  LengthDistribution d;
  const auto parts = split(text, ':');
  if (parts.size() == 3 && (parts[0] == "uniform" || parts[0] == "lognormal")) {
    d.kind = parts[0] == "uniform" ? LengthDistribution::Kind::kUniform : LengthDistribution::Kind::kLogNormal;
    d.a = parse_num(parts[1], flag, text);
    d.b = parse_num(parts[2], flag, text);
    if (d.kind == LengthDistribution::Kind::kUniform && !(d.b >= d.a && d.a >= 1))
      throw core::Error::flag(flag, text, "uniform:MIN:MAX with 1 <= MIN <= MAX");
    if (d.kind == LengthDistribution::Kind::kLogNormal && !(d.a >= 1 && d.b > 0))
      throw core::Error::flag(flag, text, "lognormal:MEDIAN:SIGMA with MEDIAN >= 1 and SIGMA > 0");
    return d;
  }
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) != 0)) {
    d.a = parse_num(text, flag, text);
    if (!(d.a >= 1) || d.a != std::floor(d.a)) throw core::Error::flag(flag, text, "a whole number of tokens >= 1");
    return d;
  }
  std::filesystem::path path = text;
  if (!std::filesystem::exists(path)) path = data_dir / "workloads" / (text + ".csv");
  if (!std::filesystem::exists(path))
    throw core::Error::flag(flag, text,
                            "a token count, uniform:MIN:MAX, lognormal:MEDIAN:SIGMA, a histogram CSV (tokens,weight) "
                            "or a shipped distribution such as azure-conv-2023-input");
  return load_histogram(path);
}

std::vector<Request> generate_workload(const WorkloadSpec& spec) {
  std::mt19937_64 rng(spec.seed * 0x9E3779B97F4A7C15ull + 12345);
  auto weight = [](const LengthDistribution& d) {
    double w = 0;
    for (const auto& b : d.bins) w += b.second;
    return w;
  };
  const double wi = weight(spec.input), wo = weight(spec.output);
  std::vector<Request> out(static_cast<std::size_t>(std::max<long long>(0, spec.num_requests)));
  double t = 0;
  std::exponential_distribution<double> expo(spec.rate_per_s > 0 ? spec.rate_per_s : 1.0);
  const double shape = spec.burstiness > 0 ? spec.burstiness : 1.0;
  std::gamma_distribution<double> gamma(shape, spec.rate_per_s > 0 ? 1.0 / (spec.rate_per_s * shape) : 1.0);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& r = out[i];
    if (spec.arrival == ArrivalKind::kPoisson) t += expo(rng);
    else if (spec.arrival == ArrivalKind::kGamma) t += gamma(rng);
    r.arrival_s = t;
    r.input_tokens = sample(spec.input, rng, wi);
    r.output_tokens = sample(spec.output, rng, wo);
    if (spec.shared_prefix_fraction > 0) {
      r.prefix_id = static_cast<long long>(i) % std::max<long long>(1, spec.prefix_groups);
      r.prefix_tokens = static_cast<int>(std::floor(spec.shared_prefix_fraction * r.input_tokens));
    }
  }
  return out;
}

namespace {

Request check(Request r, const std::string& where) {
  if (!(r.arrival_s >= 0) || !std::isfinite(r.arrival_s))
    throw core::Error(where + ": arrival_s: expected a time >= 0 in seconds");
  if (r.input_tokens < 1) throw core::Error(where + ": input_tokens: expected a whole number >= 1");
  if (r.output_tokens < 1) throw core::Error(where + ": output_tokens: expected a whole number >= 1");
  if (r.prefix_tokens < 0 || r.prefix_tokens > r.input_tokens)
    throw core::Error(where + ": prefix_tokens: expected 0 .. input_tokens");
  if (r.prefix_id >= 0 && r.prefix_tokens == 0) r.prefix_tokens = r.input_tokens;
  return r;
}

}  // namespace

std::vector<Request> load_trace(const std::filesystem::path& path) {
  std::vector<Request> out;
  const std::string file = path.string();
  if (path.extension() == ".jsonl" || path.extension() == ".json") {
    std::ifstream in(path);
    if (!in) throw core::Error::flag("--workload", file, "a readable JSONL or CSV trace file");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = file + ":" + std::to_string(n);
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const std::exception&) {
        throw core::Error(where + ": expected one JSON object per line, got \"" + line.substr(0, 60) + "\"");
      }
      auto num = [&](const char* key, bool required) -> double {
        if (!j.contains(key)) {
          if (required) throw core::Error(where + ": " + key + ": expected a number (field missing)");
          return -1;
        }
        if (!j[key].is_number()) throw core::Error(where + ": " + key + ": expected a number, got " + j[key].dump());
        return j[key].get<double>();
      };
      Request r;
      r.arrival_s = num("arrival_s", true);
      r.input_tokens = static_cast<int>(num("input_tokens", true));
      r.output_tokens = static_cast<int>(num("output_tokens", true));
      r.session_id = static_cast<long long>(num("session_id", false));
      r.prefix_id = static_cast<long long>(num("prefix_id", false));
      r.prefix_tokens = std::max(0, static_cast<int>(num("prefix_tokens", false)));
      out.push_back(check(r, where));
    }
  } else {
    if (!std::filesystem::exists(path)) throw core::Error::flag("--workload", file, "a readable JSONL or CSV trace file");
    const auto table = core::CsvTable::load(path);
    table.require_columns({"arrival_s", "input_tokens", "output_tokens"});
    for (const auto& row : table.rows()) {
      Request r;
      r.arrival_s = row.number("arrival_s");
      r.input_tokens = static_cast<int>(row.integer("input_tokens"));
      r.output_tokens = static_cast<int>(row.integer("output_tokens"));
      if (row.has("session_id")) r.session_id = row.integer_or("session_id", -1);
      if (row.has("prefix_id")) r.prefix_id = row.integer_or("prefix_id", -1);
      if (row.has("prefix_tokens")) r.prefix_tokens = static_cast<int>(row.integer_or("prefix_tokens", 0));
      out.push_back(check(r, row.where().to_string()));
    }
  }
  if (out.empty()) throw core::Error::flag("--workload", file, "a trace with at least one request");
  std::stable_sort(out.begin(), out.end(), [](const Request& a, const Request& b) { return a.arrival_s < b.arrival_s; });
  return out;
}

}  // namespace xpusim::serving
