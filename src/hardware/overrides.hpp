#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hardware/chip.hpp"
#include "hardware/system.hpp"

namespace xpusim::hardware {

// One field override by dotted path, as `--set memory.stacks=8` or a run file's `set:` gives it.
struct Override {
  std::string path;   // "memory.stacks", "peak_flops_per_s.bf16", "calibration.l2_bandwidth"
  std::string value;  // as written: "8", "4.8 TB/s", "hbm3e"
  std::string text() const { return path + "=" + value; }
};

// "memory.stacks=8" -> {path, value}; throws core::Error naming `flag` when there is no '='.
Override parse_override(std::string_view text, std::string_view flag = "--set");
// Each of a repeated flag's texts (`--set a=1 --set b=2`), in order.
std::vector<Override> parse_overrides(const std::vector<std::string>& texts, std::string_view flag = "--set");

// Every path a chip (or a system: its own fields, then its chip's with or without a "chip."
// prefix) accepts, for help and error messages.
std::vector<std::string> chip_override_paths(const CalibrationSchema& schema);
std::vector<std::string> system_override_paths(const CalibrationSchema& schema);

// A derived chip: the overrides applied to `base`'s spec, the quantities that follow from a
// changed field re-derived unless themselves overridden (stacks -> bus width, capacity and
// bandwidth; pin rate -> bandwidth; compute units or clock -> peak FLOP/s), then validated like a
// catalog entry. The result records the overrides and derivations, and its sources say where each
// changed number came from.
// Contract: throws core::Error naming "--set <path>", the value and what was expected for an
// unknown path (with the closest known ones), a path given twice, a value of the wrong unit or
// type, or a contradiction (e.g. a bandwidth that pin rate x width does not give). No overrides:
// returns `base` itself.
std::shared_ptr<const Chip> apply_overrides(const std::shared_ptr<const Chip>& base,
                                            const std::vector<Override>& overrides,
                                            const CalibrationSchema& schema);
// The same for a system: system paths (node.*, network.*, max_nodes, calibration.*) change the
// system; chip paths (bare or "chip."-prefixed) derive its chip.
std::shared_ptr<const System> apply_overrides(const std::shared_ptr<const System>& base,
                                              const std::vector<Override>& overrides,
                                              const CalibrationSchema& schema);

}  // namespace xpusim::hardware
