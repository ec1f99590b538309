#include <filesystem>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "report/hardware_record.hpp"

namespace xpusim::cli {
namespace {

void hw_list(Context& ctx) {
  const auto& cat = ctx.catalog();
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

void hw_show(Context& ctx, const std::string& name) {
  const auto& cat = ctx.catalog();
  if (auto c = cat.find_chip(name)) return ctx.emit(report::chip_record(*c));
  if (auto s = cat.find_system(name)) return ctx.emit(report::system_record(*s));
  if (hardware::Catalog::looks_like_file(name)) {
    if (!std::filesystem::exists(name)) throw core::Error::flag("NAME", name, "an existing chip or system YAML file");
    // A user's file: its `kind:` says whether it is a chip or a system.
    const auto root = core::ConfigNode::load_file(name);
    const auto kind = root.find("kind");
    if (kind && kind->as_string() == "system") return ctx.emit(report::system_record(*cat.system(name, "NAME")));
    if (kind && kind->as_string() != "chip") throw kind->error("\"chip\" or \"system\"");
    return ctx.emit(report::chip_record(*cat.chip(name, "NAME")));
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
  show->add_option("NAME", *name, "Catalog name (e.g. h100-sxm5-80gb) or path to a YAML file")->required();
  ctx.add_format_option(show);
  show->callback([&ctx, name] { hw_show(ctx, *name); });
}

}  // namespace xpusim::cli
