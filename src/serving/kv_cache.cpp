#include "serving/kv_cache.hpp"

#include <algorithm>
#include <cmath>

#include "core/units.hpp"

namespace xpusim::serving {

KvCapacity kv_capacity(const StepCostModel& step, double device_bytes, long long max_batched_tokens) {
  const auto& e = step.engine();
  KvCapacity k;
  k.device_bytes = device_bytes;
  k.weight_bytes = step.weight_bytes();
  k.activation_bytes = step.activation_peak_bytes(max_batched_tokens);
  double kv = 0;
  if (e.fraction_of_free) {
    const double free = device_bytes - k.weight_bytes - e.non_torch_memory_bytes - k.activation_bytes;
    kv = e.memory_fraction * free;
    k.reserved_bytes = e.non_torch_memory_bytes + (1 - e.memory_fraction) * std::max(0.0, free);
  } else {
    kv = e.memory_fraction * device_bytes - k.weight_bytes - k.activation_bytes - e.non_torch_memory_bytes;
    k.reserved_bytes = e.non_torch_memory_bytes + (1 - e.memory_fraction) * device_bytes;
  }
  const double block_bytes = step.kv_bytes_per_token() * e.block_size;
  k.kv_bytes = std::max(0.0, kv);
  k.blocks = block_bytes > 0 ? static_cast<long long>(std::floor(k.kv_bytes / block_bytes)) : 0;
  k.feasible = k.blocks > 0;
  if (!k.feasible)
    k.reason = "weights (" + core::format_quantity(k.weight_bytes, core::Dimension::kBytes) + " per GPU) and the " +
               core::format_quantity(k.activation_bytes, core::Dimension::kBytes) +
               " activation peak leave no KV cache in " + core::format_quantity(device_bytes, core::Dimension::kBytes) +
               " at memory fraction " + std::to_string(e.memory_fraction).substr(0, 4) +
               "; use more tensor/pipeline parallelism or lower-precision weights";
  k.kv_bytes = static_cast<double>(k.blocks) * block_bytes;
  return k;
}

double visible_device_memory(double c) {
  constexpr double kGiB = 1073741824.0;
  const double gb = c / 1e9, gib = c / kGiB;
  const bool decimal_label = std::abs(gb - std::round(gb)) < 1e-6 && std::abs(gib - std::round(gib)) > 1e-3;
  return (decimal_label ? std::round(gb) * kGiB : c) * 0.99;
}

bool BlockPool::take(long long n) {
  if (n <= 0) return true;
  if (available() < n) return false;
  const long long from_free = std::min(free_, n);
  free_ -= from_free;
  for (long long i = from_free; i < n; ++i) {  // evict least-recently-used cached blocks
    cached_.erase(lru_.front());
    lru_.pop_front();
  }
  return true;
}

int BlockPool::acquire_prefix(const std::vector<std::uint64_t>& hashes) {
  if (!caching_) return 0;
  int hits = 0;
  for (auto h : hashes) {
    auto it = cached_.find(h);
    if (it == cached_.end()) break;
    if (it->second.refs++ == 0) lru_.erase(it->second.lru);
    ++hits;
  }
  return hits;
}

bool BlockPool::publish(std::uint64_t hash) {
  if (!caching_) return false;
  auto [it, inserted] = cached_.try_emplace(hash);
  if (!inserted) return false;
  it->second.refs = 1;
  return true;
}

void BlockPool::release(std::uint64_t hash) {
  auto it = cached_.find(hash);
  if (it == cached_.end()) return;
  if (--it->second.refs == 0) {
    lru_.push_back(hash);
    it->second.lru = std::prev(lru_.end());
  }
}

std::uint64_t prefix_block_hash(long long prefix_id, int index) {
  // splitmix64 of (prefix, index): distinct prefixes never share a chain.
  std::uint64_t x = static_cast<std::uint64_t>(prefix_id) * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(index) + 1;
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

}  // namespace xpusim::serving
