#include <gtest/gtest.h>

#include "fleet/reliability_data.hpp"
#include "fleet/valuation.hpp"
#include "fleet/workloads.hpp"
#include "support/test_support.hpp"

namespace xpusim::fleet {
namespace {

const std::string kData = XPUSIM_SOURCE_DATA_DIR;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e.what();
  }
  return "";
}

TEST(ReliabilityData, ShippedFileFitsLlama3Counts) {
  const auto d = load_reliability(kData + "/fleets/reliability.yaml");
  double sum = 0;
  for (double c : d.window.counts) sum += c;
  EXPECT_EQ(sum, 419);  // Table 5's unexpected interruptions
  EXPECT_EQ(d.window.planned, 47);
  EXPECT_NEAR(d.rates.total(16384) * 54 * 86400, 466, 1e-9);
  EXPECT_GT(d.restart_s, 0);
  EXPECT_EQ(d.bytes_per_parameter, 14);
  EXPECT_EQ(d.write_bytes_per_s, 2e12);
  EXPECT_FALSE(d.sources.at("recovery.restart").empty());
}

TEST(ReliabilityData, Errors) {
  const auto good = std::string(
      "kind: reliability\nname: x\nfit_window:\n  description: d\n  gpus: 100\n  days: 10\n  planned_interruptions: 1\n"
      "  hbm_stacks_per_gpu: 5\ncomponents: {gpu: 1, hbm: 1, host: 1, network: 1, software: 1}\n"
      "recovery: {restart: \"60 s\"}\ncheckpoint: {bytes_per_parameter: 14, storage_write_bandwidth: \"1 TB/s\", "
      "storage_read_bandwidth: \"1 TB/s\"}\n");
  const auto load = [](const std::string& text) {
    const auto p = test::write_temp_file("rel.yaml", text);
    return error_of([&] { load_reliability(p); });
  };
  EXPECT_EQ(load(good), "");
  const auto p = test::write_temp_file("rel.yaml", "");
  EXPECT_NE(load("kind: fleet\n").find("kind: expected \"reliability\""), std::string::npos);
  auto bad = good;
  bad.replace(bad.find("gpu: 1"), 6, "gpu: -1");
  EXPECT_NE(load(bad).find("components.gpu: expected a count >= 0"), std::string::npos) << load(bad);
  bad = good;
  bad.replace(bad.find("\"60 s\""), 6, "\"60 GB\"");
  EXPECT_NE(load(bad).find("recovery.restart"), std::string::npos) << load(bad);
  bad = good;
  bad.replace(bad.find("software: 1"), 11, "softwar: 1");
  EXPECT_NE(load(bad).find("softwar"), std::string::npos) << load(bad);
}

TEST(Workloads, ShippedAndReplacedByModel) {
  const auto w = load_reference_workloads(kData + "/fleets/reference_workloads.yaml");
  ASSERT_GE(w.training.size(), 2u);
  EXPECT_EQ(w.training[0].model, "llama3-70b");
  EXPECT_EQ(w.training[1].model, "mixtral-8x22b");  // dense and MoE
  EXPECT_EQ(w.training[0].tokens, 15e12);
  const auto r = with_models(w, {"llama3-8b", "mixtral-8x7b"});
  ASSERT_EQ(r.training.size(), 2u);
  EXPECT_EQ(r.training[1].model, "mixtral-8x7b");
  EXPECT_EQ(r.training[1].gpus, w.training[0].gpus);
  EXPECT_EQ(with_models(w, {}).training.size(), w.training.size());
  const auto p = test::write_temp_file("wl.yaml", "kind: reference_workloads\ntraining:\n  - {name: a, model: m, gpus: 0, seq_len: 1, global_batch: 1, tokens: 1}\n");
  EXPECT_NE(error_of([&] { load_reference_workloads(p); }).find("training[0].gpus: expected a positive integer"),
            std::string::npos);
  const auto q = test::write_temp_file("wl2.yaml", "kind: reference_workloads\ntraining: []\n");
  EXPECT_NE(error_of([&] { load_reference_workloads(q); }).find("at least one training workload"), std::string::npos);
}

TEST(LineCost, Arithmetic) {
  CostAssumptions a;
  a.pue = 1.5;
  a.usd_per_kwh = 0.10;
  a.depreciation_years = 5;
  const auto c = line_cost(1000, 30000, 1200, a, 2000);
  EXPECT_DOUBLE_EQ(c.it_power_w, 1.2e6);
  EXPECT_DOUBLE_EQ(c.facility_power_w, 1.8e6);
  EXPECT_DOUBLE_EQ(c.capex_usd, 3e7);
  EXPECT_DOUBLE_EQ(c.depreciation_usd_per_year, 6e6);
  EXPECT_DOUBLE_EQ(c.energy_kwh_per_year, 1800 * 8760.0);
  EXPECT_DOUBLE_EQ(c.opex_usd_per_year, 1800 * 8760.0 * 0.10);
  const double tokens_per_year = 1000 * 2000 * 8760.0 * 3600;
  ASSERT_TRUE(c.usd_per_million_training_tokens);
  EXPECT_NEAR(*c.usd_per_million_training_tokens, (6e6 + 1800 * 8760.0 * 0.10) / tokens_per_year * 1e6, 1e-12);
  EXPECT_FALSE(line_cost(1000, 0, 1200, a, 2000).usd_per_million_training_tokens);  // unknown price
  EXPECT_FALSE(line_cost(1000, 30000, 1200, a, 0).usd_per_million_training_tokens);
  a.utilization = 0.5;
  EXPECT_DOUBLE_EQ(line_cost(1000, 30000, 1200, a, 2000).opex_usd_per_year, 1800 * 8760.0 * 0.10 * 0.5);
}

TEST(Valuation, PeakRatioAndHbmContent) {
  const auto& cat = test::catalog();
  const auto h100 = cat.system("dgx-h100", "t"), h200 = cat.system("hgx-h200", "t"), a100 = cat.system("dgx-a100", "t");
  EXPECT_DOUBLE_EQ(peak_bf16_ratio(*h100, *h100), 1.0);
  EXPECT_DOUBLE_EQ(peak_bf16_ratio(*h200, *h100), 1.0);  // same GH100 compute
  EXPECT_NEAR(peak_bf16_ratio(*a100, *h100), 312.0 / 989.4, 1e-3);
  const auto h = hbm_content(*h200, 10, "");
  EXPECT_EQ(h.generation, "hbm3e");
  EXPECT_EQ(h.stacks, 60);
  EXPECT_NEAR(h.bytes, 10 * 141e9, 1e9);
  EXPECT_NEAR(h.bandwidth_bytes_per_s, 10 * 4.8e12, 1e11);
}

}  // namespace
}  // namespace xpusim::fleet
