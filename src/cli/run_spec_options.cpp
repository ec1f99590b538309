#include "cli/run_spec_options.hpp"

#include "core/error.hpp"
#include "scenario/run_spec.hpp"

namespace xpusim::cli {

void RunSpecOptions::add_to(CLI::App* command) {
  for (const auto& f : scenario::training_fields()) {
    std::string help = f.description;
    if (f.type == scenario::FieldType::kChoice) {
      help += ": ";
      for (std::size_t i = 0; i < f.choices.size(); ++i) help += (i ? "|" : "") + f.choices[i];
    }
    if (f.type != scenario::FieldType::kBool && !f.default_text.empty()) help += " (default " + f.default_text + ")";
    CLI::Option* opt = nullptr;
    if (f.type == scenario::FieldType::kBool) {
      opt = command->add_flag(f.flag, switches_[f.name], help);
    } else if (f.type == scenario::FieldType::kOverrides) {
      opt = command->add_option(f.flag, sets_, help);
    } else {
      opt = command->add_option(f.flag, text_[f.name], help);
    }
    if (f.required) opt->required();
    options_[f.name] = opt;
  }
}

scenario::Scenario RunSpecOptions::scenario() const {
  scenario::Scenario s = scenario::run_spec_defaults();
  for (const auto& f : scenario::training_fields()) {
    const CLI::Option* opt = options_.at(f.name);
    if (opt->count() == 0) continue;
    const auto value = [&f](std::string text) {
      return scenario::FieldValue{text, [flag = f.flag, text](std::string expected) {
                                    return core::Error::flag(flag, text, std::move(expected));
                                  }};
    };
    if (f.type == scenario::FieldType::kBool) {
      f.apply(value(f.negated_flag ? "false" : "true"), s);
    } else if (f.type == scenario::FieldType::kOverrides) {
      for (const auto& text : sets_) f.apply(value(text), s);
    } else {
      f.apply(value(text_.at(f.name)), s);
    }
  }
  return s;
}

std::set<std::string> RunSpecOptions::given() const {
  std::set<std::string> out;
  for (const auto& [name, opt] : options_)
    if (opt->count() > 0) out.insert(name);
  return out;
}

}  // namespace xpusim::cli
