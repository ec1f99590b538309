#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

// Thin entry point: builds the command tree, runs it, and maps outcomes to exit statuses
// (0 success, 1 infeasible or failed validation, 2 bad input, 3 internal error).
int main(int argc, char** argv) {
  using namespace xpusim;
  CLI::App app{"xpusim: fast simulator and planner for AI compute infrastructure", "xpusim"};
  app.set_version_flag("--version", std::string("xpusim ") + XPUSIM_VERSION);
  app.require_subcommand(1);
  cli::Context ctx;
  for (int i = 0; i < argc; ++i) ctx.command_line += (i ? " " : "") + std::string(argv[i]);
  cli::add_hw_command(app, ctx);
  cli::add_validate_command(app, ctx);
  cli::add_train_command(app, ctx);
  cli::add_op_command(app, ctx);
  cli::add_hbm_command(app, ctx);
  cli::add_run_command(app, ctx);
  cli::add_chip_command(app, ctx);
  cli::add_sweep_command(app, ctx);
  cli::add_serve_command(app, ctx);
  cli::add_fleet_command(app, ctx);

  auto* help = app.add_subcommand("help", "Show help for xpusim or one of its commands");
  std::vector<std::string> topic;
  help->add_option("COMMAND", topic, "Command to explain, e.g. `hw show`");
  help->callback([&] {
    CLI::App* target = &app;
    std::string usage_name = "xpusim";
    for (const auto& word : topic) {
      CLI::App* sub = nullptr;
      try {
        sub = target->get_subcommand(word);
      } catch (const CLI::OptionNotFound&) {
        throw core::Error::flag("COMMAND", word, "a command name; run `xpusim help` to list them");
      }
      target = sub;
      usage_name += " " + word;
    }
    // Not target->help(): CLI11 forwards that to the parsed subcommand, i.e. to `help` itself.
    std::cout << target->get_formatter()->make_help(target, usage_name, CLI::AppFormatMode::Normal);
  });

  try {
    // Lets the tests break an invariant on purpose and see the internal-error path (exit 3).
    if (std::getenv("XPUSIM_FORCE_INTERNAL_ERROR") != nullptr)
      core::check_invariant(false, "forced by XPUSIM_FORCE_INTERNAL_ERROR");
    // An unknown first word is a mistyped command, not a missing one (CLI11 would say "A
    // subcommand is required").
    if (argc > 1 && argv[1][0] != '-') {
      std::vector<std::string> names;
      for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
      if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
        std::string expected = "a command (" + core::expected_one_of(names) + ")";
        if (const auto near = core::closest_names(argv[1], names, 1); !near.empty())
          expected += "; did you mean '" + near.front() + "'?";
        std::cerr << "error: " << core::Error::flag("COMMAND", argv[1], expected).what()
                  << "\nRun `xpusim help` for usage.\n";
        return 2;
      }
    }
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and --version arrive as "errors" with exit code 0.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::cerr << "error: " << e.what() << "\nRun `xpusim help` for usage.\n";
    return 2;
  } catch (const core::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    // A bug (core::InternalError, or anything else escaping), not bad input: say so instead of
    // aborting with a core dump.
    std::cerr << "internal error: " << e.what() << "\nThis is a bug in xpusim; please report it with the command line.\n";
    return 3;
  }
  return ctx.exit_code;
}
