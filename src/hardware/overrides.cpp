#include "hardware/overrides.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <fmt/format.h>

#include "core/suggest.hpp"
#include "core/units.hpp"

namespace xpusim::hardware {
namespace {

using core::Dimension;

// The overrides of one spec, by path, with the checks every value goes through.
class OverrideSet {
 public:
  explicit OverrideSet(const std::vector<Override>& list) {
    for (const auto& o : list) {
      if (!by_path_.emplace(o.path, o.value).second)
        throw core::Error::flag("--set " + o.path, o.value, "each field path set once (it is also set to \"" +
                                                                by_path_.at(o.path) + "\")");
    }
  }
  bool has(const std::string& path) const { return by_path_.count(path) > 0; }
  const std::map<std::string, std::string>& all() const { return by_path_; }

  double number(const std::string& path, Dimension d) const {
    const std::string& text = by_path_.at(path);
    double v = 0;
    if (!core::parse_quantity(text, d, &v) || !(v > 0) || !std::isfinite(v)) {
      const std::string example(core::dimension_example(d));  // "a size such as \"80 GiB\""
      throw core::Error::flag("--set " + path, text,
                              d == Dimension::kDimensionless ? "a positive number" : "a positive value: " + example);
    }
    return v;
  }
  double any_number(const std::string& path, Dimension d) const {  // calibration: zero allowed
    const std::string& text = by_path_.at(path);
    double v = 0;
    if (!core::parse_quantity(text, d, &v) || !std::isfinite(v))
      throw core::Error::flag("--set " + path, text,
                              d == Dimension::kDimensionless ? "a number" : std::string(core::dimension_example(d)));
    return v;
  }
  int count(const std::string& path) const {
    const std::string& text = by_path_.at(path);
    double v = 0;
    if (!core::parse_quantity(text, Dimension::kDimensionless, &v) || !(v >= 1) || v != std::floor(v) || v > 1e9)
      throw core::Error::flag("--set " + path, text, "a positive integer");
    return static_cast<int>(v);
  }
  bool boolean(const std::string& path) const {
    const std::string& text = by_path_.at(path);
    if (text == "true") return true;
    if (text == "false") return false;
    throw core::Error::flag("--set " + path, text, "true or false");
  }
  std::string word(const std::string& path) const {
    return core::lowercase(by_path_.at(path));
  }

 private:
  std::map<std::string, std::string> by_path_;
};

// Notes what was re-derived and where each changed number now comes from.
struct Provenance {
  SourceMap sources;
  std::vector<std::string> derived;
  void set(const std::string& path, const std::string& value) { sources[path] = "--set " + path + "=" + value; }
  void derive(const std::string& path, std::string how) {
    sources[path] = "derived: " + how;
    derived.push_back(path + ": " + std::move(how));
  }
};

std::string q(double v, Dimension d) { return core::format_quantity(v, d); }

// One field of a chip spec a path can set; `apply` reads the value from the set and re-derives
// what follows from it.
struct ChipField {
  std::string path;
  std::function<void(ChipSpec&, const OverrideSet&, Provenance&)> apply;
};

void scale_peaks(ChipSpec& c, double factor, const std::string& why, const OverrideSet& set, Provenance& p) {
  for (auto d : core::kAllDtypes) {
    const std::string path = "peak_flops_per_s." + std::string(core::dtype_name(d));
    auto& peak = c.peak_flops_per_s[static_cast<std::size_t>(d)];
    if (peak <= 0 || set.has(path)) continue;
    peak *= factor;
    p.derive(path, fmt::format("{} ({})", q(peak, Dimension::kFlopsPerSecond), why));
  }
}

std::vector<ChipField> chip_fields(const CalibrationSchema& schema) {
  std::vector<ChipField> f;
  // Memory first, in the order the derivations flow: generation and stacks fix the interface width,
  // the width and pin rate fix the bandwidth.
  f.push_back({"memory.generation", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    const std::string g = s.word("memory.generation");
    const auto& known = MemorySystem::known_generations();
    if (std::find(known.begin(), known.end(), g) == known.end())
      throw core::Error::flag("--set memory.generation", s.all().at("memory.generation"),
                              "a memory generation, " + core::expected_one_of(known));
    const int old_w = MemorySystem::stack_width_bits(c.memory.generation), new_w = MemorySystem::stack_width_bits(g);
    const bool switched = g != c.memory.generation;
    c.memory.generation = g;
    p.set("memory.generation", g);
    // A new generation brings its own pin rate (and through it the HBM timing set the cost layer
    // picks); the base's rate belongs to the base's parts. Stack capacity stays the base's: it is
    // set by the stack height, which the generation does not fix (vary memory.capacity for it).
    if (switched && !s.has("memory.pin_rate") && !s.has("memory.bandwidth"))
      if (const auto rate = MemorySystem::default_pin_rate(g)) {
        c.memory.pin_rate_bits_per_s = rate->bits_per_s;
        p.derive("memory.pin_rate", fmt::format("{} (default of {}: {})", q(rate->bits_per_s, Dimension::kBitsPerSecond),
                                                g, rate->source));
      }
    if (!s.has("memory.bus_width_bits") && c.memory.bus_width_bits && old_w > 0 && new_w > 0 && old_w != new_w) {
      c.memory.bus_width_bits = *c.memory.bus_width_bits / old_w * new_w;
      p.derive("memory.bus_width_bits", fmt::format("{} bits ({} bits per {} stack)", *c.memory.bus_width_bits, new_w, g));
    }
  }});
  f.push_back({"memory.stacks", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    const int n = s.count("memory.stacks");
    const double ratio = static_cast<double>(n) / c.memory.stacks;
    p.set("memory.stacks", std::to_string(n));
    if (!s.has("memory.bus_width_bits") && c.memory.bus_width_bits) {
      // Keeps the fraction of the interface enabled (B200 exposes 7680 of 8 x 1024 bits).
      c.memory.bus_width_bits = static_cast<int>(std::lround(*c.memory.bus_width_bits * ratio));
      p.derive("memory.bus_width_bits", fmt::format("{} bits (scaled with memory.stacks {} -> {})",
                                                    *c.memory.bus_width_bits, c.memory.stacks, n));
    }
    if (!s.has("memory.capacity")) {
      const double per_stack = c.memory.capacity_bytes / c.memory.stacks;
      c.memory.capacity_bytes = per_stack * n;
      p.derive("memory.capacity", fmt::format("{} ({} per stack x {})", q(c.memory.capacity_bytes, Dimension::kBytes),
                                              q(per_stack, Dimension::kBytes), n));
    }
    c.memory.stacks = n;
  }});
  f.push_back({"memory.bus_width_bits", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    c.memory.bus_width_bits = s.count("memory.bus_width_bits");
    p.set("memory.bus_width_bits", std::to_string(*c.memory.bus_width_bits));
  }});
  f.push_back({"memory.capacity", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    c.memory.capacity_bytes = s.number("memory.capacity", Dimension::kBytes);
    p.set("memory.capacity", s.all().at("memory.capacity"));
  }});
  f.push_back({"memory.pin_rate", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    c.memory.pin_rate_bits_per_s = s.number("memory.pin_rate", Dimension::kBitsPerSecond);
    p.set("memory.pin_rate", s.all().at("memory.pin_rate"));
  }});
  f.push_back({"memory.bandwidth", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    c.memory.bandwidth_bytes_per_s = s.number("memory.bandwidth", Dimension::kBytesPerSecond);
    p.set("memory.bandwidth", s.all().at("memory.bandwidth"));
  }});
  for (auto d : core::kAllDtypes) {
    const std::string path = "peak_flops_per_s." + std::string(core::dtype_name(d));
    f.push_back({path, [path, d](ChipSpec& c, const OverrideSet& s, Provenance& p) {
      c.peak_flops_per_s[static_cast<std::size_t>(d)] = s.number(path, Dimension::kFlopsPerSecond);
      p.set(path, s.all().at(path));
    }});
  }
  // Peak FLOP/s = units x clock x FLOP per unit per clock: a change of either scales every peak.
  f.push_back({"compute_units", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    const int n = s.count("compute_units");
    scale_peaks(c, static_cast<double>(n) / c.compute_units,
                fmt::format("scaled with compute_units {} -> {}", c.compute_units, n), s, p);
    c.compute_units = n;
    p.set("compute_units", std::to_string(n));
  }});
  f.push_back({"clock", [](ChipSpec& c, const OverrideSet& s, Provenance& p) {
    const double hz = s.number("clock", Dimension::kHertz);
    scale_peaks(c, hz / c.clock_hz,
                fmt::format("scaled with clock {} -> {}", q(c.clock_hz, Dimension::kHertz), q(hz, Dimension::kHertz)), s, p);
    c.clock_hz = hz;
    p.set("clock", s.all().at("clock"));
  }});
  const auto plain = [&f](const std::string& path, Dimension d, double ChipSpec::*member) {
    f.push_back({path, [path, d, member](ChipSpec& c, const OverrideSet& s, Provenance& p) {
      c.*member = s.number(path, d);
      p.set(path, s.all().at(path));
    }});
  };
  plain("l2_cache", Dimension::kBytes, &ChipSpec::l2_cache_bytes);
  plain("shared_memory_per_unit", Dimension::kBytes, &ChipSpec::shared_memory_per_unit_bytes);
  plain("tdp", Dimension::kWatts, &ChipSpec::tdp_w);
  plain("scale_up.bandwidth", Dimension::kBytesPerSecond, &ChipSpec::scale_up_bandwidth_bytes_per_s);
  for (const auto& decl : schema) {
    if (decl.scope != ParamDecl::Scope::kChip) continue;
    const std::string path = "calibration." + decl.name;
    f.push_back({path, [path, decl](ChipSpec& c, const OverrideSet& s, Provenance& p) {
      const double v = s.any_number(path, decl.dimension);
      if (!decl.in_range(v)) throw core::Error::flag("--set " + path, s.all().at(path), decl.range_text());
      c.calibration = c.calibration.with(decl.name, v);
      p.set(path, s.all().at(path));
    }});
  }
  return f;
}

struct SystemField {
  std::string path;
  std::function<void(SystemSpec&, const OverrideSet&, Provenance&)> apply;
};

std::vector<SystemField> system_fields(const CalibrationSchema& schema) {
  std::vector<SystemField> f;
  const auto count = [&f](const std::string& path, std::function<int&(SystemSpec&)> member) {
    f.push_back({path, [path, member](SystemSpec& s, const OverrideSet& o, Provenance& p) {
      member(s) = o.count(path);
      p.set(path, o.all().at(path));
    }});
  };
  const auto number = [&f](const std::string& path, Dimension d, double scale, std::function<double&(SystemSpec&)> member) {
    f.push_back({path, [path, d, scale, member](SystemSpec& s, const OverrideSet& o, Provenance& p) {
      member(s) = o.number(path, d) * scale;
      p.set(path, o.all().at(path));
    }});
  };
  const auto flag = [&f](const std::string& path, std::function<bool&(SystemSpec&)> member) {
    f.push_back({path, [path, member](SystemSpec& s, const OverrideSet& o, Provenance& p) {
      member(s) = o.boolean(path);
      p.set(path, o.all().at(path));
    }});
  };
  count("node.chips_per_node", [](SystemSpec& s) -> int& { return s.node.chips_per_node; });
  number("node.power", Dimension::kWatts, 1, [](SystemSpec& s) -> double& { return s.node.power_w; });
  number("node.price", Dimension::kUsd, 1, [](SystemSpec& s) -> double& { return s.node.price_usd; });
  number("node.scale_up.bandwidth_per_chip", Dimension::kBytesPerSecond, 1,
         [](SystemSpec& s) -> double& { return s.node.scale_up.bandwidth_per_chip; });
  count("node.scale_up.domain_size", [](SystemSpec& s) -> int& { return s.node.scale_up.domain_size; });
  number("node.scale_up.latency", Dimension::kSeconds, 1, [](SystemSpec& s) -> double& { return s.node.scale_up.latency_s; });
  flag("node.scale_up.nvls", [](SystemSpec& s) -> bool& { return s.node.scale_up.nvls; });
  count("network.nics_per_node", [](SystemSpec& s) -> int& { return s.network.nics_per_node; });
  // NICs are sold by line rate in bits per second; stored in bytes per second like every bandwidth.
  number("network.nic_bandwidth", Dimension::kBitsPerSecond, 1.0 / 8.0,
         [](SystemSpec& s) -> double& { return s.network.nic_bandwidth; });
  flag("network.rail_optimized", [](SystemSpec& s) -> bool& { return s.network.rail_optimized; });
  count("network.tiers", [](SystemSpec& s) -> int& { return s.network.tiers; });
  f.push_back({"network.oversubscription", [](SystemSpec& s, const OverrideSet& o, Provenance& p) {
    const double v = o.number("network.oversubscription", Dimension::kDimensionless);
    if (v < 1.0)
      throw core::Error::flag("--set network.oversubscription", o.all().at("network.oversubscription"),
                              "an oversubscription ratio >= 1 (1 = non-blocking)");
    s.network.oversubscription = v;
    p.set("network.oversubscription", o.all().at("network.oversubscription"));
  }});
  number("network.latency", Dimension::kSeconds, 1, [](SystemSpec& s) -> double& { return s.network.latency_s; });
  count("max_nodes", [](SystemSpec& s) -> int& { return s.max_nodes; });
  for (const auto& decl : schema) {
    if (decl.scope != ParamDecl::Scope::kSystem) continue;
    const std::string path = "calibration." + decl.name;
    f.push_back({path, [path, decl](SystemSpec& s, const OverrideSet& o, Provenance& p) {
      const double v = o.any_number(path, decl.dimension);
      if (!decl.in_range(v)) throw core::Error::flag("--set " + path, o.all().at(path), decl.range_text());
      s.calibration = s.calibration.with(decl.name, v);
      p.set(path, o.all().at(path));
    }});
  }
  return f;
}

template <class Fields>
std::vector<std::string> paths_of(const Fields& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.path);
  return out;
}

core::Error unknown_path(const Override& o, const std::vector<std::string>& known, const char* what) {
  const auto close = core::closest_names(o.path, known, 3, 4);
  std::string expected = std::string("a ") + what;
  if (!close.empty()) {
    expected += " (did you mean: ";
    for (std::size_t i = 0; i < close.size(); ++i) expected += (i ? ", " : "") + close[i];
    expected += "?)";
  } else {
    expected += " (`xpusim hw show NAME --format json` lists the fields)";
  }
  return core::Error::flag("--set", o.text(), expected);
}

// Applies `fields` in their own order (so derivations do not depend on the order given), then
// records provenance on the spec.
template <class Spec, class Fields>
void apply_fields(Spec& spec, const Fields& fields, const OverrideSet& set, const std::vector<Override>& list) {
  Provenance p;
  p.sources = *spec.sources;
  for (const auto& f : fields)
    if (set.has(f.path)) f.apply(spec, set, p);
  spec.sources = std::make_shared<const SourceMap>(std::move(p.sources));
  for (const auto& o : list) {
    spec.overrides.push_back(o.text());
    spec.origin.overridden[o.path] = o.value;
  }
  spec.derived.insert(spec.derived.end(), p.derived.begin(), p.derived.end());
}

void drop_rederived_memory(ChipSpec& c, const OverrideSet& set) {
  // A changed bandwidth re-derives the pin rate; a changed interface or pin rate re-derives the
  // bandwidth. When both are given they must agree (checked by from_spec).
  if (set.has("memory.bandwidth")) {
    if (!set.has("memory.pin_rate")) c.memory.pin_rate_bits_per_s.reset();
    return;
  }
  if (set.has("memory.stacks") || set.has("memory.generation") || set.has("memory.bus_width_bits") ||
      set.has("memory.pin_rate"))
    c.memory.bandwidth_bytes_per_s.reset();
}

void note_memory_derivations(ChipSpec& spec, const Chip& built, const OverrideSet& set) {
  const auto& m = built.memory();
  SourceMap sources = *spec.sources;
  const auto note = [&](const std::string& path, std::string how) {
    if (set.has(path)) return;
    sources[path] = "derived: " + how;
    spec.derived.push_back(path + ": " + how);
  };
  const auto& old = spec.memory;
  if (!old.bandwidth_bytes_per_s)
    note("memory.bandwidth", fmt::format("{} (pin_rate {} x {} bits / 8)", q(m.bandwidth_bytes_per_s(), Dimension::kBytesPerSecond),
                                         q(m.pin_rate_bits_per_s(), Dimension::kBitsPerSecond), m.bus_width_bits()));
  if (!old.pin_rate_bits_per_s)
    note("memory.pin_rate", fmt::format("{} (bandwidth {} x 8 / {} bits)", q(m.pin_rate_bits_per_s(), Dimension::kBitsPerSecond),
                                        q(m.bandwidth_bytes_per_s(), Dimension::kBytesPerSecond), m.bus_width_bits()));
  spec.sources = std::make_shared<const SourceMap>(std::move(sources));
}

ChipSpec derive_chip_spec(ChipSpec spec, const std::vector<Override>& list, const std::vector<ChipField>& fields) {
  const OverrideSet set(list);
  apply_fields(spec, fields, set, list);
  drop_rederived_memory(spec, set);
  return spec;
}

}  // namespace

Override parse_override(std::string_view text, std::string_view flag) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size())
    throw core::Error::flag(std::string(flag), std::string(text), "PATH=VALUE, e.g. memory.stacks=8");
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
  };
  return Override{trim(text.substr(0, eq)), trim(text.substr(eq + 1))};
}

std::vector<Override> parse_overrides(const std::vector<std::string>& texts, std::string_view flag) {
  std::vector<Override> out;
  for (const auto& t : texts) out.push_back(parse_override(t, flag));
  return out;
}

std::vector<std::string> chip_override_paths(const CalibrationSchema& schema) { return paths_of(chip_fields(schema)); }

std::vector<std::string> system_override_paths(const CalibrationSchema& schema) {
  auto out = paths_of(system_fields(schema));
  for (const auto& p : chip_override_paths(schema)) out.push_back(p);
  return out;
}

std::shared_ptr<const Chip> apply_overrides(const std::shared_ptr<const Chip>& base,
                                            const std::vector<Override>& overrides,
                                            const CalibrationSchema& schema) {
  if (overrides.empty()) return base;
  const auto fields = chip_fields(schema);
  const auto known = paths_of(fields);
  for (const auto& o : overrides)
    if (std::find(known.begin(), known.end(), o.path) == known.end()) throw unknown_path(o, known, "chip field path");
  ChipSpec spec = derive_chip_spec(base->spec(), overrides, fields);
  const Chip first = Chip::from_spec(spec);  // validates; fills what was left to derive
  note_memory_derivations(spec, first, OverrideSet(overrides));
  return std::make_shared<const Chip>(Chip::from_spec(std::move(spec)));
}

std::shared_ptr<const System> apply_overrides(const std::shared_ptr<const System>& base,
                                              const std::vector<Override>& overrides,
                                              const CalibrationSchema& schema) {
  if (overrides.empty()) return base;
  const auto fields = system_fields(schema);
  const auto system_paths = paths_of(fields);
  const auto chip_paths = chip_override_paths(schema);
  std::vector<Override> own, chip;
  for (auto o : overrides) {
    if (std::find(system_paths.begin(), system_paths.end(), o.path) != system_paths.end()) {
      own.push_back(std::move(o));
      continue;
    }
    if (o.path.rfind("chip.", 0) == 0) o.path = o.path.substr(5);
    if (std::find(chip_paths.begin(), chip_paths.end(), o.path) == chip_paths.end())
      throw unknown_path(o, system_override_paths(schema), "system or chip field path");
    chip.push_back(std::move(o));
  }
  SystemSpec spec = base->spec();
  spec.chip = apply_overrides(spec.chip, chip, schema);
  if (!own.empty()) apply_fields(spec, fields, OverrideSet(own), own);
  return std::make_shared<const System>(System::from_spec(std::move(spec)));
}

}  // namespace xpusim::hardware
