#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace xpusim::cli {

// One function per subcommand, each in its own file; main() calls them in order.
void add_hw_command(CLI::App& app, Context& ctx);
void add_validate_command(CLI::App& app, Context& ctx);
void add_train_command(CLI::App& app, Context& ctx);
void add_op_command(CLI::App& app, Context& ctx);
void add_hbm_command(CLI::App& app, Context& ctx);
void add_run_command(CLI::App& app, Context& ctx);
void add_chip_command(CLI::App& app, Context& ctx);
void add_sweep_command(CLI::App& app, Context& ctx);
void add_serve_command(CLI::App& app, Context& ctx);
void add_fleet_command(CLI::App& app, Context& ctx);

}  // namespace xpusim::cli
