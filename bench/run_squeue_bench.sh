#!/usr/bin/env bash
# squeue over a large pending queue (issue 12's figures): writes N held
# jobs straight into a fresh sluice-local cluster's store (submitting them
# one sbatch at a time would take most of the run), restarts it, and times
# `squeue` (every job printed) and `squeue -u NOBODY` (filtered on the
# controller) REPEAT times; medians. With REF=1 also times the reference
# Slurm's squeue (its queue filled beforehand; see docs/PERFORMANCE.md),
# interleaved run by run.
# Usage: [REF=1] bench/run_squeue_bench.sh [N=10000] [REPEAT=11]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000} REPEAT=${2:-11}
cmake --build build --target sluice-bench-acct-fill squeue sluice-local sluice-ctld sluice-noded sluice-stepd >/dev/null
build/bin/sluice-local down >/dev/null 2>&1 || true
rm -rf /tmp/sluice-local-0
build/bin/sluice-local up >/dev/null
CONF=/tmp/sluice-local-0/slurm.conf
STATE=$(sed -n 's/^StateSaveLocation=//p' "$CONF")
build/bin/sluice-local down >/dev/null
build/bin/sluice-bench-acct-fill "$STATE/sluice-jobs.db" "$N" 100 1 --pending >/dev/null
build/bin/sluice-local up >/dev/null
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
: > /tmp/sq.sluice; : > /tmp/sq.sluice_u; : > /tmp/sq.ref
SLURM_CONF=$CONF build/bin/squeue >/dev/null  # first snapshot
for _ in $(seq "$REPEAT"); do
  SLURM_CONF=$CONF ms build/bin/squeue >> /tmp/sq.sluice
  SLURM_CONF=$CONF ms build/bin/squeue -u nobody >> /tmp/sq.sluice_u
  if [ "${REF:-0}" = 1 ]; then SLURM_CONF=/tmp/refslurm/etc/slurm.conf ms /usr/bin/squeue >> /tmp/sq.ref; fi
done
lines=$(SLURM_CONF=$CONF build/bin/squeue | wc -l)
echo "sluice: $N pending jobs, squeue ${lines} lines: $(median < /tmp/sq.sluice) ms; squeue -u nobody: $(median < /tmp/sq.sluice_u) ms"
if [ "${REF:-0}" = 1 ]; then
  rl=$(SLURM_CONF=/tmp/refslurm/etc/slurm.conf /usr/bin/squeue | wc -l)
  r=$(median < /tmp/sq.ref); s=$(median < /tmp/sq.sluice)
  echo "slurm:  squeue ${rl} lines: $r ms; ratio sluice/slurm $(echo "$s/$r" | bc -l | cut -c1-4)"
fi
build/bin/sluice-local down >/dev/null
