#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "support/test_support.hpp"
#include "validation/kernel_fitter.hpp"
#include "validation/kernel_rows.hpp"
#include "validation/kernels_suite.hpp"

namespace xpusim::validation {
namespace {

using cost::CostParams;

const memory::TimingCatalog& timings() {
  static const auto t = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return t;
}

const core::ValidationSuite& suite() {
  static const auto s = kernels_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

TEST(KernelsSuite, PassesItsTolerance) {
  EXPECT_TRUE(suite().passed) << suite().failure;
  EXPECT_GT(suite().cases.size(), 150u);
}

TEST(KernelsSuite, GemmHeldOutRowsMeetTheIssueTargets) {
  std::vector<double> errors;
  for (const auto& c : suite().cases) {
    if (c.calibration || c.description.rfind("[gemm]", 0) != 0) continue;
    errors.push_back(std::fabs(c.signed_error()));
  }
  ASSERT_GE(errors.size(), 40u);
  EXPECT_LE(median(errors), 0.10);
  // Every held-out GEMM of at least 1 GFLOP within 20%: the suite names any row that is not.
  EXPECT_EQ(suite().failure.find("gemm_"), std::string::npos) << suite().failure;
}

TEST(KernelsSuite, AttentionHeldOutMedianWithinTenPercent) {
  std::vector<double> errors;
  for (const auto& c : suite().cases)
    if (!c.calibration && c.description.rfind("[attention]", 0) == 0) errors.push_back(std::fabs(c.signed_error()));
  ASSERT_GE(errors.size(), 30u);
  EXPECT_LE(median(errors), 0.10);
}

TEST(KernelsSuite, SaysWhichRowsAreHeldOutAndWhyRowsAreExcluded) {
  int fit = 0, held = 0;
  for (const auto& c : suite().cases) (c.calibration ? fit : held) += 1;
  EXPECT_GT(fit, 50);
  EXPECT_GT(held, 50);
  EXPECT_NE(suite().description.find("Excluded rows, by reason"), std::string::npos);
  // The CUDA 12.4 reproduction (cuBLAS at 518.6 TFLOP/s) is excluded: checked on the rows and the
  // cases themselves, not as a number inside the description's prose.
  const auto rows = load_kernel_rows(std::filesystem::path(XPUSIM_SOURCE_DATA_DIR) / "calibration" / "gpu_kernels.csv");
  const auto row = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.id == "gemm_fastcu_issue13_h100_k0_8192"; });
  ASSERT_NE(row, rows.end());
  EXPECT_TRUE(row->excluded());
  EXPECT_NE(row->note.find("CUDA 12.4"), std::string::npos) << row->note;
  for (const auto& c : suite().cases) EXPECT_NE(c.id.rfind("gemm_fastcu_issue13_", 0), 0u) << c.id;
}

TEST(KernelRows, EveryRowHasAKnownUseAndExcludedRowsAReason) {
  const auto rows = load_kernel_rows(std::filesystem::path(XPUSIM_SOURCE_DATA_DIR) / "calibration" / "gpu_kernels.csv");
  ASSERT_GT(rows.size(), 500u);
  for (const auto& r : rows) {
    if (r.excluded()) {
      EXPECT_FALSE(r.note.empty()) << r.id;
    } else {
      EXPECT_FALSE(r.chip.empty()) << r.id;
    }
  }
}

TEST(KernelRows, UnknownUseIsAnErrorNamingFileAndLine) {
  const auto path = test::write_temp_file(
      "bad_use.csv",
      "case_id,kernel_family,library,metric,value,chip,model_dtype,timing,use,note,m,n,k,batch,heads,kv_heads,"
      "head_dim,seq_len,causal,direction,message_bytes\n"
      "x,gemm,cuBLAS,achieved_tflops,1,h100-sxm5-80gb,bf16,call,maybe,,1,1,1,1,,,,,,,\n");
  try {
    (void)load_kernel_rows(path);
    FAIL();
  } catch (const core::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bad_use.csv:2"), std::string::npos) << m;
    EXPECT_NE(m.find("fit, hold, exclude"), std::string::npos) << m;
  }
}

TEST(KernelRows, MalformedNumberAndMissingColumnAreErrors) {
  const std::string header =
      "case_id,kernel_family,library,metric,value,chip,model_dtype,timing,use,note,m,n,k,batch,heads,kv_heads,"
      "head_dim,seq_len,causal,direction,message_bytes\n";
  const auto bad_num =
      test::write_temp_file("bad_num.csv", header + "x,gemm,cuBLAS,achieved_tflops,fast,h100-sxm5-80gb,bf16,call,fit,,1,1,1,1,,,,,,,\n");
  EXPECT_THROW((void)load_kernel_rows(bad_num), core::Error);
  const auto no_col = test::write_temp_file("no_col.csv", "case_id,value\nx,1\n");
  try {
    (void)load_kernel_rows(no_col);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("kernel_family"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)load_kernel_rows("/no/such/file.csv"), core::Error);
}

TEST(KernelFit, RecoversTheCatalogValuesFromTheirOwnRows) {
  // Fitting from a perturbed start lands near the shipped calibration (the catalog is a fixed
  // point of `xpusim op calibrate`).
  const auto rows = load_kernel_rows(std::filesystem::path(XPUSIM_SOURCE_DATA_DIR) / "calibration" / "gpu_kernels.csv");
  const auto& chip = *test::catalog().find_chip("h800-sxm5-80gb");
  const auto shipped = CostParams::from_chip(chip);
  auto start = shipped;
  start.gemm_mainloop_efficiency_fp8 *= 0.8;
  const auto fitted = fit_cost_params(rows, chip, start, {"gemm_mainloop_efficiency_fp8"}, nullptr);
  // Recovers the value, not merely moves towards it: within 1% of the shipped calibration from a
  // start 20% off (the fit's step halves to below 1e-3 relative before it stops).
  EXPECT_NEAR(fitted.gemm_mainloop_efficiency_fp8 / shipped.gemm_mainloop_efficiency_fp8, 1.0, 0.01)
      << "fitted " << fitted.gemm_mainloop_efficiency_fp8 << ", shipped " << shipped.gemm_mainloop_efficiency_fp8;
  const auto names = identifiable_params(rows, "h800-sxm5-80gb");
  EXPECT_NE(std::find(names.begin(), names.end(), "gemm_mainloop_efficiency_fp8"), names.end());
  EXPECT_TRUE(identifiable_params(rows, "v100-sxm2-32gb").empty());
}

}  // namespace
}  // namespace xpusim::validation
