#!/usr/bin/env python3
"""Writes data/memory/*.yaml from the simulator presets in refdata/hbm_timings.csv.

Measured presets (HBM2 2.0 Gb/s from DRAMSys, HBM3 6.4 Gb/s from Ramulator 2) are copied as cycle
counts with their source. No open simulator ships HBM2E or HBM3E presets (refdata README), so those
speed grades are estimates: each timing is the base preset's nanosecond value (cycles x tCK)
re-expressed in cycles of the faster clock, rounded up (a DRAM core does not get faster when the
interface does); burst and command-spacing counts that are fixed in cycles (nBL, nCCDS) are kept.
Run: python3 data/memory/derive_timing_sets.py  (from the repository root)
"""
import csv, math, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
REF = pathlib.Path(os.environ.get("XPUSIM_REFDATA", "/work/shared/refdata")) / "hbm_timings.csv"
OUT = ROOT / "data" / "memory"
NAMES = ["nBL", "nCL", "nCWL", "nRCDRD", "nRCDWR", "nRP", "nRAS", "nRC", "nRRDS", "nRRDL", "nFAW",
         "nCCDS", "nCCDL", "nCCDR", "nWR", "nWTRS", "nWTRL", "nRTP", "nRTW", "nRFC", "nREFI",
         "nRFCpb", "nREFIpb", "nRREFD"]
FIXED_CYCLES = {"nBL", "nCCDS"}  # set by the burst length in clock cycles, not by the DRAM core

rows = list(csv.DictReader(open(REF)))
def preset(name):
    return {r["param"]: r for r in rows if r["timing_set"] == name}

def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', "'") + '"'

def emit(path, name, gen, pin_gbps, tck_ns, tck_src, org, timings, header):
    lines = [f"# {header}", f"name: {name}", f"generation: {gen}",
             f"pin_rate: {{value: \"{pin_gbps} Gb/s\", source: {q(pin_src[gen])}}}",
             f"clock_period: {{value: \"{tck_ns:.6g} ns\", source: {q(tck_src)}}}", "organisation:"]
    for k, (v, s) in org.items():
        lines.append(f"  {k}: {{value: {v}, source: {q(s)}}}")
    lines.append("timings:  # in cycles of clock_period")
    for k in NAMES:
        v, s = timings[k]
        lines.append(f"  {k}: {{value: {v}, source: {q(s)}}}")
    (OUT / path).write_text("\n".join(lines) + "\n")

JEDEC_HBM3 = "JEDEC JESD238 press release (refdata hbm_generations.csv, HBM3 pin_rate_gbps)"
pin_src = {
    "hbm2": "JESD235A 256 GB/s per stack / 1024 bits = 2.0 Gb/s (refdata hbm_generations.csv, pin_rate_gbps_jesd235a)",
    "hbm2e": "JESD235C 3.2 Gb/s (TechSpot JEDEC table) and vendor bins to 3.6 Gb/s (rooflinenotes.dev), refdata hbm_generations.csv",
    "hbm3": JEDEC_HBM3,
    "hbm3e": "vendor HBM3E bins: Micron 9.2 Gb/s (Tweakers), SK hynix 9.6 Gb/s (TrendForce), refdata hbm_generations.csv",
}

# --- HBM2 2.0 Gb/s: DRAMSys HBM2.json (timings from a Radeon HBM2 card), complete incl. nRTW, nCCDR.
ds = preset("dramsys:HBM2")
ds_src = "refdata hbm_timings.csv dramsys:HBM2 (tukl-msd/DRAMSys configs/memspec/HBM2.json @ 2107966)"
hbm2_t = {k: (int(ds[k]["value"]), f"{ds_src} {k}") for k in NAMES}
hbm2_org = {
    "channels_per_stack": (8, "JESD235B press release: 1024-bit interface in 8 channels (refdata hbm_generations.csv)"),
    "pseudo_channels_per_channel": (2, f"{ds_src} pseudo_channels"),
    "pseudo_channel_width_bits": (64, f"{ds_src} data_width_bits"),
    "stack_ids": (2, f"{ds_src} sids (8-Hi)"),
    "bank_groups_per_sid": (4, f"{ds_src}: 8 bank groups per pseudo channel over 2 SIDs"),
    "banks_per_group": (4, f"{ds_src}: 32 banks / 8 bank groups"),
    "rows": (32768, f"{ds_src} rows"),
    "columns": (32, f"{ds_src} columns (bursts per row: 32 x 32 B = 1 KiB page, gem5 HBM_2000_4H_1x64 device_rowbuffer_size 1 KiB)"),
    "burst_length": (4, f"{ds_src} burst_length"),
}
emit("hbm2-2000.yaml", "hbm2-2000", "hbm2", "2.0", 1.0, f"{ds_src} tCK = 1 ns", hbm2_org, hbm2_t,
     "HBM2 2.0 Gb/s (DDR, 1 GHz clock): DRAMSys HBM2 memspec, measured-card timings.")

# --- HBM3 6.4 Gb/s: Ramulator 2 HBM3_6400Mbps with org HBM3_8Gb_8hi (the preset's default; nRFC
# and nREFIpb in refdata were derived for it).
r3 = preset("ramulator2:HBM3_6400Mbps")
r3_src = "refdata hbm_timings.csv ramulator2:HBM3_6400Mbps (CMU-SAFARI/ramulator2 python/ramulator/dram/hbm3.py @ c5b1c3a)"
org_src = "refdata hbm_timings.csv ramulator2:HBM3_8Gb_8hi (org), comment: JESD238 Table 4"
hbm3_t = {k: (int(r3[k]["value"]), f"{r3_src} {k}") for k in NAMES}
hbm3_org = {
    "channels_per_stack": (16, "JESD238 press release: 16 independent channels (refdata hbm_generations.csv)"),
    "pseudo_channels_per_channel": (2, "JESD238 press release: two pseudo channels per channel (refdata hbm_generations.csv)"),
    "pseudo_channel_width_bits": (32, f"{org_src} dq_width"),
    "stack_ids": (2, f"{org_src} sids"),
    "bank_groups_per_sid": (4, f"{org_src} bank_groups"),
    "banks_per_group": (4, f"{org_src} banks_per_group"),
    "rows": (8192, f"{org_src} rows"),
    "columns": (32, f"{org_src} columns 256 = 32 column addresses x BL8 (32 x 32 B = 1 KiB page)"),
    "burst_length": (8, "refdata hbm_generations.csv HBM3 burst_length 8 (ramulator2 internal_prefetch_size 8)"),
}
emit("hbm3-6400.yaml", "hbm3-6400", "hbm3", "6.4", 0.625, f"{r3_src} tCK 0.625 ns (4 transfers per clock)",
     hbm3_org, hbm3_t, "HBM3 6.4 Gb/s (1.6 GHz clock, 4 transfers per clock): Ramulator 2 preset.")

def scale(base, base_tck, base_name, tck):
    out = {}
    for k in NAMES:
        c = base[k][0]
        if k in FIXED_CYCLES:
            out[k] = (c, f"estimate: {base_name} {k} = {c} cycles kept (burst/command spacing fixed in clocks)")
        else:
            ns = c * base_tck
            v = max(1, math.ceil(ns / tck - 1e-9))
            out[k] = (v, f"estimate: {base_name} {k} {c} cycles x {base_tck:g} ns = {ns:g} ns; ceil({ns:g} / {tck:.6g}) = {v}")
    # A same-bank-group column spacing can never be shorter than the burst.
    out["nCCDL"] = (max(out["nCCDL"][0], out["nBL"][0]), out["nCCDL"][1])
    # Rounding each term up separately can leave tRC below tRAS + tRP; the row cycle cannot be shorter.
    ras_rp = out["nRAS"][0] + out["nRP"][0]
    if out["nRC"][0] < ras_rp:
        out["nRC"] = (ras_rp, out["nRC"][1] + f"; raised to nRAS + nRP = {ras_rp}")
    return out

for rate in (3.2, 3.6):
    tck = 2.0 / rate  # DDR: two transfers per clock
    name = f"hbm2e-{int(rate * 1000)}"
    org = dict(hbm2_org)
    org["rows"] = (65536, "estimate: 16 Gb HBM2E die (JESD235C 2 GB per die, refdata hbm_generations.csv) = twice the rows of the 8 Gb DRAMSys HBM2 die at the same 1 KiB page")
    emit(f"{name}.yaml", name, "hbm2e", f"{rate}", tck,
         f"derived: DDR, 2 transfers per clock: 2 / {rate} Gb/s = {tck:.6g} ns",
         org, scale(hbm2_t, 1.0, "DRAMSys HBM2 2.0 Gb/s", tck),
         f"HBM2E {rate} Gb/s: estimate scaled from the DRAMSys HBM2 nanosecond timings (no open simulator ships HBM2E).")

for rate in (8.0, 9.2, 9.6):
    tck = 4.0 / rate  # 4 transfers per clock, as HBM3
    name = f"hbm3e-{int(round(rate * 1000))}"
    org = dict(hbm3_org)
    org["channels_per_stack"] = (16, "rooflinenotes.dev HBM catalog: HBM3E has 16 independent channels (refdata hbm_generations.csv)")
    org["rows"] = (16384, "estimate: ramulator2:HBM3_16Gb_8hi (org) rows (JESD238 Table 4); HBM3E 24 Gb dies keep the HBM3 bank structure")
    t = scale(hbm3_t, 0.625, "Ramulator 2 HBM3 6.4 Gb/s", tck)
    ns = 350.0
    v = math.ceil(ns / tck - 1e-9)
    t["nRFC"] = (v, f"estimate: tRFC 350 ns for a >4 Gb channel (Ramulator 2 hbm3.py tRFC table citing JESD238 Table 84); ceil(350 / {tck:.6g}) = {v}")
    emit(f"{name}.yaml", name, "hbm3e", f"{rate}", tck,
         f"derived: 4 transfers per clock as HBM3: 4 / {rate} Gb/s = {tck:.6g} ns",
         org, t, f"HBM3E {rate} Gb/s: estimate scaled from the Ramulator 2 HBM3 nanosecond timings (no open simulator ships HBM3E).")
