#pragma once
// Numbers given as text on a command line or as a keyword, parsed strictly (no spaces, hex, inf
// or trailing characters) so an error names the flag, the text and what was expected.
#include <string>

namespace xpusim::core {

long long positive_int_flag(const std::string& flag, const std::string& text);
double positive_number_flag(const std::string& flag, const std::string& text);

}  // namespace xpusim::core
