#!/usr/bin/env bash
# Finished jobs kept in memory for MinJobAge must not slow the scheduling
# passes: on a fresh sluice-local cluster with PENDING held jobs, takes the
# controller's mean pass run time (QueryCluster's scheduling stats) over
# SRUNS runnable submissions, each started by a pass; then submits and
# cancels FINISHED more held jobs (kept for MinJobAge, 300 s here) and
# takes it again. Prints both and their ratio.
# With CTLD_A and CTLD_B (two sluice-ctld builds; give copies) each pair of
# PAIRS rounds runs A then B, each on a fresh cluster.
# Usage: [CTLD_A=bin CTLD_B=bin PAIRS=2] bench/run_finished_jobs_bench.sh [PENDING=2000] [FINISHED=10000] [SRUNS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
PENDING=${1:-2000} FINISHED=${2:-10000} SRUNS=${3:-30}
cmake --build build --target sluice-bench-burst sluice-local sbatch scancel sluice-ctld \
  sluice-noded sluice-stepd >/dev/null
. bench/lib_local.sh
export SLURM_CONF=/tmp/sluice-local-0/slurm.conf PATH=$PWD/build/bin:$PATH
burst() { build/bin/sluice-bench-burst --conf "$SLURM_CONF" "$@"; }
pass_ms() {  # mean pass run time (ms) over SRUNS runnable submissions
  local p0 r0 p1 r1
  read -r p0 r0 _ < <(burst --pass-stats)
  burst --sequential "$SRUNS" --runnable >/dev/null
  read -r p1 r1 _ < <(burst --pass-stats)
  echo "($r1 - $r0) / 1000 / ($p1 - $p0)" | bc -l
}
measure() {
  local first last before after
  build/bin/sluice-local down >/dev/null 2>&1 || true
  rm -rf /tmp/sluice-local-0
  build/bin/sluice-local up >/dev/null
  burst --sequential "$PENDING" >/dev/null  # held: they stay pending
  before=$(pass_ms)
  first=$(sbatch --parsable -H -o /dev/null --wrap true)
  burst --sequential "$FINISHED" >/dev/null
  last=$(sbatch --parsable -H -o /dev/null --wrap true)
  seq "$first" "$last" | xargs -n 500 scancel
  after=$(pass_ms)
  printf 'pass run %.3f ms with %d pending; %.3f ms with %d finished jobs kept too; ratio %.2f\n' \
    "$before" "$PENDING" "$after" "$((last - first + 1))" "$(echo "$after / $before" | bc -l)"
}
# (Each measure starts its own fresh cluster.)
alternate_ctlds measure
