// cuBLASLt GEMM sweep (bf16 and fp8 e4m3, fp32 accumulate) over a shape grid; one CSV row per
// shape with the median time and achieved TFLOP/s. Calibrates xpusim's GEMM tile model.
//
// Usage: gemm_bench OUT.csv [--quick]
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include <cstring>

#include "common.cuh"


namespace {

__global__ void fill_bf16(__nv_bfloat16* p, size_t n, unsigned seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    p[i] = __float2bfloat16(xpubench::hash_uniform(i, seed));
  }
}

__global__ void fill_fp8(__nv_fp8_e4m3* p, size_t n, unsigned seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    p[i] = __nv_fp8_e4m3(xpubench::hash_uniform(i, seed));
  }
}

struct Shape {
  long m, n, k;
};

// Square sizes, LLM projection shapes (Llama-3-70B/405B with TP 1-8, tokens 1..16K) and
// wave-quantization steps (M = 128 * 132 * w +- one tile on H100).
std::vector<Shape> shape_grid(bool quick) {
  std::vector<Shape> s;
  for (long x : {256L, 512L, 1024L, 2048L, 4096L, 6144L, 8192L, 12288L, 16384L}) s.push_back({x, x, x});
  if (quick) return s;
  for (long tokens : {1L, 16L, 128L, 512L, 2048L, 4096L, 8192L, 16384L}) {
    for (auto [n, k] : {std::pair{10240L, 8192L}, {8192L, 8192L}, {57344L, 8192L}, {8192L, 28672L},
                        {18432L, 16384L}, {16384L, 16384L}, {13312L, 16384L}, {16384L, 6656L}}) {
      s.push_back({tokens, n, k});
    }
  }
  for (long waves : {1L, 2L, 4L}) {
    const long full = 128L * 132L * waves / 64L * 64L;
    for (long dm : {-128L, 0L, 128L}) s.push_back({full + dm, 8192, 8192});
  }
  return s;
}

double run_one(cublasLtHandle_t lt, const Shape& sh, bool fp8, void* workspace, size_t ws_bytes, int* algo_found) {
  const size_t a_elems = size_t(sh.m) * sh.k, b_elems = size_t(sh.k) * sh.n, c_elems = size_t(sh.m) * sh.n;
  // Rotate among enough operand sets that repeated runs do not hit in L2 (50 MB on H100).
  const size_t bytes_per_set = (a_elems + b_elems) * (fp8 ? 1 : 2) + c_elems * 2;
  const int sets = int(std::max<size_t>(1, std::min<size_t>(8, (200u << 20) / std::max<size_t>(bytes_per_set, 1) + 1)));
  std::vector<void*> A(sets), B(sets), C(sets);
  for (int i = 0; i < sets; ++i) {
    XPU_CHECK(cudaMalloc(&A[i], a_elems * (fp8 ? 1 : 2)));
    XPU_CHECK(cudaMalloc(&B[i], b_elems * (fp8 ? 1 : 2)));
    XPU_CHECK(cudaMalloc(&C[i], c_elems * 2));
    if (fp8) {
      fill_fp8<<<1024, 256>>>(static_cast<__nv_fp8_e4m3*>(A[i]), a_elems, 17u + i);
      fill_fp8<<<1024, 256>>>(static_cast<__nv_fp8_e4m3*>(B[i]), b_elems, 91u + i);
    } else {
      fill_bf16<<<1024, 256>>>(static_cast<__nv_bfloat16*>(A[i]), a_elems, 17u + i);
      fill_bf16<<<1024, 256>>>(static_cast<__nv_bfloat16*>(B[i]), b_elems, 91u + i);
    }
    XPU_CHECK(cudaGetLastError());
  }
  // Row-major C[m,n] = A[m,k] B[k,n] expressed in cuBLAS column-major as C^T = B^T A^T; fp8
  // requires the "TN" layout, so B is stored transposed (k-contiguous) for both dtypes.
  const cudaDataType_t in_t = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  cublasLtMatmulDesc_t op;
  XPU_BLAS_CHECK(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t trans_a = CUBLAS_OP_T, trans_b = CUBLAS_OP_N;
  XPU_BLAS_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &trans_a, sizeof trans_a));
  XPU_BLAS_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &trans_b, sizeof trans_b));
  cublasLtMatrixLayout_t la, lb, lc;
  XPU_BLAS_CHECK(cublasLtMatrixLayoutCreate(&la, in_t, sh.k, sh.n, sh.k));   // B^T stored k x n (ld k)
  XPU_BLAS_CHECK(cublasLtMatrixLayoutCreate(&lb, in_t, sh.k, sh.m, sh.k));   // A^T: k x m
  XPU_BLAS_CHECK(cublasLtMatrixLayoutCreate(&lc, CUDA_R_16BF, sh.n, sh.m, sh.n));
  cublasLtMatmulPreference_t pref;
  XPU_BLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  XPU_BLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws_bytes, sizeof ws_bytes));
  cublasLtMatmulHeuristicResult_t heur{};
  int found = 0;
  XPU_BLAS_CHECK(cublasLtMatmulAlgoGetHeuristic(lt, op, la, lb, lc, lc, pref, 1, &heur, &found));
  *algo_found = found;
  double ms = -1.0;
  if (found > 0) {
    const float alpha = 1.0f, beta = 0.0f;
    const double flops = 2.0 * sh.m * sh.n * sh.k;
    const int reps = flops > 1e12 ? 20 : 100;
    ms = xpubench::median_ms(
        [&](int i) {
          const int s = i % sets;
          XPU_BLAS_CHECK(cublasLtMatmul(lt, op, &alpha, B[s], la, A[s], lb, &beta, C[s], lc, C[s], lc, &heur.algo,
                                  workspace, ws_bytes, 0));
        },
        10, reps);
  }
  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(la);
  cublasLtMatrixLayoutDestroy(lb);
  cublasLtMatrixLayoutDestroy(lc);
  cublasLtMatmulDescDestroy(op);
  for (int i = 0; i < sets; ++i) {
    XPU_CHECK(cudaFree(A[i]));
    XPU_CHECK(cudaFree(B[i]));
    XPU_CHECK(cudaFree(C[i]));
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.csv [--quick]\n", argv[0]);
    return 2;
  }
  const bool quick = argc > 2 && std::strcmp(argv[2], "--quick") == 0;
  cublasLtHandle_t lt;
  XPU_BLAS_CHECK(cublasLtCreate(&lt));
  size_t ws_bytes = 64u << 20;
  void* workspace = nullptr;
  XPU_CHECK(cudaMalloc(&workspace, ws_bytes));
  int version = 0;
  XPU_CHECK(cudaRuntimeGetVersion(&version));
  FILE* out = xpubench::open_csv(argv[1], "device,library,dtype,m,n,k,time_us,achieved_tflops");
  const std::string dev = xpubench::device_name();
  for (bool fp8 : {false, true}) {
    for (const auto& sh : shape_grid(quick)) {
      int found = 0;
      const double ms = run_one(lt, sh, fp8, workspace, ws_bytes, &found);
      if (ms <= 0) {
        std::fprintf(stderr, "no cuBLASLt algorithm for %s %ldx%ldx%ld\n", fp8 ? "fp8" : "bf16", sh.m, sh.n, sh.k);
        continue;
      }
      const double tflops = 2.0 * sh.m * sh.n * sh.k / (ms * 1e-3) / 1e12;
      std::fprintf(out, "%s,cuBLASLt (CUDA runtime %d),%s,%ld,%ld,%ld,%.3f,%.2f\n", dev.c_str(), version,
                   fp8 ? "fp8_e4m3" : "bf16", sh.m, sh.n, sh.k, ms * 1e3, tflops);
      std::printf("%-8s %6ld %6ld %6ld %10.1f us %8.1f TFLOP/s\n", fp8 ? "fp8" : "bf16", sh.m, sh.n, sh.k, ms * 1e3,
                  tflops);
    }
  }
  std::fclose(out);
  XPU_CHECK(cudaFree(workspace));
  cublasLtDestroy(lt);
  return 0;
}
