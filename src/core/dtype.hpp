#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace xpusim::core {

// Numeric formats the hardware and cost layers know.
enum class Dtype { kFp64, kFp32, kTf32, kBf16, kFp16, kFp8, kFp6, kFp4, kInt8 };

inline constexpr std::array<Dtype, 9> kAllDtypes{Dtype::kFp64, Dtype::kFp32, Dtype::kTf32,
                                                 Dtype::kBf16, Dtype::kFp16, Dtype::kFp8,
                                                 Dtype::kFp6,  Dtype::kFp4,  Dtype::kInt8};

std::string_view dtype_name(Dtype d);             // "bf16"
std::optional<Dtype> parse_dtype(std::string_view name);
double dtype_bytes(Dtype d);                      // storage bytes per element (fp4: 0.5)

}  // namespace xpusim::core
