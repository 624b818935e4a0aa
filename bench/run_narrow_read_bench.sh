#!/usr/bin/env bash
# One user's few jobs out of a deep queue that keeps changing (issue 14
# point 5): writes N held jobs straight into a fresh sluice-local cluster's
# store, gives alice 10 held jobs, then, while a background submitter adds
# a held job every 0.2 s (each one makes the readers' copy out of date),
# times `squeue -u alice` and `squeue` (every job) REPEAT times each,
# alternated; medians in ms.
# With CTLD_A and CTLD_B (two sluice-ctld builds) it alternates them on the
# same queue (held jobs survive a restart), PAIRS rounds each (give copies:
# build/bin/sluice-ctld itself is replaced while they run).
# Usage: [CTLD_A=bin CTLD_B=bin PAIRS=2] bench/run_narrow_read_bench.sh [N=100000] [REPEAT=11]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000} REPEAT=${2:-11}
cmake --build build --target sluice-bench-acct-fill squeue sbatch sluice-local sluice-ctld \
  sluice-noded sluice-stepd >/dev/null
. bench/lib_local.sh
id alice >/dev/null 2>&1 || useradd -m alice
fresh_local_filled "$N" 100 1 --pending
bin=$(mktemp -d)
cp build/bin/squeue build/bin/sbatch "$bin/" && chmod 755 "$bin" "$bin"/*
for _ in $(seq 10); do
  su alice -c "cd /tmp && SLURM_CONF=$SLURM_CONF $bin/sbatch -H -o /dev/null --wrap true" >/dev/null
done
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
measure() {
  build/bin/squeue -h -u alice >/dev/null
  (while :; do build/bin/sbatch -H -o /dev/null --wrap true >/dev/null 2>&1; sleep 0.2; done) &
  local trickle=$!
  : > /tmp/nr.u; : > /tmp/nr.all
  for _ in $(seq "$REPEAT"); do
    ms build/bin/squeue -u alice >> /tmp/nr.u
    ms build/bin/squeue >> /tmp/nr.all
  done
  kill "$trickle"; wait "$trickle" 2>/dev/null || true
  local lines; lines=$(build/bin/squeue -h -u alice | wc -l)
  echo "squeue -u alice ($lines jobs): $(median < /tmp/nr.u) ms; squeue (every job): $(median < /tmp/nr.all) ms"
}
alternate_ctlds measure
rm -rf "$bin"
