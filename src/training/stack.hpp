#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "training/layout.hpp"

namespace xpusim::training {

// Reads a software stack (data/stacks/NAME.yaml). Every key is optional (a missing one keeps the
// StackOptions default); each value is {value: ..., source: "..."} or a bare value. Unknown keys,
// bad values and negative numbers are core::Error naming the file, the key and what was expected.
StackOptions parse_stack(const core::ConfigNode& root, std::string name);
StackOptions load_stack_file(const std::filesystem::path& yaml);

// A shipped stack name ("pytorch-fsdp" -> <data_dir>/stacks/pytorch-fsdp.yaml) or a YAML path.
// An unknown name throws core::Error::flag(flag, ...) listing the shipped names.
StackOptions load_stack(const std::string& name_or_path, const std::filesystem::path& data_dir,
                        const std::string& flag = "--stack");
// Puts the stack on a layout with the framework defaults it implies (gradient-reduction precision,
// TP communication overlap); flags given after it override those.
void apply_stack(Layout& layout, const StackOptions& stack);

std::vector<std::string> builtin_stack_names(const std::filesystem::path& data_dir);  // sorted

}  // namespace xpusim::training
