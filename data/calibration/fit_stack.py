#!/usr/bin/env python3
"""Fits software-stack (data/stacks/*.yaml) and system parameters on the calibration rows of a
validation suite by coordinate search: each parameter in turn takes the value of its grid that
minimises the mean |log(predicted/published)| over the suite's role=calibration rows (a row
predicted infeasible counts as an error of 1). Held-out rows are never read by the objective.

usage: fit_stack.py XPUSIM_BINARY SUITE FILE:KEY=v1,v2,... [FILE:KEY=...] [--rounds N]
  FILE is relative to data/ (e.g. stacks/pytorch-fsdp.yaml); KEY's line must read
  `KEY: {value: X, source: ...}`. The fitted values are written back to data/.
"""
import csv, io, json, math, os, re, shutil, subprocess, sys, tempfile

def main():
    args = sys.argv[1:]
    rounds = 2
    if '--rounds' in args:
        i = args.index('--rounds'); rounds = int(args[i + 1]); del args[i:i + 2]
    binary, suite, specs = args[0], args[1], args[2:]
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    tmp = tempfile.mkdtemp()
    shutil.copytree(data, os.path.join(tmp, 'data'))
    tdata = os.path.join(tmp, 'data')
    params = []
    for s in specs:
        lhs, grid = s.split('=')
        f, key = lhs.split(':')
        params.append((f, key, grid.split(',')))

    def setv(f, key, v, root):
        p = os.path.join(root, f)
        txt = open(p).read()
        txt, n = re.subn(r'^(\s*%s: \{value: )("[^"]*"|[^,]*)(,)' % re.escape(key), lambda m: m.group(1) + v + m.group(3), txt, flags=re.M)
        if n != 1: sys.exit('%s: key %s not found once' % (f, key))
        open(p, 'w').write(txt)

    def getv(f, key):
        m = re.search(r'^\s*%s: \{value: ("[^"]*"|[^,]*),' % re.escape(key), open(os.path.join(tdata, f)).read(), re.M)
        return m.group(1)

    def loss():
        out = subprocess.run([binary, 'validate', '--suite', suite, '--format', 'csv'], env=dict(os.environ, XPUSIM_DATA_DIR=tdata),
                             capture_output=True, text=True).stdout
        # One CSV row per case (suite, ..., predicted, signed_error, role).
        rows = [r for r in csv.DictReader(io.StringIO(out)) if r['suite'] == suite]
        cases = [{'predicted': float(r['predicted']), 'published': float(r['published'])}
                 for r in rows if r['role'] == 'calibration']
        return sum(abs(math.log(c['predicted'] / c['published'])) if c['predicted'] > 0 else 1.0 for c in cases) / len(cases)

    best = loss()
    print('start', round(best, 4))
    for r in range(rounds):
        for f, key, grid in params:
            cur = getv(f, key)
            for v in grid:
                setv(f, key, v, tdata)
                l = loss()
                if l < best - 1e-6: best, cur = l, v
            setv(f, key, cur, tdata)
            print('round', r, key, '=', cur, 'loss', round(best, 4), flush=True)
    for f, key, _ in params:
        setv(f, key, getv(f, key), data)
    shutil.rmtree(tmp)

main()
