#include "cost/inventory_cost.hpp"

namespace xpusim::cost {

void cost_inventory(const CostModel& model, const model::Inventory& inventory, core::Dtype dtype, InventoryCost& out) {
  out.layers.resize(inventory.layers.size());
  out.forward_s = out.backward_s = out.flops = 0;
  for (std::size_t i = 0; i < inventory.layers.size(); ++i) {
    const auto& layer = inventory.layers[i];
    auto& lc = out.layers[i];
    lc.ops.resize(layer.ops.size());
    lc.forward_s = lc.backward_s = 0;
    for (std::size_t j = 0; j < layer.ops.size(); ++j) {
      const auto& op = layer.ops[j];
      lc.ops[j] = model.op(op, dtype);
      (op.pass == model::Pass::kBackward ? lc.backward_s : lc.forward_s) += lc.ops[j].time_s;
      out.flops += lc.ops[j].flops * static_cast<double>(layer.repeat);
    }
    out.forward_s += lc.forward_s * static_cast<double>(layer.repeat);
    out.backward_s += lc.backward_s * static_cast<double>(layer.repeat);
  }
}

InventoryCost cost_inventory(const CostModel& model, const model::Inventory& inventory, core::Dtype dtype) {
  InventoryCost out;
  cost_inventory(model, inventory, dtype, out);
  return out;
}

}  // namespace xpusim::cost
