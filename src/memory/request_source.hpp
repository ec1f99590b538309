#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "memory/analytical.hpp"

namespace xpusim::memory {

// One memory request as a requester issues it.
struct MemRequest {
  std::uint64_t arrival_cycle = 0;  // memory clock cycle at which it may enter the controller
  std::uint64_t address = 0;
  bool write = false;
};

// Produces the request stream the simulator consumes, in arrival order.
// Contract: next() fills `out` and returns true, or returns false when the stream is exhausted;
// it never allocates (trace files are parsed up front, in the constructor).
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  virtual bool next(MemRequest& out) = 0;
  virtual std::uint64_t size() const = 0;  // requests in the stream
  virtual int request_bytes() const = 0;
};

// Synthetic stream/random/strided traffic with a read/write mix and an optional issue rate.
// Addresses wrap at `capacity_bytes`; requests are aligned to their size (random) or placed at
// i x stride (strided) / i x size (stream).
class SyntheticSource final : public RequestSource {
 public:
  SyntheticSource(const AccessPattern& pattern, std::uint64_t requests, std::uint64_t capacity_bytes,
                  double clock_hz, std::uint64_t seed);
  bool next(MemRequest& out) override;
  std::uint64_t size() const override { return requests_; }
  int request_bytes() const override { return pattern_.request_bytes; }

 private:
  std::uint64_t rand();
  AccessPattern pattern_;
  std::uint64_t requests_;
  std::uint64_t issued_ = 0;
  std::uint64_t capacity_;
  std::uint64_t slots_;     // capacity / request size (random)
  std::uint64_t stride_;
  std::uint64_t address_ = 0;
  double cycles_per_request_ = 0;  // 0: saturating
  double arrival_ = 0;
  std::uint64_t state_;
  std::uint64_t read_threshold_;  // read when rand() < threshold
};

// Requests read from a trace file, one per line:
//   <cycle-or-time> <R|W> <hex address>     e.g. "120 R 0x1f40" or "75ns W 0x80"
//   LD|ST <hex address>                     (Ramulator load/store form; issued back to back)
// Blank lines and '#' comments are skipped. Times with a unit (ns, us, ms, s, ps) are converted
// to memory clock cycles; bare integers are cycles.
// The file is streamed: next() reads the next line, so a trace of any length (a pipe, /dev/stdin)
// runs in bounded memory; size() is 0 (not known in advance).
// Contract: a bad line throws core::Error naming file:line, the text and the expected form (from
// the constructor for the first request, else from next()); arrival times must not decrease, a
// address must be below kAddressLimit (2^63), and no arrival may come later than kMaxTraceCycles
// (2^50, about a week of memory time: the simulator counts idle refreshes in bulk, so a long gap
// costs one refresh round, but cycle arithmetic stays far from overflow).
class TraceSource final : public RequestSource {
 public:
  static constexpr std::uint64_t kMaxTraceCycles = 1ull << 50;
  static constexpr std::uint64_t kAddressLimit = 1ull << 63;
  static constexpr std::size_t kMaxLineChars = 4096;

  TraceSource(const std::filesystem::path& file, int request_bytes, double clock_hz);
  ~TraceSource() override;
  bool next(MemRequest& out) override;
  std::uint64_t size() const override { return 0; }
  int request_bytes() const override { return request_bytes_; }
  std::uint64_t requests_read() const { return read_; }
  double read_fraction() const;  // of the requests read so far

 private:
  bool parse_next(MemRequest& out);

  std::string name_;
  std::unique_ptr<std::istream> in_;
  std::string line_;  // fixed buffer of kMaxLineChars + 1
  int line_no_ = 0;
  std::uint64_t last_ = 0;
  std::uint64_t read_ = 0, reads_ = 0;
  int request_bytes_;
  double clock_hz_;
  MemRequest pending_{};
  bool have_pending_ = false;
};

}  // namespace xpusim::memory
