#include "fleet/workloads.hpp"

#include "core/config.hpp"
#include "core/error.hpp"

namespace xpusim::fleet {

namespace {

double positive(const core::ConfigNode& n) {
  const double v = n.as_double();
  if (!(v > 0)) throw n.error("a positive number");
  return v;
}

}  // namespace

ReferenceWorkloads load_reference_workloads(const std::filesystem::path& file) {
  const auto root = core::ConfigNode::load_file(file);
  if (auto kind = root.find("kind"); kind && kind->as_string() != "reference_workloads")
    throw kind->error("\"reference_workloads\"");
  root.expect_keys({"kind", "training", "serving"});
  ReferenceWorkloads w;
  for (const auto& t : root.at("training").items()) {
    t.expect_keys({"name", "model", "gpus", "seq_len", "global_batch", "tokens", "weight"});
    TrainingWorkload x;
    x.name = t.at("name").as_string();
    x.model = t.at("model").as_string();
    x.gpus = t.at("gpus").as_positive_int();
    x.seq_len = t.at("seq_len").as_positive_int();
    x.global_batch = t.at("global_batch").as_positive_int();
    x.tokens = positive(t.at("tokens"));
    if (auto wt = t.find("weight")) x.weight = positive(*wt);
    w.training.push_back(std::move(x));
  }
  if (w.training.empty()) throw root.at("training").error("at least one training workload");
  if (auto s = root.find("serving")) {
    for (const auto& t : s->items()) {
      t.expect_keys({"name", "model", "input_tokens", "output_tokens", "ttft_slo_s", "tpot_slo_s"});
      ServingWorkload x;
      x.name = t.at("name").as_string();
      x.model = t.at("model").as_string();
      x.input_tokens = t.at("input_tokens").as_positive_int();
      x.output_tokens = t.at("output_tokens").as_positive_int();
      x.ttft_slo_s = positive(t.at("ttft_slo_s"));
      x.tpot_slo_s = positive(t.at("tpot_slo_s"));
      w.serving.push_back(std::move(x));
    }
  }
  return w;
}

ReferenceWorkloads with_models(ReferenceWorkloads w, const std::vector<std::string>& models) {
  if (models.empty()) return w;
  const TrainingWorkload shape = w.training.front();
  w.training.clear();
  for (const auto& m : models) {
    TrainingWorkload x = shape;
    x.model = m;
    x.name = m;
    x.weight = 1;
    w.training.push_back(x);
  }
  return w;
}

}  // namespace xpusim::fleet
