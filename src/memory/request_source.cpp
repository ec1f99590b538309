#include "memory/request_source.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <fstream>

#include "core/error.hpp"
#include "core/units.hpp"

namespace xpusim::memory {

SyntheticSource::SyntheticSource(const AccessPattern& pattern, std::uint64_t requests, std::uint64_t capacity_bytes,
                                 double clock_hz, std::uint64_t seed)
    : pattern_(pattern),
      requests_(requests),
      capacity_(capacity_bytes),
      slots_(std::max<std::uint64_t>(1, capacity_bytes / static_cast<std::uint64_t>(std::max(1, pattern.request_bytes)))),
      stride_(pattern.kind == PatternKind::kStrided ? static_cast<std::uint64_t>(std::max<std::int64_t>(1, pattern.stride_bytes))
                                                    : static_cast<std::uint64_t>(std::max(1, pattern.request_bytes))),
      state_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
  if (pattern.issue_rate_bytes_per_s > 0)
    cycles_per_request_ = pattern.request_bytes / pattern.issue_rate_bytes_per_s * clock_hz;
  const double rf = std::clamp(pattern.read_fraction, 0.0, 1.0);
  read_threshold_ = rf >= 1.0 ? ~0ull : static_cast<std::uint64_t>(std::ldexp(rf, 64));
  if (state_ == 0) state_ = 1;
}

std::uint64_t SyntheticSource::rand() {
  // xorshift64*: fast, allocation-free, good enough to spread addresses and the read/write mix.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1Dull;
}

bool SyntheticSource::next(MemRequest& out) {
  if (issued_ >= requests_) return false;
  switch (pattern_.kind) {
    case PatternKind::kRandom:
      out.address = (rand() % slots_) * static_cast<std::uint64_t>(pattern_.request_bytes);
      break;
    case PatternKind::kStream:
    case PatternKind::kStrided:
      out.address = address_;
      address_ += stride_;
      if (address_ >= capacity_) address_ -= capacity_;
      break;
  }
  out.write = read_threshold_ != ~0ull && rand() >= read_threshold_;
  out.arrival_cycle = static_cast<std::uint64_t>(arrival_);
  arrival_ += cycles_per_request_;
  ++issued_;
  return true;
}

namespace {

std::string_view next_token(std::string_view& line) {
  std::size_t b = 0;
  while (b < line.size() && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r' || line[b] == ',')) ++b;
  std::size_t e = b;
  while (e < line.size() && line[e] != ' ' && line[e] != '\t' && line[e] != '\r' && line[e] != ',') ++e;
  const auto tok = line.substr(b, e - b);
  line = line.substr(e);
  return tok;
}

bool parse_hex(std::string_view t, std::uint64_t& out) {
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t = t.substr(2);
  if (t.empty()) return false;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), out, 16);
  return r.ec == std::errc() && r.ptr == t.data() + t.size();
}

}  // namespace

TraceSource::TraceSource(const std::filesystem::path& file, int request_bytes, double clock_hz)
    : name_(file.string()), line_(kMaxLineChars + 1, '\0'), request_bytes_(request_bytes), clock_hz_(clock_hz) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw core::Error(fmt::format("{}: expected a trace file, got a directory", name_));
  auto in = std::make_unique<std::ifstream>(file);
  if (!*in) throw core::Error(fmt::format("{}: expected a readable trace file", name_));
  in_ = std::move(in);
  have_pending_ = parse_next(pending_);
  if (!have_pending_) throw core::Error(fmt::format("{}: expected at least one request line", name_));
}

TraceSource::~TraceSource() = default;

bool TraceSource::parse_next(MemRequest& r) {
  constexpr std::string_view kForm = "\"<cycle-or-time> <R|W> <hex address>\" or \"LD|ST <hex address>\"";
  for (;;) {
    // Lines are read into a fixed buffer, so a hostile line (a file without newlines) cannot
    // grow memory either.
    in_->getline(line_.data(), static_cast<std::streamsize>(line_.size()));
    if (in_->bad()) throw core::Error(fmt::format("{}: expected a readable trace file (read failed)", name_));
    const bool at_end = in_->eof();
    if (in_->fail() && !at_end)
      throw core::Error(core::SourceLocation{name_, line_no_ + 1, 0}, "trace line", line_.substr(0, 40) + "...",
                        fmt::format("a line of at most {} characters", kMaxLineChars));
    const auto got = static_cast<std::size_t>(in_->gcount());
    if (at_end && got == 0) return false;
    ++line_no_;
    std::string_view line(line_.data(), at_end ? got : got - 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::string_view rest = line;
    const auto a = next_token(rest);
    if (a.empty()) continue;
    const auto at = [&] { return core::SourceLocation{name_, line_no_, 0}; };
    const auto bad = [&] {
      std::string shown(line);
      while (!shown.empty() && (shown.back() == '\r' || shown.back() == ' ')) shown.pop_back();
      return core::Error(at(), "trace line", shown, std::string(kForm));
    };
    r = MemRequest{};
    std::string_view addr;
    if (a == "LD" || a == "ST" || a == "ld" || a == "st") {
      addr = next_token(rest);
      if (!parse_hex(addr, r.address)) throw bad();
      r.write = a == "ST" || a == "st";
      r.arrival_cycle = last_;
    } else {
      const auto op = next_token(rest);
      if (op == "R" || op == "r") r.write = false;
      else if (op == "W" || op == "w") r.write = true;
      else throw bad();
      addr = next_token(rest);
      if (!parse_hex(addr, r.address)) throw bad();
      std::uint64_t cyc = 0;
      const auto res = std::from_chars(a.data(), a.data() + a.size(), cyc);
      if (res.ec == std::errc() && res.ptr == a.data() + a.size()) {
        r.arrival_cycle = cyc;
      } else {
        double seconds = 0;
        if (!core::parse_quantity(a, core::Dimension::kSeconds, &seconds) || seconds < 0) throw bad();
        const double cycles = std::round(seconds * clock_hz_);
        r.arrival_cycle = cycles > static_cast<double>(kMaxTraceCycles) ? kMaxTraceCycles + 1
                                                                         : static_cast<std::uint64_t>(cycles);
      }
      if (r.arrival_cycle > kMaxTraceCycles)
        throw core::Error(at(), "trace time", std::string(a),
                          fmt::format("a time of at most {} memory cycles ({:.3g} s)",
                                      kMaxTraceCycles, static_cast<double>(kMaxTraceCycles) / clock_hz_));
      if (r.arrival_cycle < last_)
        throw core::Error(at(), "trace time", std::string(a),
                          fmt::format("a time not earlier than the previous line's (cycle {})", last_));
    }
    if (!next_token(rest).empty()) throw bad();
    // The simulator splits a request at granule boundaries; near the top of the 64-bit space the
    // boundary arithmetic would wrap, so the top half is refused (no memory is that large).
    if (r.address >= kAddressLimit)
      throw core::Error(at(), "trace address", std::string(addr),
                        fmt::format("an address below 0x{:x}", kAddressLimit));
    last_ = r.arrival_cycle;
    return true;
  }
}

bool TraceSource::next(MemRequest& out) {
  if (!have_pending_) return false;
  out = pending_;
  ++read_;
  reads_ += out.write ? 0 : 1;
  have_pending_ = parse_next(pending_);
  return true;
}

double TraceSource::read_fraction() const {
  return read_ ? static_cast<double>(reads_) / static_cast<double>(read_) : 0.0;
}

}  // namespace xpusim::memory
