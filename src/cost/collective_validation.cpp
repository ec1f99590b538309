#include "cost/collective_validation.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "cost/collective.hpp"

namespace xpusim::cost {
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (ch == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') out.back() += line[++i];
      else quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      out.emplace_back();
    } else if (ch != '\r') {
      out.back() += ch;
    }
  }
  return out;
}

namespace {

Collective parse_collective(const std::string& name, const std::string& where) {
  if (name == "all_reduce") return Collective::kAllReduce;
  if (name == "all_gather") return Collective::kAllGather;
  if (name == "reduce_scatter") return Collective::kReduceScatter;
  if (name == "all_to_all") return Collective::kAllToAll;
  if (name == "sendrecv") return Collective::kSendRecv;
  throw core::Error(where + ": collective: expected all_reduce, all_gather, reduce_scatter, all_to_all or sendrecv, got \"" +
                    name + "\"");
}

}  // namespace

core::ValidationSuite collectives_suite(const hardware::Catalog& catalog, const std::filesystem::path& data_dir) {
  const auto path = data_dir / "validation" / "nccl_collectives.csv";
  std::ifstream in(path);
  if (!in) throw core::Error(path.string() + ": cannot open the collective reference rows");
  core::ValidationSuite suite;
  suite.name = "collectives";
  suite.description =
      "nccl-tests bus bandwidth (GB/s) vs the alpha-beta collective model on the catalog system; rows "
      "marked calibration fitted the dgx-a100 and dgx-h100 collective parameters, the H200 rows "
      "(ml-engineering, on hgx-h200 with values carried over from dgx-h100) are held out";
  suite.tolerance = "informative: held-out median |error| <= 15%";
  std::string line;
  std::getline(in, line);
  const auto header = split_csv_line(line);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* need : {"case_id", "system", "collective", "ranks", "message_bytes", "busbw_gb_per_s", "role"})
    if (!col.count(need)) throw core::Error(path.string() + ":1: column " + need + ": expected in the header");
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const auto f = split_csv_line(line);
    const std::string where = path.string() + ":" + std::to_string(line_no);
    if (f.size() < header.size()) throw core::Error(where + ": expected " + std::to_string(header.size()) + " fields");
    const auto system = catalog.system(f[col["system"]], where);
    const CollectiveModel model(*system);
    const auto c = parse_collective(f[col["collective"]], where);
    const int ranks = std::stoi(f[col["ranks"]]);
    const double bytes = std::stod(f[col["message_bytes"]]);
    const double t = model.time_s(c, bytes, model.place(ranks, 1));
    core::ValidationCase vc;
    vc.id = f[col["case_id"]];
    std::ostringstream desc;
    desc << f[col["collective"]] << " " << ranks << " ranks on " << system->name() << ", " << bytes << " B";
    vc.description = desc.str();
    vc.unit = "GB/s";
    vc.published = std::stod(f[col["busbw_gb_per_s"]]);
    vc.predicted = CollectiveModel::bus_bandwidth(c, bytes, ranks, t) / 1e9;
    vc.calibration = f[col["role"]] == "fit";
    suite.cases.push_back(vc);
  }
  suite.passed = suite.median_abs_error() <= 0.15;
  if (!suite.passed) suite.failure = "held-out median |error| above 15%";
  return suite;
}

}  // namespace xpusim::cost
