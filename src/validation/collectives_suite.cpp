#include "validation/collectives_suite.hpp"

#include <sstream>
#include <string>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "cost/collective.hpp"

namespace xpusim::validation {
namespace {

cost::Collective parse_collective(const core::CsvRow& row) {
  using cost::Collective;
  const std::string& name = row.text("collective");
  if (name == "all_reduce") return Collective::kAllReduce;
  if (name == "all_gather") return Collective::kAllGather;
  if (name == "reduce_scatter") return Collective::kReduceScatter;
  if (name == "all_to_all") return Collective::kAllToAll;
  if (name == "sendrecv") return Collective::kSendRecv;
  throw core::Error(row.where(), "collective", name,
                    "all_reduce, all_gather, reduce_scatter, all_to_all or sendrecv");
}

}  // namespace

core::ValidationSuite collectives_suite(const hardware::Catalog& catalog, const std::filesystem::path& data_dir) {
  const auto table = core::CsvTable::load(data_dir / "validation" / "nccl_collectives.csv");
  table.require_columns({"case_id", "system", "collective", "ranks", "message_bytes", "busbw_gb_per_s", "role"});
  core::ValidationSuite suite;
  suite.name = "collectives";
  suite.description =
      "nccl-tests bus bandwidth (GB/s) vs the alpha-beta collective model on the catalog system; rows "
      "marked calibration fitted the dgx-a100 and dgx-h100 collective parameters, the H200 rows "
      "(ml-engineering, on hgx-h200 with values carried over from dgx-h100) are held out";
  suite.tolerance = "informative: held-out median |error| <= 15%";
  for (const auto& row : table.rows()) {
    const auto system = catalog.system(row.text("system"), row.where().to_string());
    const cost::CollectiveModel model(*system);
    const auto c = parse_collective(row);
    const int ranks = static_cast<int>(row.integer("ranks"));
    const double bytes = row.number("message_bytes");
    const double t = model.time_s(c, bytes, model.place(ranks, 1));
    core::ValidationCase vc;
    vc.id = row.text("case_id");
    std::ostringstream desc;
    desc << row.text("collective") << " " << ranks << " ranks on " << system->name() << ", " << bytes << " B";
    vc.description = desc.str();
    vc.unit = "GB/s";
    vc.published = row.number("busbw_gb_per_s");
    vc.predicted = cost::CollectiveModel::bus_bandwidth(c, bytes, ranks, t) / 1e9;
    vc.calibration = row.text("role") == "fit";
    suite.cases.push_back(vc);
  }
  suite.passed = suite.median_abs_error() <= 0.15;
  if (!suite.passed) suite.failure = "held-out median |error| above 15%";
  return suite;
}

}  // namespace xpusim::validation
