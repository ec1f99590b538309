"""Refits the cost-model calibration of the catalog chips and rewrites the `calibration:` block at
the end of data/hardware/chips/<chip>.yaml.

Run from the repository root after building: python3 data/calibration/refit_chips.py build/<dir>/src/cli/xpusim
Each fit is `xpusim op calibrate --chip C` (coordinate descent on the chip's use=fit rows of
data/calibration/gpu_kernels.csv, starting from the values already in the catalog). Chips without
enough rows take a sibling's fitted values, marked `estimate:` with the reason.
"""
import json, subprocess, sys

XPUSIM = sys.argv[1]
CHIPS = 'data/hardware/chips/'
FITTED = ['h100-sxm5-80gb', 'h800-sxm5-80gb', 'a100-sxm4-80gb', 'gb200', 'mi300x', 'h200-sxm-141gb']
GEN3 = 'FlashAttention-3 targets Hopper sm90 (flash-attention README); FA2 and FA3 rows of H100 differ by 2x at equal shape'
GEN2 = 'FlashAttention-3 needs Hopper; this chip runs FlashAttention-2'


def fmt(name, v):
    if name == 'l2_bandwidth':
        return '"%.4g TB/s"' % (v / 1e12)
    if name == 'kernel_launch_overhead':
        return '"%.4g us"' % (v * 1e6)
    if name.endswith('cycles') or name == 'attention_kernel_generation':
        return '%d' % round(v)
    return '%.4g' % v


def write(chip, entries):
    path = CHIPS + chip + '.yaml'
    text = open(path).read()
    cut = text.find('\ncalibration:')
    if cut >= 0:
        text = text[:cut + 1]
    lines = ['calibration:  # operator cost model: src/cost/op_cost.hpp, docs/cost_model.md']
    for name, (v, src) in entries.items():
        lines.append('  %s: {value: %s, source: "%s"}' % (name, fmt(name, v), src.replace('"', "'")))
    open(path, 'w').write(text + '\n'.join(lines) + '\n')


def calibrate(chip):
    out = subprocess.run([XPUSIM, 'op', 'calibrate', '--chip', chip, '--format', 'json'], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


plan, fits = {}, {}


def add(chip, src_chip, names=None, note=None, extra=None):
    d = fits[src_chip]
    e = plan.setdefault(chip, {})
    for k, v in d['parameters'].items():
        if (names and k not in names) or k in e:
            continue
        src = 'fitted on data/calibration/gpu_kernels.csv: rows use=fit, chip=%s (%d rows), xpusim op calibrate' % (
            src_chip, d['fit_rows'])
        e[k] = (v, src if src_chip == chip else 'estimate: value fitted for %s (%s); %s' % (src_chip, note, src))
    for k, v in (extra or {}).items():
        e.setdefault(k, v)


for chip in FITTED:
    fits[chip] = calibrate(chip)
add('h100-sxm5-80gb', 'h100-sxm5-80gb', extra={'attention_kernel_generation': (3, GEN3)})
# Only H100 has HBM streaming rows: the other NVIDIA chips take its fabric efficiency.
for other in ('h800-sxm5-80gb', 'h200-sxm-141gb', 'a100-sxm4-80gb', 'a100-sxm4-40gb', 'gb200', 'b200'):
    add(other, 'h100-sxm5-80gb', names=['hbm_fabric_efficiency'],
        note='on-chip fabric efficiency of HBM streams; only H100 has streaming rows in the reference data')
for sib in ('h800-sxm5-80gb', 'h200-sxm-141gb'):
    add(sib, sib)
    add(sib, 'h100-sxm5-80gb', note='same GH100 SMs; no attention or 16-bit rows of its own where inherited',
        extra={'attention_kernel_generation': (3, GEN3)})
add('a100-sxm4-80gb', 'a100-sxm4-80gb', extra={'attention_kernel_generation': (2, GEN2)})
add('a100-sxm4-80gb', 'h100-sxm5-80gb', names=['attention_bwd_efficiency_ratio'],
    note='backward/forward MMA utilisation of FA2; A100 rows are fwd+bwd only, so the ratio is not identifiable there')
add('a100-sxm4-40gb', 'a100-sxm4-80gb', note='same GA100 die and clocks; HBM2 instead of HBM2e',
    extra={'attention_kernel_generation': (2, GEN2)})
add('a100-sxm4-40gb', 'h100-sxm5-80gb', names=['attention_bwd_efficiency_ratio'], note='FA2 backward/forward ratio')
add('gb200', 'gb200')
add('b200', 'gb200', note='same Blackwell die; the B200 rows are held out')
add('mi300x', 'mi300x', extra={'attention_kernel_generation': (2, GEN2)})
add('mi325x', 'mi300x', note='same CDNA3 die with HBM3E; the MI325X rows are held out',
    extra={'attention_kernel_generation': (2, GEN2)})
for chip, entries in plan.items():
    write(chip, entries)
print(json.dumps({c: {k: v[0] for k, v in e.items()} for c, e in plan.items()}, indent=1))
