// Attention forward as the unfused reference path: S = Q K^T (cuBLAS strided-batched bf16 GEMM,
// fp32 accumulate), a row softmax kernel (causal mask optional), O = P V. Per-stage times show the
// memory-bound softmax that flash attention removes; the flash-attention rows of
// refdata/gpu_kernels.csv calibrate the fused kernels.
//
// Usage: attention_bench OUT.csv
#include <cublas_v2.h>
#include <cuda_bf16.h>

#include "common.cuh"


namespace {

__global__ void fill_bf16(__nv_bfloat16* p, size_t n, unsigned seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    p[i] = __float2bfloat16(xpubench::hash_uniform(i, seed));
}

// One block per row of S (length s); scale, optional causal mask, softmax, write bf16 P in place.
__global__ void softmax_rows(__nv_bfloat16* S, int s, float scale, bool causal) {
  const size_t row = blockIdx.x;
  const int q = int(row % s);
  __nv_bfloat16* r = S + row * size_t(s);
  const int limit = causal ? q + 1 : s;
  __shared__ float red[32];
  float mx = -1e30f;
  for (int j = threadIdx.x; j < limit; j += blockDim.x) mx = fmaxf(mx, __bfloat162float(r[j]) * scale);
  for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
  if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = mx;
  __syncthreads();
  mx = -1e30f;
  for (int w = 0; w < int(blockDim.x >> 5); ++w) mx = fmaxf(mx, red[w]);
  __syncthreads();
  float sum = 0.0f;
  for (int j = threadIdx.x; j < limit; j += blockDim.x) sum += __expf(__bfloat162float(r[j]) * scale - mx);
  for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
  if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = sum;
  __syncthreads();
  sum = 0.0f;
  for (int w = 0; w < int(blockDim.x >> 5); ++w) sum += red[w];
  const float inv = 1.0f / sum;
  for (int j = threadIdx.x; j < s; j += blockDim.x)
    r[j] = __float2bfloat16(j < limit ? __expf(__bfloat162float(r[j]) * scale - mx) * inv : 0.0f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.csv\n", argv[0]);
    return 2;
  }
  cublasHandle_t h;
  XPU_BLAS_CHECK(cublasCreate(&h));
  FILE* out = xpubench::open_csv(
      argv[1], "device,library,batch,heads,head_dim,seq_len,causal,qk_us,softmax_us,pv_us,total_us,fwd_tflops");
  const std::string dev = xpubench::device_name();
  // The flash-attention README setup: hidden 2048 (heads = 2048 / head_dim), batch = 16384 / seq.
  for (int d : {64, 128}) {
    for (int s : {512, 1024, 2048, 4096, 8192, 16384}) {
      for (bool causal : {false, true}) {
        const int heads = 2048 / d, batch = 16384 / s, bh = batch * heads;
        const size_t qkv = size_t(bh) * s * d, ss = size_t(bh) * s * s;
        __nv_bfloat16 *Q, *K, *V, *S, *O;
        XPU_CHECK(cudaMalloc(&Q, qkv * 2));
        XPU_CHECK(cudaMalloc(&K, qkv * 2));
        XPU_CHECK(cudaMalloc(&V, qkv * 2));
        XPU_CHECK(cudaMalloc(&O, qkv * 2));
        XPU_CHECK(cudaMalloc(&S, ss * 2));
        fill_bf16<<<1024, 256>>>(Q, qkv, 1);
        fill_bf16<<<1024, 256>>>(K, qkv, 2);
        fill_bf16<<<1024, 256>>>(V, qkv, 3);
        XPU_CHECK(cudaGetLastError());
        const float one = 1.0f, zero = 0.0f;
        // Row-major S[s,s] = Q[s,d] K[s,d]^T per (b,h): column-major S^T = K Q^T.
        auto qk = [&](int) {
          XPU_BLAS_CHECK(cublasGemmStridedBatchedEx(h, CUBLAS_OP_T, CUBLAS_OP_N, s, s, d, &one, K, CUDA_R_16BF, d,
                                                size_t(s) * d, Q, CUDA_R_16BF, d, size_t(s) * d, &zero, S,
                                                CUDA_R_16BF, s, size_t(s) * s, bh, CUBLAS_COMPUTE_32F,
                                                CUBLAS_GEMM_DEFAULT));
        };
        auto sm = [&](int) { softmax_rows<<<unsigned(size_t(bh) * s), 256>>>(S, s, 1.0f / sqrtf(float(d)), causal); };
        // Row-major O[s,d] = P[s,s] V[s,d]: column-major O^T = V^T P^T.
        auto pv = [&](int) {
          XPU_BLAS_CHECK(cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, d, s, s, &one, V, CUDA_R_16BF, d,
                                                size_t(s) * d, S, CUDA_R_16BF, s, size_t(s) * s, &zero, O,
                                                CUDA_R_16BF, d, size_t(s) * d, bh, CUBLAS_COMPUTE_32F,
                                                CUBLAS_GEMM_DEFAULT));
        };
        const double t_qk = xpubench::median_ms(qk, 3, 20), t_sm = xpubench::median_ms(sm, 3, 20),
                     t_pv = xpubench::median_ms(pv, 3, 20);
        const double total = t_qk + t_sm + t_pv;
        // FLOP convention of the flash-attention figures: 4 b s^2 h d, halved when causal.
        const double flops = 4.0 * batch * double(s) * s * heads * d * (causal ? 0.5 : 1.0);
        std::fprintf(out, "%s,cuBLAS strided-batched + softmax kernel,%d,%d,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f\n",
                     dev.c_str(), batch, heads, d, s, causal ? 1 : 0, t_qk * 1e3, t_sm * 1e3, t_pv * 1e3,
                     total * 1e3, flops / (total * 1e-3) / 1e12);
        std::printf("d=%3d s=%5d causal=%d total %9.1f us  %6.1f TFLOP/s\n", d, s, causal ? 1 : 0, total * 1e3,
                    flops / (total * 1e-3) / 1e12);
        for (auto* p : {Q, K, V, S, O}) XPU_CHECK(cudaFree(p));
      }
    }
  }
  std::fclose(out);
  cublasDestroy(h);
  return 0;
}
