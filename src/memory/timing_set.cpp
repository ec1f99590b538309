#include "memory/timing_set.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/suggest.hpp"
#include "hardware/memory_system.hpp"

namespace xpusim::memory {
namespace {

// The node holding the number itself (`{value: 20, source: ...}` or a bare 20), for error messages.
core::ConfigNode value_node(const core::ConfigNode& n) { return n.is_map() ? n.at("value") : n; }

int read_int(const core::ConfigNode& parent, std::string_view key, hardware::SourceMap& sources) {
  return hardware::read_count(parent.at(key), sources);
}

}  // namespace

TimingSet TimingSet::parse(const core::ConfigNode& root) {
  root.expect_keys({"name", "generation", "estimate", "pin_rate", "clock_period", "organisation", "timings", "command_bus"});
  TimingSet s;
  s.file = root.file();
  s.name = root.at("name").as_string();
  s.generation = root.at("generation").as_string();
  s.estimate = root.has("estimate") && root.at("estimate").as_bool();
  const auto& known = hardware::MemorySystem::known_generations();
  if (std::find(known.begin(), known.end(), s.generation) == known.end())
    throw root.at("generation").error("a memory generation, " + core::expected_one_of(known));
  s.pin_rate_bits_per_s =
      hardware::read_sourced_positive(root.at("pin_rate"), core::Dimension::kBitsPerSecond, s.sources);
  s.clock_period_s = hardware::read_sourced_positive(root.at("clock_period"), core::Dimension::kSeconds, s.sources);

  const auto org = root.at("organisation");
  org.expect_keys({"channels_per_stack", "pseudo_channels_per_channel", "pseudo_channel_width_bits", "stack_ids",
                   "bank_groups_per_sid", "banks_per_group", "rows", "columns", "burst_length"});
  auto& o = s.org;
  o.channels_per_stack = read_int(org, "channels_per_stack", s.sources);
  o.pseudo_channels_per_channel = read_int(org, "pseudo_channels_per_channel", s.sources);
  o.pseudo_channel_width_bits = read_int(org, "pseudo_channel_width_bits", s.sources);
  o.stack_ids = read_int(org, "stack_ids", s.sources);
  o.bank_groups_per_sid = read_int(org, "bank_groups_per_sid", s.sources);
  o.banks_per_group = read_int(org, "banks_per_group", s.sources);
  o.rows = read_int(org, "rows", s.sources);
  o.columns = read_int(org, "columns", s.sources);
  o.burst_length = read_int(org, "burst_length", s.sources);
  if (o.banks_per_pc() > 64) throw org.error("at most 64 banks per pseudo-channel");
  if (o.stack_ids > 8) throw org.at("stack_ids").error("at most 8 stack IDs");

  const auto tn = root.at("timings");
  struct Entry {
    const char* key;
    int Timings::*field;
  };
  static constexpr Entry kEntries[] = {
      {"nBL", &Timings::nBL},         {"nCL", &Timings::nCL},       {"nCWL", &Timings::nCWL},
      {"nRCDRD", &Timings::nRCDRD},   {"nRCDWR", &Timings::nRCDWR}, {"nRP", &Timings::nRP},
      {"nRAS", &Timings::nRAS},       {"nRC", &Timings::nRC},       {"nRRDS", &Timings::nRRDS},
      {"nRRDL", &Timings::nRRDL},     {"nFAW", &Timings::nFAW},     {"nCCDS", &Timings::nCCDS},
      {"nCCDL", &Timings::nCCDL},     {"nCCDR", &Timings::nCCDR},   {"nWR", &Timings::nWR},
      {"nWTRS", &Timings::nWTRS},     {"nWTRL", &Timings::nWTRL},   {"nRTP", &Timings::nRTP},
      {"nRTW", &Timings::nRTW},       {"nRFC", &Timings::nRFC},     {"nREFI", &Timings::nREFI},
      {"nRFCpb", &Timings::nRFCpb},   {"nREFIpb", &Timings::nREFIpb}, {"nRREFD", &Timings::nRREFD},
  };
  std::vector<std::string_view> keys;
  for (const auto& e : kEntries) keys.push_back(e.key);
  tn.expect_keys(keys);
  for (const auto& e : kEntries) s.t.*e.field = read_int(tn, e.key, s.sources);

  // Transfers per clock follow from pin rate and clock; the burst must take nBL clocks.
  const double transfers_per_clock = s.pin_rate_bits_per_s * s.clock_period_s;
  const double burst_clocks = o.burst_length / transfers_per_clock;
  if (std::fabs(burst_clocks - s.t.nBL) > 0.02 * s.t.nBL)
    throw value_node(tn.at("nBL")).error(fmt::format("burst_length / (pin_rate x clock_period) = {:.3g} clocks", burst_clocks));
  if (s.t.nRC < s.t.nRAS + s.t.nRP)
    throw value_node(tn.at("nRC")).error(fmt::format("at least nRAS + nRP = {}", s.t.nRAS + s.t.nRP));
  if (s.t.nCCDS < s.t.nBL) throw value_node(tn.at("nCCDS")).error(fmt::format("at least nBL = {}", s.t.nBL));
  if (s.t.nCCDL < s.t.nCCDS) throw value_node(tn.at("nCCDL")).error(fmt::format("at least nCCDS = {}", s.t.nCCDS));
  if (s.t.nRFC >= s.t.nREFI) throw value_node(tn.at("nRFC")).error(fmt::format("less than nREFI = {}", s.t.nREFI));
  if (o.pseudo_channels_per_channel > 2)
    throw org.at("pseudo_channels_per_channel").error("1 or 2 pseudo-channels per channel");

  // Command-bus occupancy in clocks, whole or half (HBM3 row commands use both clock edges).
  const auto bus = root.at("command_bus");
  bus.expect_keys({"act", "row", "column"});
  const auto half_clocks = [&](std::string_view key) {
    const double clocks = hardware::read_sourced_positive(bus.at(key), core::Dimension::kDimensionless, s.sources);
    const double half = clocks * 2.0;
    if (std::fabs(half - std::round(half)) > 1e-9 || half > 16)
      throw value_node(bus.at(key)).error("a whole or half number of clocks, at most 8");
    return static_cast<int>(std::lround(half));
  };
  s.bus.act_half_clocks = half_clocks("act");
  s.bus.row_half_clocks = half_clocks("row");
  s.bus.column_half_clocks = half_clocks("column");
  return s;
}

TimingCatalog TimingCatalog::load(const std::filesystem::path& data_dir) {
  TimingCatalog c;
  const auto dir = data_dir / "memory";
  if (!std::filesystem::is_directory(dir))
    throw core::Error(fmt::format("{}: expected a directory of HBM timing sets (*.yaml)", dir.string()));
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) c.sets_.push_back(TimingSet::parse(core::ConfigNode::load_file(f)));
  if (c.sets_.empty()) throw core::Error(fmt::format("{}: expected at least one HBM timing set", dir.string()));
  return c;
}

std::vector<std::string> TimingCatalog::generations() const {
  std::vector<std::string> out;
  for (const auto& s : sets_)
    if (std::find(out.begin(), out.end(), s.generation) == out.end()) out.push_back(s.generation);
  return out;
}

const TimingSet* TimingCatalog::find(std::string_view name) const {
  for (const auto& s : sets_)
    if (s.name == name) return &s;
  return nullptr;
}

const TimingSet& TimingCatalog::closest(const std::string& generation, double pin_rate_bits_per_s) const {
  const TimingSet* best = nullptr;
  for (const auto& s : sets_) {
    if (s.generation != generation) continue;
    if (best == nullptr) {
      best = &s;
      continue;
    }
    const double d = std::fabs(s.pin_rate_bits_per_s - pin_rate_bits_per_s);
    const double db = std::fabs(best->pin_rate_bits_per_s - pin_rate_bits_per_s);
    if (d < db - 1.0 || (std::fabs(d - db) <= 1.0 && s.pin_rate_bits_per_s > best->pin_rate_bits_per_s)) best = &s;
  }
  if (best == nullptr) {
    const auto known = generations();
    std::string expected = "an HBM generation with a timing set, " + core::expected_one_of(known);
    const auto near = core::closest_names(generation, known, 1);
    if (!near.empty()) expected += " (did you mean: " + near.front() + "?)";
    throw core::Error::flag("--generation", generation, expected);
  }
  return *best;
}

}  // namespace xpusim::memory
