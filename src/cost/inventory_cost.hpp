#pragma once

#include <vector>

#include "cost/op_cost.hpp"
#include "model/operator.hpp"

namespace xpusim::cost {

// Costs of one layer type of an inventory: each op once, and one instance's pass times.
struct LayerCost {
  std::vector<OpCost> ops;  // parallel to model::Layer::ops
  double forward_s = 0, backward_s = 0;
};

// Costs of a whole inventory on one chip (communication ops cost nothing here).
struct InventoryCost {
  std::vector<LayerCost> layers;  // parallel to model::Inventory::layers
  double forward_s = 0, backward_s = 0, flops = 0;  // summed over layers x repeat
  double total_s() const { return forward_s + backward_s; }
};

// Contract: costs every op once with `model` (repeated layers are multiplied, not re-costed);
// `out` is reused, so a caller that costs many inventories allocates only when shapes grow.
void cost_inventory(const CostModel& model, const model::Inventory& inventory, core::Dtype dtype, InventoryCost& out);
InventoryCost cost_inventory(const CostModel& model, const model::Inventory& inventory, core::Dtype dtype);

}  // namespace xpusim::cost
