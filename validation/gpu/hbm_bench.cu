// Device-memory bandwidth: copy (read + write), read-only and write-only kernels with 16-byte
// accesses over working sets from L2-resident to many GiB. Calibrates xpusim's achievable HBM
// bandwidth (memory-bound operator costs) against the cycle-level HBM model.
//
// Usage: hbm_bench OUT.csv
#include "common.cuh"

namespace {

__global__ void fill(float4* p, size_t n) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    p[i] = make_float4(xpubench::hash_uniform(4 * i, 7), xpubench::hash_uniform(4 * i + 1, 7),
                       xpubench::hash_uniform(4 * i + 2, 7), xpubench::hash_uniform(4 * i + 3, 7));
}

__global__ void copy_kernel(const float4* __restrict__ in, float4* __restrict__ out, size_t n) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    out[i] = in[i];
}

// Sums everything so the loads cannot be removed; one float per block is written.
__global__ void read_kernel(const float4* __restrict__ in, float* __restrict__ sink, size_t n) {
  float acc = 0.0f;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    const float4 v = in[i];
    acc += v.x + v.y + v.z + v.w;
  }
  for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
  if ((threadIdx.x & 31) == 0) atomicAdd(&sink[blockIdx.x], acc);
}

__global__ void write_kernel(float4* __restrict__ out, size_t n, float v) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    out[i] = make_float4(v, v, v, v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.csv\n", argv[0]);
    return 2;
  }
  cudaDeviceProp prop{};
  XPU_CHECK(cudaGetDeviceProperties(&prop, 0));
  const int blocks = prop.multiProcessorCount * 8, threads = 256;
  size_t free_b = 0, total_b = 0;
  XPU_CHECK(cudaMemGetInfo(&free_b, &total_b));
  const size_t max_bytes = std::min<size_t>(size_t(8) << 30, free_b / 3);
  FILE* out = xpubench::open_csv(argv[1], "device,kernel,working_set_bytes,bytes_moved,time_us,bandwidth_gb_s");
  float* sink = nullptr;
  XPU_CHECK(cudaMalloc(&sink, blocks * sizeof(float)));
  for (size_t bytes = size_t(1) << 20; bytes <= max_bytes; bytes *= 2) {
    const size_t n = bytes / sizeof(float4);
    float4 *a = nullptr, *b = nullptr;
    XPU_CHECK(cudaMalloc(&a, bytes));
    XPU_CHECK(cudaMalloc(&b, bytes));
    fill<<<blocks, threads>>>(a, n);
    fill<<<blocks, threads>>>(b, n);
    XPU_CHECK(cudaGetLastError());
    const int reps = bytes < (size_t(64) << 20) ? 200 : 30;
    struct Case {
      const char* name;
      double moved;
      double ms;
    } cases[] = {
        {"copy", 2.0 * bytes, xpubench::median_ms([&](int) { copy_kernel<<<blocks, threads>>>(a, b, n); }, 5, reps)},
        {"read", 1.0 * bytes, xpubench::median_ms([&](int) { read_kernel<<<blocks, threads>>>(a, sink, n); }, 5, reps)},
        {"write", 1.0 * bytes, xpubench::median_ms([&](int) { write_kernel<<<blocks, threads>>>(b, n, 1.5f); }, 5, reps)},
    };
    for (const auto& c : cases) {
      const double gbs = c.moved / (c.ms * 1e-3) / 1e9;
      std::fprintf(out, "%s,%s,%zu,%.0f,%.3f,%.1f\n", prop.name, c.name, bytes, c.moved, c.ms * 1e3, gbs);
      std::printf("%-5s %12zu B %10.1f us %8.1f GB/s\n", c.name, bytes, c.ms * 1e3, gbs);
    }
    XPU_CHECK(cudaFree(a));
    XPU_CHECK(cudaFree(b));
  }
  std::fclose(out);
  XPU_CHECK(cudaFree(sink));
  return 0;
}
