#!/usr/bin/env bash
# What one readers' job copy costs the controller's strand (issue 12 point
# 5): starts a sluice-local cluster, fills it with PENDING held jobs over
# one client, then ROUNDS times makes a change (one held submission) and a
# read (`squeue -n NOSUCH`: it names no job or user, so it needs a fresh copy
# of every job; a read naming jobs is answered without one); prints the
# copies made and the strand's mean parked time per copy and per job, from
# the controller's own figures (QueryCluster's SchedulingStats).
# With CTLD_A and CTLD_B (two sluice-ctld builds) it alternates them on the
# same queue (held jobs survive a restart) for PAIRS rounds each.
# Usage: [CTLD_A=bin CTLD_B=bin PAIRS=2] bench/run_copy_cost.sh [PENDING=2000] [ROUNDS=60]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib_local.sh
PENDING=${1:-2000} ROUNDS=${2:-60}
cmake --build build --target sluice-bench-burst sluice-local squeue sluice-ctld sluice-noded sluice-stepd >/dev/null
build/bin/sluice-local down >/dev/null 2>&1 || true
rm -rf /tmp/sluice-local-0
build/bin/sluice-local up >/dev/null
export SLURM_CONF=/tmp/sluice-local-0/slurm.conf PATH=$PWD/build/bin:$PATH
build/bin/sluice-bench-burst --conf "$SLURM_CONF" --sequential "$PENDING" >/dev/null
stats() { build/bin/sluice-bench-burst --conf "$SLURM_CONF" --pass-stats; }
measure() {
  local k0 kt0 k1 kt1 _
  squeue -h >/dev/null
  read -r _ _ _ _ k0 kt0 j0 < <(stats)
  for _ in $(seq "$ROUNDS"); do
    build/bin/sluice-bench-burst --conf "$SLURM_CONF" --sequential 1 >/dev/null
    squeue -h -n nosuch >/dev/null 2>&1 || true
  done
  read -r _ _ _ _ k1 kt1 j1 < <(stats)
  local n; n=$(squeue -h -o %i | wc -l)
  printf 'jobs %d copies %d parked %.3f ms per copy, %.3f us per job; %.1f jobs converted per copy\n' "$n" $((k1 - k0)) \
    "$(echo "($kt1 - $kt0) / 1000 / ($k1 - $k0)" | bc -l)" "$(echo "($kt1 - $kt0) / ($k1 - $k0) / $n" | bc -l)" \
    "$(echo "($j1 - $j0) / ($k1 - $k0)" | bc -l)"
}
alternate_ctlds measure
