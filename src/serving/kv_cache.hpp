#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "serving/engine.hpp"
#include "serving/step_cost.hpp"

namespace xpusim::serving {

// KV cache capacity of one GPU as the engine computes it at start-up.
struct KvCapacity {
  double device_bytes = 0;      // HBM capacity of the GPU
  double weight_bytes = 0;      // this GPU's share of the weights
  double activation_bytes = 0;  // peak of a profiling forward of max_batched_tokens tokens
  double reserved_bytes = 0;    // non-torch memory (CUDA context, NCCL, graphs) + what the fraction holds back
  double kv_bytes = 0;          // left for KV blocks (0 when the weights do not fit)
  long long blocks = 0;         // blocks of block_size tokens (the same on every GPU of a replica)
  bool feasible = false;
  std::string reason;           // why not, when infeasible
};

// vLLM (gpu_memory_utilization): kv = fraction x device - weights - activation peak - non-torch.
// TensorRT-LLM / LMDeploy (fraction of free memory): kv = fraction x (device - weights - non-torch).
KvCapacity kv_capacity(const StepCostModel& step, double device_bytes, long long max_batched_tokens);

// Memory the framework sees on a GPU of `catalog_capacity_bytes`. HBM is built of binary-sized
// dies, and vendors print binary capacities with a decimal label (H100 "80 GB" is 80 GiB of HBM3,
// H200 "141 GB" ~141 GiB): a whole number of GB that is not a whole number of GiB is read as GiB.
// The driver and ECC keep about 1% (H100 80 GB: torch reports 79.2 GiB; estimate for others).
double visible_device_memory(double catalog_capacity_bytes);

// Paged KV blocks of one replica with prefix caching by block hashing (vLLM's automatic prefix
// caching, SGLang's radix cache at block granularity): a full block's hash chains its prefix, a
// freed cached block stays reusable until evicted least-recently-used.
// Contract: available() counts free and evictable blocks; take() never goes below zero (callers
// check available() first); reference counts balance (every acquire has a release).
class BlockPool {
 public:
  explicit BlockPool(long long blocks, bool prefix_caching) : total_(blocks), free_(blocks), caching_(prefix_caching) {}

  long long total() const { return total_; }
  long long available() const { return free_ + static_cast<long long>(lru_.size()); }
  long long used() const { return total_ - available(); }
  bool caching() const { return caching_; }

  bool take(long long n);  // uncached blocks; false (and nothing taken) when too few
  void give(long long n) { free_ += n; }
  // Leading blocks of `hashes` already cached; each hit is referenced (so it cannot be evicted).
  int acquire_prefix(const std::vector<std::uint64_t>& hashes);
  // Marks an owned, just-filled block as cached under `hash` (it stays owned: refcount 1). When
  // the hash is already cached (a twin filled it first) the block is returned as uncached.
  bool publish(std::uint64_t hash);
  void release(std::uint64_t hash);  // drop one reference; at zero the block becomes evictable

 private:
  struct Entry {
    int refs = 0;
    std::list<std::uint64_t>::iterator lru;
  };
  long long total_, free_;
  bool caching_;
  std::unordered_map<std::uint64_t, Entry> cached_;
  std::list<std::uint64_t> lru_;  // evictable cached blocks, least recent first
};

// Hash of block `index` of the shared prefix `prefix_id` (chained, as vLLM hashes a block with
// its parent's hash).
std::uint64_t prefix_block_hash(long long prefix_id, int index);

}  // namespace xpusim::serving
