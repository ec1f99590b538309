// Shared helpers of the xpusim GPU microbenchmarks: error checks, event timing, CSV output.
#pragma once

#include <cublas_api.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#define XPU_CHECK(call)                                                                    \
  do {                                                                                     \
    cudaError_t err_ = (call);                                                             \
    if (err_ != cudaSuccess) {                                                             \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,          \
                   cudaGetErrorString(err_));                                              \
      std::exit(1);                                                                        \
    }                                                                                      \
  } while (0)

// cuBLAS and cuBLASLt calls return cublasStatus_t.
#define XPU_BLAS_CHECK(call)                                                              \
  do {                                                                                    \
    cublasStatus_t st_ = (call);                                                          \
    if (st_ != CUBLAS_STATUS_SUCCESS) {                                                   \
      std::fprintf(stderr, "%s:%d: %s failed: status %d\n", __FILE__, __LINE__, #call,  \
                   static_cast<int>(st_));                                                \
      std::exit(1);                                                                       \
    }                                                                                     \
  } while (0)

namespace xpubench {

// Median of `reps` timed runs of `fn` (each run bracketed by CUDA events), after `warmup` runs.
template <class Fn>
double median_ms(Fn&& fn, int warmup, int reps) {
  for (int i = 0; i < warmup; ++i) fn(i);
  XPU_CHECK(cudaDeviceSynchronize());
  XPU_CHECK(cudaGetLastError());
  cudaEvent_t start, stop;
  XPU_CHECK(cudaEventCreate(&start));
  XPU_CHECK(cudaEventCreate(&stop));
  std::vector<float> t(reps);
  for (int i = 0; i < reps; ++i) {
    XPU_CHECK(cudaEventRecord(start));
    fn(i);
    XPU_CHECK(cudaEventRecord(stop));
    XPU_CHECK(cudaEventSynchronize(stop));
    XPU_CHECK(cudaGetLastError());
    XPU_CHECK(cudaEventElapsedTime(&t[i], start, stop));
  }
  XPU_CHECK(cudaEventDestroy(start));
  XPU_CHECK(cudaEventDestroy(stop));
  std::sort(t.begin(), t.end());
  return t[reps / 2];
}

// Device name, SM count and current clocks, for the CSV header comment and the device column.
inline std::string device_name() {
  cudaDeviceProp p{};
  XPU_CHECK(cudaGetDeviceProperties(&p, 0));
  return p.name;
}

inline std::string utc_date() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&now));
  return buf;
}

// Pseudo-random value in [-1, 1) for element i: benchmarks never run on zeros (zero data draws
// less power and runs at a higher clock than real data).
__host__ __device__ inline float hash_uniform(size_t i, unsigned seed) {
  unsigned h = (unsigned(i) ^ seed) * 2654435761u;
  h ^= h >> 16;
  return (h & 0xffff) / 32768.0f - 1.0f;
}

inline FILE* open_csv(const char* path, const char* header) {
  FILE* f = std::fopen(path, "w");
  if (!f) {
    std::perror(path);
    std::exit(1);
  }
  std::fprintf(f, "# device: %s; date: %s (UTC)\n%s\n", device_name().c_str(), utc_date().c_str(), header);
  return f;
}

}  // namespace xpubench
