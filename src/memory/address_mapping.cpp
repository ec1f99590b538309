#include "memory/address_mapping.hpp"

#include <bit>
#include <fmt/format.h>

#include "core/error.hpp"

namespace xpusim::memory {
namespace {

constexpr std::string_view kExpected =
    "a field order from high to low bits such as ro-ba-co-bg-pc-ch (each of ro, ba, bg, co, pc, ch once, "
    "optionally sk), optionally followed by +xor";

bool pow2(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

const std::vector<std::string>& AddressMapping::named_mappings() {
  static const std::vector<std::string> kNames{"ro-ba-co-bg-pc-ch", "ro-ba-bg-co-pc-ch", "ro-co-ba-bg-pc-ch",
                                               "ro-ba-bg-pc-ch-co", "ro-ba-co-bg-pc-ch+xor"};
  return kNames;
}

AddressMapping AddressMapping::parse(std::string_view text, const TimingSet& set, int stacks, std::string_view flag) {
  const auto fail = [&] { return core::Error::flag(std::string(flag), std::string(text), std::string(kExpected)); };
  AddressMapping m;
  m.name_ = std::string(text);
  std::string_view body = text;
  if (const auto plus = body.find('+'); plus != std::string_view::npos) {
    if (body.substr(plus) != "+xor") throw fail();
    m.xor_banks_ = true;
    body = body.substr(0, plus);
  }
  const auto& o = set.org;
  m.burst_bytes_ = o.burst_bytes();
  if (!pow2(static_cast<std::uint64_t>(m.burst_bytes_)))
    throw core::Error(fmt::format("{}: burst of {} bytes: expected a power of two", set.file, m.burst_bytes_));
  m.granule_bytes_ = std::max(kGranuleBytes, m.burst_bytes_);
  m.bursts_per_granule_ = m.granule_bytes_ / m.burst_bytes_;
  if (o.columns % m.bursts_per_granule_ != 0)
    throw core::Error(fmt::format("{}: {} columns per row: expected a multiple of {} bursts per {}-byte granule",
                                  set.file, o.columns, m.bursts_per_granule_, m.granule_bytes_));
  m.granule_shift_ = std::countr_zero(static_cast<unsigned>(m.granule_bytes_));
  m.burst_shift_ = std::countr_zero(static_cast<unsigned>(m.burst_bytes_));
  m.banks_per_group_ = static_cast<std::uint32_t>(o.banks_per_group);
  m.banks_ = static_cast<std::uint32_t>(o.banks_per_pc());
  m.pcs_per_channel_ = static_cast<std::uint32_t>(o.pseudo_channels_per_channel);
  m.pcs_per_stack_ = static_cast<std::uint32_t>(o.pcs_per_stack());
  m.pcs_ = o.pcs_per_stack() * stacks;

  std::vector<Field> order;  // high to low
  bool seen[kFieldCount] = {};
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const auto dash = body.find('-', pos);
    const auto tok = body.substr(pos, dash == std::string_view::npos ? std::string_view::npos : dash - pos);
    Field f;
    if (tok == "ro") f = kRow;
    else if (tok == "ba") f = kBank;
    else if (tok == "bg") f = kGroup;
    else if (tok == "co") f = kColumn;
    else if (tok == "pc") f = kPc;
    else if (tok == "ch") f = kChannel;
    else if (tok == "sk") f = kStack;
    else throw fail();
    if (seen[f]) throw fail();
    seen[f] = true;
    order.push_back(f);
    if (dash == std::string_view::npos) break;
    pos = dash + 1;
  }
  for (Field f : {kRow, kBank, kGroup, kColumn, kPc, kChannel})
    if (!seen[f]) throw fail();
  if (!seen[kStack]) {  // stacks sit right above the channel field
    for (std::size_t i = 0; i < order.size(); ++i)
      if (order[i] == kChannel) {
        order.insert(order.begin() + static_cast<std::ptrdiff_t>(i), kStack);
        break;
      }
  }
  const auto count_of = [&](Field f) -> std::uint64_t {
    switch (f) {
      case kRow: return static_cast<std::uint64_t>(o.rows);
      case kBank: return static_cast<std::uint64_t>(o.banks_per_group);
      case kGroup: return static_cast<std::uint64_t>(o.bank_groups_per_pc());
      case kColumn: return static_cast<std::uint64_t>(o.columns / m.bursts_per_granule_);
      case kPc: return static_cast<std::uint64_t>(o.pseudo_channels_per_channel);
      case kChannel: return static_cast<std::uint64_t>(o.channels_per_stack);
      case kStack: return static_cast<std::uint64_t>(stacks);
      default: return 1;
    }
  };
  m.capacity_bytes_ = static_cast<std::uint64_t>(m.granule_bytes_);
  int bit = m.granule_shift_;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Slice s{*it, count_of(*it), 0, 0};
    if (pow2(s.count)) {
      s.shift = std::countr_zero(s.count);
      s.mask = s.count - 1;
      m.field_shift_[s.field] = bit;
      m.field_mask_[s.field] = s.mask;
      bit += s.shift;
    } else {
      m.all_pow2_ = false;
    }
    m.slices_[static_cast<std::size_t>(m.slice_count_++)] = s;
    m.capacity_bytes_ *= s.count;
  }
  m.banks_pow2_ = pow2(m.banks_);
  return m;
}

DramAddress AddressMapping::decode(std::uint64_t address) const {
  std::uint64_t v[kFieldCount] = {};
  if (all_pow2_) {
    for (int f = 0; f < kFieldCount; ++f)
      v[f] = (address >> field_shift_[static_cast<std::size_t>(f)]) & field_mask_[static_cast<std::size_t>(f)];
  } else {
    std::uint64_t a = address >> granule_shift_;
    for (int i = 0; i < slice_count_; ++i) {
      const Slice& s = slices_[static_cast<std::size_t>(i)];
      v[s.field] = a % s.count;
      a /= s.count;
    }
  }
  DramAddress d;
  d.pc = static_cast<std::uint32_t>(v[kStack] * pcs_per_stack_ + v[kChannel] * pcs_per_channel_ + v[kPc]);
  d.row = static_cast<std::uint32_t>(v[kRow]);
  std::uint32_t bank = static_cast<std::uint32_t>(v[kGroup] * banks_per_group_ + v[kBank]);
  if (xor_banks_) bank = banks_pow2_ ? (bank ^ d.row) & (banks_ - 1) : (bank + d.row) % banks_;
  d.bank = bank;
  const auto within = static_cast<std::uint32_t>((address >> burst_shift_) & static_cast<std::uint64_t>(bursts_per_granule_ - 1));
  d.column = static_cast<std::uint32_t>(v[kColumn]) * static_cast<std::uint32_t>(bursts_per_granule_) + within;
  return d;
}

std::uint64_t AddressMapping::pc_stream_address(std::uint64_t k) const {
  std::uint64_t granules = 0, scale = 1;
  int bit = 0;  // position of the slice in the granule index, when every count is a power of two
  for (int i = 0; i < slice_count_; ++i) {
    const Slice& s = slices_[static_cast<std::size_t>(i)];
    const bool channel = s.field == kPc || s.field == kChannel || s.field == kStack;
    if (all_pow2_) {
      if (!channel) {
        granules |= (k & s.mask) << bit;
        k >>= s.shift;
      }
      bit += s.shift;
    } else {
      if (!channel) {
        granules += (k % s.count) * scale;
        k /= s.count;
      }
      scale *= s.count;
    }
  }
  return granules << granule_shift_;
}

}  // namespace xpusim::memory
