#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "memory/timing_set.hpp"

namespace xpusim::memory {

// Where one access lands: pseudo-channel (global over stacks), bank within the PC, row, column.
struct DramAddress {
  std::uint32_t pc = 0;    // stack * pcs_per_stack + channel * pcs_per_channel + pseudo_channel
  std::uint32_t bank = 0;  // bank_group * banks_per_group + bank (bank groups include SIDs)
  std::uint32_t row = 0;
  std::uint32_t column = 0;  // in bursts within the row
};

// Physical address -> DRAM coordinates, as a controller's address mapper does it.
// A mapping is a field order from most to least significant bit, written with '-' between fields:
// "ro-ba-co-bg-pc-ch" (fields: ro row, ba bank, bg bank group, co column, pc pseudo-channel,
// ch channel, sk stack; sk may be left out and then sits right above ch), with an optional
// "+xor" suffix that XORs the bank and bank-group index with the low row bits so that rows
// which would collide on one bank spread over all of them.
// Contract: the lowest log2(granule_bytes) address bits select bytes within one granule (64 B, or
// one burst when bursts are larger), which always sits in consecutive bursts of one row; decode()
// allocates nothing and is a few shifts and masks when every field count is a power of two.
class AddressMapping {
 public:
  static constexpr int kGranuleBytes = 64;
  // `flag` names the option in errors ("--mapping").
  static AddressMapping parse(std::string_view text, const TimingSet& set, int stacks, std::string_view flag);
  static const std::vector<std::string>& named_mappings();  // the documented, tested orders
  static std::string default_name() { return "ro-ba-co-bg-pc-ch"; }

  DramAddress decode(std::uint64_t address) const;
  // Address of the k-th granule that a sequential stream from address 0 sends to pseudo-channel
  // 0: k written in the mixed radix of the other fields, channel, PC and stack fields zero.
  std::uint64_t pc_stream_address(std::uint64_t k) const;
  const std::string& name() const { return name_; }
  int granule_bytes() const { return granule_bytes_; }
  int bursts_per_granule() const { return bursts_per_granule_; }
  int burst_bytes() const { return burst_bytes_; }
  std::uint64_t capacity_bytes() const { return capacity_bytes_; }
  int pcs() const { return pcs_; }

 private:
  enum Field : std::uint8_t { kRow, kBank, kGroup, kColumn, kPc, kChannel, kStack, kFieldCount };
  struct Slice {
    Field field;
    std::uint64_t count;
    int shift;             // when count is a power of two
    std::uint64_t mask;
  };
  std::string name_;
  std::array<Slice, kFieldCount> slices_{};  // least significant first
  int slice_count_ = 0;
  bool all_pow2_ = true;
  // When all_pow2_: each field is (address >> field_shift_[f]) & field_mask_[f], precomputed so
  // decode() runs no loop over the slices (it is called once per request piece).
  std::array<int, kFieldCount> field_shift_{};
  std::array<std::uint64_t, kFieldCount> field_mask_{};
  bool xor_banks_ = false;
  bool banks_pow2_ = true;
  int granule_bytes_ = 64;
  int granule_shift_ = 6;
  int bursts_per_granule_ = 2;
  int burst_bytes_ = 32;
  int burst_shift_ = 5;
  std::uint32_t banks_per_group_ = 1;
  std::uint32_t banks_ = 1;
  std::uint32_t pcs_per_channel_ = 1;
  std::uint32_t pcs_per_stack_ = 1;
  int pcs_ = 1;
  std::uint64_t capacity_bytes_ = 0;
};

}  // namespace xpusim::memory
