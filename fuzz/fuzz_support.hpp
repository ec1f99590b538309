#pragma once
// Shared by the libFuzzer targets: the shipped data directory, loaded once, and a scratch file
// for parsers that take a path (each fuzzing process writes its own).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "scenario/session.hpp"

namespace xpusim::fuzz {

inline const scenario::Session& session() {
  static const scenario::Session s(XPUSIM_SOURCE_DATA_DIR);
  return s;
}

// Writes the input to a per-process file with the given extension and returns its path.
inline std::filesystem::path scratch_file(const std::uint8_t* data, std::size_t size, std::string_view ext) {
  const std::filesystem::path dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  const auto path = dir / ("xpusim-fuzz-" + std::to_string(::getpid()) + std::string(ext));
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                               static_cast<std::streamsize>(size));
  return path;
}

// A broken invariant found by a harness: abort so libFuzzer records the input.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace xpusim::fuzz
