#pragma once

#include <string>

#include "cost/inventory_cost.hpp"
#include "cost/op_cost.hpp"
#include "model/operator.hpp"
#include "report/record.hpp"

namespace xpusim::report {

// Record of one operator's predicted cost (`xpusim op gemm|attention`): time, work, traffic,
// achieved TFLOP/s, what bounds it, and the kernel layout (tile, waves) where there is one.
Record op_cost_record(const cost::OpCost& cost);

// Per-layer and per-op costs of an inventory (`xpusim op model`). `flat_table` gives one row per
// op (layer, op, shape, time) for the table view instead of the nested JSON.
Record inventory_cost_record(const model::Inventory& inventory, const cost::InventoryCost& cost, bool flat_table);

}  // namespace xpusim::report
