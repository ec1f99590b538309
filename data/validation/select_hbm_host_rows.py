#!/usr/bin/env python3
"""Writes data/validation/hbm_host.csv: the GPU-level memory rows of refdata/gpu_kernels.csv that
the hbm suite predicts through the host access model (memory/host_access.hpp), with the columns it
needs. Source columns are copied unchanged; added: chip, active_units (SM-equivalents at full
occupancy, 2048 threads per H100 SM: a 1024-thread block is half of one; 528 blocks of 1024
threads keep 2 resident per SM on 132 SMs = 132), read_fraction, chunk_bytes, total_bytes, role
(fit = calibration, hold = held out).
Run: python3 data/validation/select_hbm_host_rows.py  (from the repository root)
"""
import csv, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
REF = pathlib.Path(os.environ.get("XPUSIM_REFDATA", "/work/shared/refdata")) / "gpu_kernels.csv"
rows = {r["case_id"]: r for r in csv.DictReader(open(REF))}
KEEP = ["case_id", "source", "device", "kernel_family", "library", "metric", "value", "unit", "notes"]
out = []
def add(cid, role, units="", rf="", chunk="", total=""):
    r = {k: rows[cid][k] for k in KEEP}
    r.update(chip="h100-sxm5-80gb", active_units=units, read_fraction=rf, chunk_bytes=chunk, total_bytes=total, role=role)
    out.append(r)
# Unloaded latency: single-thread pointer chase over 256 MB (fits the fabric latency).
add("mem_cudastudy_h100_latency_HBM_ns", "fit")
# Copy kernels (256 MB, counted as read + write): the window at each launch size. The 1-thread and
# 1-warp rows are instruction-issue bound, not memory bound, and are left out.
for cid, role, units in [("mem_cudastudy_h100_hbm_copy_1_SM", "fit", 0.5), ("mem_cudastudy_h100_hbm_copy_32_SMs", "hold", 16),
                         ("mem_cudastudy_h100_hbm_copy_64_SMs", "hold", 32), ("mem_cudastudy_h100_hbm_copy_132_SMs", "fit", 66),
                         ("mem_cudastudy_h100_hbm_copy_528_blocks", "hold", 132)]:
    add(cid, role, units, 0.5, "", 2 * 268435456)
# Paged-KV decode (FlashAttention-3, page_size 8 tokens x head dim 128 x 2 B = 2 KiB pages per head,
# K and V): KV bytes = batch 16 x 32 heads x seq x 128 x 2 (K, V) x 2 B.
for s in (128, 2000, 4000):
    add(f"attn_decode_fa3_1572_h100_s{s}_bw", "hold", 132, 1.0, 2048, 16 * 32 * s * 128 * 2 * 2)
cols = KEEP + ["chip", "active_units", "read_fraction", "chunk_bytes", "total_bytes", "role"]
with open(ROOT / "data" / "validation" / "hbm_host.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols)
    w.writeheader()
    w.writerows(out)
