#pragma once

#include "design/cost_model.hpp"
#include "scenario/session.hpp"

namespace xpusim::design::test {

// One session and the shipped cost coefficients, loaded once for every design test.
inline const scenario::Session& session() {
  static const scenario::Session s;
  return s;
}

inline const CostCoefficients& coefficients() {
  static const CostCoefficients k = CostCoefficients::load(session().data_dir() / "design" / "cost_model.yaml");
  return k;
}

}  // namespace xpusim::design::test
