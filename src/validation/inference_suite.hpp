#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"
#include "serving/engine.hpp"

namespace xpusim::validation {

// One published serving measurement the suite can simulate (a row of
// data/validation/inference_calibration.csv, a copy of ../shared/refdata/).
struct InferenceRow {
  std::string id, source, engine, chip, system, model, metric, unit;
  int tp = 1, batch = 1, input = 0, output = 0, concurrency = 0;
  std::string weights = "bf16";
  double kv_bytes = 2;
  double published = 0;  // SI units (s, tokens/s, s per token)
  bool calibration = false;
};

// Rows the model covers, with the reason each other row is left out (unknown hardware or model,
// a dataset length distribution not shipped, an ambiguous metric). Alternate rows of each source
// (in file order) are calibration.
struct InferenceRows {
  std::vector<InferenceRow> rows;
  std::vector<std::pair<std::string, std::string>> excluded;  // case id + metric, reason
};
InferenceRows load_inference_rows(const std::filesystem::path& csv);

// Engine overheads (step, per sequence, per kernel in a graph), GEMM and attention efficiencies,
// weight unpacking rate and one-shot all-reduce latency, fitted on the calibration rows of each
// engine by coordinate descent on a robust (soft-L1) log error from the engine YAML values (each parameter
// only where the rows identify it). Behind `xpusim serve --calibrate`.
std::vector<serving::EngineProfile> fit_engine_overheads(const InferenceRows& rows, const hardware::Catalog& catalog,
                                                         const memory::TimingCatalog& timings,
                                                         const std::filesystem::path& data_dir);

// `xpusim validate --suite inference`: predicts every row with the shipped engine profiles (whose
// fitted values fit_engine_overheads() produced, via `xpusim serve --calibrate`; the suite fits
// nothing itself) and reports published vs predicted, signed error and role; cases are named
// "<engine>/<chip>/<case_id>:<metric>" so results group per engine and GPU.
// Contract: held-out median |error| <= 8% and none over 25%.
core::ValidationSuite inference_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                      const std::filesystem::path& data_dir);

}  // namespace xpusim::validation
