#include <filesystem>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "core/units.hpp"
#include "hardware/overrides.hpp"
#include "report/hardware_record.hpp"

namespace xpusim::cli {
namespace {

void hw_list(Context& ctx) {
  const auto& cat = ctx.session().catalog();
  report::Record full{{"chips", report::Record::array()}, {"systems", report::Record::array()}};
  report::Record table{{"chips", report::Record::array()}, {"systems", report::Record::array()}};
  for (const auto& c : cat.chips()) {
    full["chips"].push_back(report::chip_record(*c));
    table["chips"].push_back(report::chip_summary(*c));
  }
  for (const auto& s : cat.systems()) {
    full["systems"].push_back(report::system_record(*s));
    table["systems"].push_back(report::system_summary(*s));
  }
  ctx.emit(full, &table);
}

// The table of `hw show`: sources as a two-column list under the figures (keeps the figure column
// narrow), and "-" for figures the catalog leaves unknown (0) rather than "0 USD".
report::Record show_table_view(report::Record r, const hardware::CalibrationSchema& schema) {
  auto unknown_if_zero = [](report::Record& obj, const char* key) {
    if (obj.contains(key) && obj[key].is_number() && obj[key].get<double>() == 0.0) obj[key] = nullptr;
  };
  unknown_if_zero(r, "l2_cache_bytes");
  unknown_if_zero(r, "shared_memory_per_unit_bytes");
  if (r.contains("node")) {
    unknown_if_zero(r["node"], "power_w");
    unknown_if_zero(r["node"], "price_usd");
  }
  // Calibration names carry no unit suffix; their declared dimension gives the unit ("8 us", not 8e-06).
  if (r.contains("calibration")) {
    for (const auto& decl : schema) {
      auto& cal = r["calibration"];
      if (cal.contains(decl.name) && cal[decl.name].is_number())
        cal[decl.name] = core::format_quantity(cal[decl.name].get<double>(), decl.dimension);
    }
  }
  if (r.contains("sources")) {
    report::Record list = report::Record::array();
    for (auto it = r["sources"].begin(); it != r["sources"].end(); ++it)
      list.push_back(report::Record{{"field", it.key()}, {"source", *it}});
    r.erase("sources");
    if (!list.empty()) r["sources"] = std::move(list);
  }
  return r;
}

void emit_show(Context& ctx, const report::Record& record) {
  const report::Record view = show_table_view(record, ctx.session().schema());
  ctx.emit(record, &view);
}

void hw_show(Context& ctx, const std::string& name, const std::vector<std::string>& sets) {
  const auto& session = ctx.session();
  const auto& cat = session.catalog();
  const auto overrides = hardware::parse_overrides(sets);
  const auto show_chip = [&] { emit_show(ctx, report::chip_record(*session.chip(name, "NAME", overrides))); };
  const auto show_system = [&] { emit_show(ctx, report::system_record(*session.system(name, "NAME", overrides))); };
  if (cat.find_chip(name)) return show_chip();
  if (cat.find_system(name)) return show_system();
  if (hardware::Catalog::looks_like_file(name)) {
    std::error_code ec;
    if (!std::filesystem::exists(name, ec)) throw core::Error::flag("NAME", name, "an existing chip or system YAML file");
    // A user's file: its `kind:` says whether it is a chip or a system.
    const auto root = core::ConfigNode::load_file(name);
    const auto kind = root.find("kind");
    if (kind && kind->as_string() == "system") return show_system();
    if (kind && kind->as_string() != "chip") throw kind->error("\"chip\" or \"system\"");
    return show_chip();
  }
  auto names = cat.chip_names();
  const auto systems = cat.system_names();
  names.insert(names.end(), systems.begin(), systems.end());
  throw core::Error::flag("NAME", name, core::expected_known_name("chip or system", name, names));
}

}  // namespace

void add_hw_command(CLI::App& app, Context& ctx) {
  auto* hw = app.add_subcommand("hw", "Hardware catalog: chips and systems");
  hw->require_subcommand(1);
  auto* list = hw->add_subcommand("list", "List every chip and system in the catalog");
  ctx.add_format_option(list);
  list->callback([&ctx] { hw_list(ctx); });

  auto* show = hw->add_subcommand("show", "Show one chip or system (catalog name or YAML file)");
  auto name = std::make_shared<std::string>();
  auto sets = std::make_shared<std::vector<std::string>>();
  show->add_option("NAME", *name, "Catalog name (e.g. h100-sxm5-80gb) or path to a YAML file")->required();
  show->add_option("--set", *sets, "Override a field by dotted path, e.g. memory.stacks=8 (repeatable)");
  ctx.add_format_option(show);
  show->callback([&ctx, name, sets] { hw_show(ctx, *name, *sets); });
}

}  // namespace xpusim::cli
