#pragma once

#include <string>
#include <vector>

namespace xpusim::core {

// One published number and the model's prediction of it.
struct ValidationCase {
  std::string id;           // the reference row's case_id
  std::string description;  // shape / configuration in words
  std::string unit;         // unit of published and predicted, e.g. "TFLOP/s"
  std::string stack;        // software stack the prediction assumed (training suites), else empty
  double published = 0;
  double predicted = 0;
  bool calibration = false;  // true when this row was used to fit a parameter
  double signed_error() const { return published != 0 ? (predicted - published) / published : 0.0; }
};

// A suite: its cases, the tolerance it is held to, and whether every held-out case meets it.
struct ValidationSuite {
  std::string name;
  std::string description;
  std::string tolerance;  // in words, e.g. "median |error| <= 10%, every case >= 1 GFLOP within 20%"
  std::vector<ValidationCase> cases;
  bool passed = false;
  std::string failure;  // why it failed, empty when passed
  // Optional summaries over subsets of the cases (e.g. per engine, per GPU), reported after the
  // suite's totals; indices into `cases`.
  struct Group {
    std::string name;
    std::vector<std::size_t> cases;
  };
  std::vector<Group> groups;

  // Statistics over held-out (non-calibration) cases, or all cases when none are held out.
  double median_abs_error() const;
  double mean_abs_error() const;
  double max_abs_error() const;
};

}  // namespace xpusim::core
