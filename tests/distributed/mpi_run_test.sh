#!/usr/bin/env bash
# `xpusim run --mpi` under mpirun: a 10,000-scenario run file gives byte-identical output with
# 2 ranks and with one process; a rank killed mid-run (XPUSIM_MPI_KILL) loses no point under
# --enable-recovery, and without it the job fails loudly with a correct prefix written.
set -euo pipefail
xpusim="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
fail() { echo "FAIL: $*" >&2; exit 1; }

{
  echo "defaults: {model: llama3-8b, system: dgx-h100, seq_len: 4096}"
  echo "scenarios:"
  i=0
  for gpus in 8 16 32 64 128; do for tp in 1 2 4 8; do for pp in 1 2 4; do for gb in 64 128 256 512; do
    for mb in 1 2; do for rc in none selective full; do for sl in 2048 4096 8192 16384 32768 65536 131072; do
      [ $i -ge 10000 ] && break 7
      echo "  - {name: p$i, gpus: $gpus, tp: $tp, pp: $pp, global_batch: $gb, micro_batch: $mb, recompute: $rc, seq_len: $sl}"
      i=$((i + 1))
    done; done; done; done; done; done; done
} > "$work/run.yaml"
[ "$(grep -c 'name: p' "$work/run.yaml")" -eq 10000 ] || fail "expected 10000 scenarios"

# Exit 1 is expected: some layouts do not fit.
set +e
"$xpusim" run "$work/run.yaml" --format jsonl > "$work/one.jsonl"; rc_one=$?
mpirun -n 2 "$xpusim" run "$work/run.yaml" --format jsonl --mpi --mpi-batch 128 > "$work/two.jsonl" 2> "$work/two.err"
rc_two=$?
set -e
[ "$rc_one" -eq 1 ] || fail "single process exit $rc_one"
[ "$rc_two" -eq 1 ] || fail "mpirun -n 2 exit $rc_two: $(cat "$work/two.err")"
[ "$(wc -l < "$work/one.jsonl")" -eq 10001 ] || fail "expected a context line and 10000 rows"
cmp "$work/one.jsonl" "$work/two.jsonl" || fail "2-rank output differs from one process"
grep -q "mpi: 2 ranks" "$work/two.err" || fail "no MPI summary on stderr"

# CSV too (the header comes from the first row, which must be the same row).
"$xpusim" run "$work/run.yaml" --format csv > "$work/one.csv" || true
mpirun -n 2 "$xpusim" run "$work/run.yaml" --format csv --mpi > "$work/two.csv" 2>/dev/null || true
cmp "$work/one.csv" "$work/two.csv" || fail "2-rank CSV differs from one process"

# Rank 1 dies on its third batch. With --enable-recovery rank 0 re-runs what it held.
set +e
XPUSIM_MPI_KILL=1:2 mpirun -n 2 --enable-recovery -x XPUSIM_MPI_KILL "$xpusim" run "$work/run.yaml" --format jsonl \
  --mpi --mpi-batch 128 > "$work/killed.jsonl" 2> "$work/killed.err"
set -e
cmp "$work/one.jsonl" "$work/killed.jsonl" || fail "a killed rank lost or changed rows: $(cat "$work/killed.err")"
grep -q "rank 1 had not returned points" "$work/killed.err" || fail "the killed rank's points were not reported"

# Without recovery Open MPI ends the job: a non-zero exit, and what was written is a prefix.
set +e
XPUSIM_MPI_KILL=1:2 mpirun -n 2 -x XPUSIM_MPI_KILL "$xpusim" run "$work/run.yaml" --format jsonl --mpi \
  --mpi-batch 128 > "$work/aborted.jsonl" 2> /dev/null
rc_abort=$?
set -e
[ "$rc_abort" -ne 0 ] && [ "$rc_abort" -ne 1 ] || fail "an aborted job exited $rc_abort"
lines=$(($(wc -l < "$work/aborted.jsonl")))
[ "$lines" -lt 10001 ] || fail "the aborted job wrote every row"
cmp <(head -n "$lines" "$work/one.jsonl") <(head -n "$lines" "$work/aborted.jsonl") || fail "aborted output is not a prefix"
# xpusim sweep --mpi: each point a full search, one point per batch; rows equal one process's
# except for the search's own wall time.
sweep=(sweep --model llama3-8b --system dgx-h100 --gpus 8,16,32,64 --seq-len 2048 --global-batch 64 --format jsonl)
strip_time() { sed -E 's/"search_elapsed_s":[0-9.e+-]+/"search_elapsed_s":T/'; }
"$xpusim" "${sweep[@]}" | strip_time > "$work/sweep-one.jsonl"
mpirun -n 2 "$xpusim" "${sweep[@]}" --mpi 2> "$work/sweep.err" | strip_time > "$work/sweep-two.jsonl"
[ "$(wc -l < "$work/sweep-one.jsonl")" -eq 5 ] || fail "expected a context line and 4 sweep rows"
cmp "$work/sweep-one.jsonl" "$work/sweep-two.jsonl" || fail "2-rank sweep differs from one process: $(cat "$work/sweep.err")"

# xpusim chip sweep --mpi: points computed on both ranks, gathered by rank 0, which ranks the
# Pareto front and writes as one process does (JSON Lines and the HTML report).
chip=(chip sweep --base dgx-h100 --vary memory.stacks=4,5,6,8 --vary peak_flops_per_s.bf16=800TFLOP/s,989.4TFLOP/s,1200TFLOP/s
  --train llama3-8b --gpus 8 --seq-len 2048 --global-batch 64 --pareto throughput,cost --format jsonl)
# Each run in a directory of its own with the same relative report name: the recorded command is the same.
mkdir "$work/one" "$work/two"
(cd "$work/one" && "$xpusim" "${chip[@]}" --report chip.html > "$work/chip-one.jsonl")
(cd "$work/two" && mpirun -n 2 "$xpusim" "${chip[@]}" --mpi --report chip.html > "$work/chip-two.jsonl" 2> "$work/chip.err")
[ "$(wc -l < "$work/chip-one.jsonl")" -eq 13 ] || fail "expected a context line and 12 design points"
grep -q '"pareto":true' "$work/chip-one.jsonl" || fail "no point on the Pareto front"
cmp "$work/chip-one.jsonl" "$work/chip-two.jsonl" || fail "2-rank chip sweep differs from one process: $(cat "$work/chip.err")"
cmp "$work/one/chip.html" "$work/two/chip.html" || fail "2-rank chip sweep report differs from one process"
grep -q "mpi: 2 ranks, 12 batches" "$work/chip.err" || fail "chip sweep: no MPI summary on stderr"

echo "mpi run: identical with 2 ranks, recovered from a killed rank, aborted cleanly without recovery ($lines lines)"
