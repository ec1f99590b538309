#!/usr/bin/env bash
# Builds and runs every GPU microbenchmark on the machine's first GPU and writes the CSVs to
# data/calibration/gpu/<date>_<device>/ (or to $1). Run it on the device machine from the
# repository root: `bash validation/gpu/run_all.sh "$OUT"`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
device=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr ' ' '_' | tr -cd '[:alnum:]_-')
dest=${1:-$here/../../data/calibration/gpu/$(date -u +%Y-%m-%d)_${device}}
mkdir -p "$dest"
build=$(mktemp -d)
arch="-gencode=arch=compute_90,code=sm_90 -gencode=arch=compute_80,code=sm_80"
nvcc -O3 -std=c++17 $arch -o "$build/gemm_bench" "$here/gemm_bench.cu" -lcublasLt
nvcc -O3 -std=c++17 $arch -o "$build/hbm_bench" "$here/hbm_bench.cu"
nvcc -O3 -std=c++17 $arch -o "$build/attention_bench" "$here/attention_bench.cu" -lcublas
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv > "$dest/device.csv"
"$build/hbm_bench" "$dest/hbm.csv"
"$build/gemm_bench" "$dest/gemm.csv"
"$build/attention_bench" "$dest/attention.csv"
echo "wrote $dest"
