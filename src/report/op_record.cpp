#include "report/op_record.hpp"

#include <sstream>

namespace xpusim::report {
namespace {

std::string shape_text(const model::Op& op) {
  std::ostringstream s;
  if (op.kind == model::OpKind::kGemm || op.kind == model::OpKind::kGroupedGemm) {
    s << op.gemm.m << "x" << op.gemm.n << "x" << op.gemm.k;
    if (op.gemm.batch > 1) s << " x" << op.gemm.batch;
  } else if (op.kind == model::OpKind::kAttention) {
    const auto& a = op.attention;
    s << "b" << a.batch << " h" << a.heads << "/" << a.kv_heads << " d" << a.head_dim << " q" << a.q_len << " kv"
      << a.kv_len << (a.causal ? " causal" : "");
  }
  return s.str();
}

}  // namespace

Record op_cost_record(const cost::OpCost& c) {
  Record r{{"time_s", c.time_s},
           {"flops", c.flops},
           {"bytes", c.bytes},
           {"achieved_tflops", c.achieved_flops_per_s() / 1e12},
           {"bound", cost::bound_name(c.bound)},
           {"efficiency", c.efficiency}};
  if (c.tile_m > 0) {
    r["tile_m"] = c.tile_m;
    r["tile_n"] = c.tile_n;
    if (c.split_k > 0) r["split_k"] = c.split_k;
    r["tiles"] = c.tiles;
    r["waves"] = c.waves;
  }
  return r;
}

Record inventory_cost_record(const model::Inventory& inventory, const cost::InventoryCost& cost, bool flat_table) {
  Record out{{"forward_time_s", cost.forward_s},
             {"backward_time_s", cost.backward_s},
             {"total_time_s", cost.total_s()},
             {"flops", cost.flops},
             {"achieved_tflops", cost.total_s() > 0 ? cost.flops / cost.total_s() / 1e12 : 0.0}};
  Record layers = Record::array();
  Record flat = Record::array();
  for (std::size_t i = 0; i < inventory.layers.size(); ++i) {
    const auto& layer = inventory.layers[i];
    const auto& lc = cost.layers[i];
    Record ops = Record::array();
    for (std::size_t j = 0; j < layer.ops.size(); ++j) {
      const auto& op = layer.ops[j];
      const auto& c = lc.ops[j];
      if (flat_table) {
        flat.push_back(Record{{"layer", layer.name},
                              {"op", op.name},
                              {"pass", model::pass_name(op.pass)},
                              {"shape", shape_text(op)},
                              {"time_s", c.time_s},
                              {"achieved_tflops", c.achieved_flops_per_s() / 1e12},
                              {"bound", cost::bound_name(c.bound)}});
        continue;
      }
      Record o{{"op", op.name}, {"kind", model::op_kind_name(op.kind)}, {"pass", model::pass_name(op.pass)}};
      if (const auto s = shape_text(op); !s.empty()) o["shape"] = s;
      o.update(op_cost_record(c));
      ops.push_back(std::move(o));
    }
    if (!flat_table) {
      layers.push_back(Record{{"layer", layer.name},
                              {"repeat", layer.repeat},
                              {"forward_time_s", lc.forward_s},
                              {"backward_time_s", lc.backward_s},
                              {"ops", ops}});
    }
  }
  if (flat_table) {
    out["ops"] = flat;
  } else {
    out["layers"] = layers;
  }
  return out;
}

}  // namespace xpusim::report
