#pragma once

#include <cstdint>

namespace xpusim::memory {

// The JEDEC HBM commands the controller issues.
enum class Command : std::uint8_t { kAct, kRd, kWr, kRda, kWra, kPre, kPrea, kRef, kRefpb };

const char* command_name(Command c);  // "ACT", "RD", ..., "REFpb"

// One issued command, as the checker replays it. `bank` and `row` are meaningless for PREA/REF.
struct CommandRecord {
  std::uint64_t cycle;
  std::uint32_t pc;
  std::uint32_t row;
  std::uint8_t bank;
  Command cmd;
};

}  // namespace xpusim::memory
