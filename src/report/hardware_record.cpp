#include "report/hardware_record.hpp"

namespace xpusim::report {
namespace {

Record sources_record(const hardware::SourceMap& sources) {
  Record r = Record::object();
  for (const auto& [k, v] : sources) r[k] = v;
  return r;
}

Record memory_record(const hardware::MemorySystem& m) {
  return Record{{"generation", m.generation()},
                {"stacks", m.stacks()},
                {"capacity_bytes", m.capacity_bytes()},
                {"bandwidth_bytes_per_s", m.bandwidth_bytes_per_s()},
                {"pin_rate_bits_per_s", m.pin_rate_bits_per_s()},
                {"bus_width_bits", m.bus_width_bits()}};
}

// A derived spec says what it was derived from, by which overrides, and what followed from them.
void add_derivation(Record& r, const std::string& label, const std::vector<std::string>& overrides,
                    const std::vector<std::string>& derived) {
  if (overrides.empty()) return;
  r["hardware"] = label;
  r["overrides"] = overrides;
  r["derived"] = derived;
}

}  // namespace

Record chip_record(const hardware::Chip& c, bool with_sources) {
  Record peaks = Record::object();
  for (auto d : core::kAllDtypes)
    if (c.supports(d)) peaks[std::string(core::dtype_name(d))] = c.peak_flops_per_s(d);
  Record r{{"name", c.name()},
           {"kind", "chip"},
           {"display_name", c.display_name()},
           {"vendor", c.vendor()},
           {"peak_flops_per_s", peaks},
           {"memory", memory_record(c.memory())},
           {"tdp_w", c.tdp_w()},
           {"compute_units", c.compute_units()},
           {"compute_unit_name", c.compute_unit_name()},
           {"clock_hz", c.clock_hz()},
           {"l2_cache_bytes", c.l2_cache_bytes()},
           {"shared_memory_per_unit_bytes", c.shared_memory_per_unit_bytes()}};
  if (!c.scale_up_link().empty()) {
    r["scale_up"] = Record{{"link", c.scale_up_link()},
                           {"bandwidth_bytes_per_s", c.scale_up_bandwidth_bytes_per_s()}};
  }
  Record cal = Record::object();
  for (const auto& [k, v] : c.calibration().values()) cal[k] = v;
  r["calibration"] = cal;
  add_derivation(r, c.label(), c.spec().overrides, c.spec().derived);
  if (with_sources) r["sources"] = sources_record(c.sources());
  return r;
}

Record system_record(const hardware::System& s, bool with_sources) {
  const auto& n = s.node();
  const auto& net = s.network();
  Record r{{"name", s.name()},
           {"kind", "system"},
           {"display_name", s.display_name()},
           {"vendor", s.vendor()},
           {"chip", s.chip().name()},
           {"peak_flops_per_s", chip_record(s.chip(), false)["peak_flops_per_s"]},
           {"memory", memory_record(s.chip().memory())},
           {"tdp_w", s.chip().tdp_w()},
           {"node",
            {{"chips_per_node", n.chips_per_node},
             {"power_w", n.power_w},
             {"price_usd", n.price_usd},
             {"scale_up",
              {{"fabric", n.scale_up.fabric},
               {"topology", n.scale_up.topology},
               {"bandwidth_per_chip_bytes_per_s", n.scale_up.bandwidth_per_chip},
               {"domain_size", n.scale_up.domain_size},
               {"latency_s", n.scale_up.latency_s},
               {"nvls", n.scale_up.nvls}}}}},
           {"network",
            {{"technology", net.technology},
             {"nics_per_node", net.nics_per_node},
             {"nic_bandwidth_bytes_per_s", net.nic_bandwidth},
             {"rail_optimized", net.rail_optimized},
             {"tiers", net.tiers},
             {"oversubscription", net.oversubscription},
             {"latency_s", net.latency_s}}},
           {"max_nodes", s.max_nodes()},
           {"max_chips", s.max_chips()}};
  Record cal = Record::object();
  for (const auto& [k, v] : s.calibration().values()) cal[k] = v;
  r["calibration"] = cal;
  {
    std::vector<std::string> overrides = s.chip().spec().overrides, derived = s.chip().spec().derived;
    overrides.insert(overrides.end(), s.spec().overrides.begin(), s.spec().overrides.end());
    derived.insert(derived.end(), s.spec().derived.begin(), s.spec().derived.end());
    add_derivation(r, s.label(), overrides, derived);
  }
  if (with_sources) r["sources"] = sources_record(s.sources());
  return r;
}

Record chip_summary(const hardware::Chip& c) {
  // A dtype the chip lacks is null (shown "-"), not a peak of 0 FLOP/s.
  auto peak = [&c](core::Dtype d) { return c.supports(d) ? Record(c.peak_flops_per_s(d)) : Record(); };
  return Record{{"name", c.name()},
                {"vendor", c.vendor()},
                {"bf16_flops_per_s", peak(core::Dtype::kBf16)},
                {"fp8_flops_per_s", peak(core::Dtype::kFp8)},
                {"memory", c.memory().generation()},
                {"capacity_bytes", c.memory().capacity_bytes()},
                {"bandwidth_bytes_per_s", c.memory().bandwidth_bytes_per_s()},
                {"tdp_w", c.tdp_w()}};
}

Record system_summary(const hardware::System& s) {
  return Record{{"name", s.name()},
                {"vendor", s.vendor()},
                {"chip", s.chip().name()},
                {"chips_per_node", s.node().chips_per_node},
                {"scale_up_domain", s.node().scale_up.domain_size},
                {"scale_up_per_chip_bytes_per_s", s.node().scale_up.bandwidth_per_chip},
                {"nic_bandwidth_per_node_bytes_per_s", s.network().nic_bandwidth * s.network().nics_per_node},
                {"max_chips", s.max_chips()}};
}

}  // namespace xpusim::report
