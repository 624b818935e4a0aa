#!/usr/bin/env bash
# A full `squeue` on a busy cluster with a deep queue (issue 12 point 6), the
# way bench/run --against-slurm sees it: a 4-node sluice-local cluster
# whose nodes all run one exclusive job (so they report every 2 s and the
# periodic pass keeps planning), N jobs pending behind it (written held
# into the store, then released), and REPEAT `squeue` calls 1.6 s apart
# (about Slurm's own `squeue` time at 100,000, which the interleaved run
# puts between them). Prints the median, each call's time, and how many
# readers' copies the calls caused (QueryCluster's figures).
# With CTLD_A and CTLD_B (two sluice-ctld builds; give copies) it
# alternates them on the same queue, PAIRS rounds: before each restart the
# queue is held (the restart ends the exclusive job), then a new exclusive
# job starts and the queue is released again.
# Usage: [CTLD_A=bin CTLD_B=bin PAIRS=2] bench/run_busy_squeue_bench.sh [N=100000] [REPEAT=9]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000} REPEAT=${2:-9}
cmake --build build --target sluice-bench-acct-fill sluice-bench-burst squeue sbatch scancel \
  scontrol sluice-local sluice-ctld sluice-noded sluice-stepd >/dev/null
. bench/lib_local.sh
export PATH=$PWD/build/bin:$PATH
build/bin/sluice-local down >/dev/null 2>&1 || true
rm -rf /tmp/sluice-local-0
build/bin/sluice-local up --nodes 4 --cpus-per-node 8 >/dev/null
export SLURM_CONF=/tmp/sluice-local-0/slurm.conf
STATE=$(sed -n 's/^StateSaveLocation=//p' "$SLURM_CONF")
build/bin/sluice-local down >/dev/null
build/bin/sluice-bench-acct-fill "$STATE/sluice-jobs.db" "$N" 100 1 --pending >/dev/null
UP=(--nodes 4 --cpus-per-node 8 --conf "$SLURM_CONF")  # (alternate_ctlds restarts so too)
up() { build/bin/sluice-local up "${UP[@]}" >/dev/null; }
busy() {  # every node busy with one exclusive job, before anything is released
  scancel -u root 2>/dev/null || true
  sbatch -N4 --exclusive -o /dev/null --wrap "sleep 100000" >/dev/null
  local deadline=$((SECONDS + 60))
  until [ -n "$(squeue -h -t R -o %i)" ]; do
    [ $SECONDS -lt $deadline ] || { echo "the exclusive job did not start" >&2; exit 1; }
    sleep 0.2
  done
}
ids() {  # ids VERB: scontrol VERB of every filled job, 2,000 at a time
  seq 1 "$N" | xargs -n 2000 sh -c 'scontrol '"$1"' $(echo "$@" | tr " " ",")' _
}
up
busy
ids release
copies() { build/bin/sluice-bench-burst --conf "$SLURM_CONF" --pass-stats | awk '{print $5}'; }
measure() {
  local c0 c1 s e times=()
  squeue >/dev/null  # the first call after a start makes the first copy
  sleep 1.6
  c0=$(copies)
  for _ in $(seq "$REPEAT"); do
    s=$(date +%s%N); squeue >/dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
    sleep 1.6
  done
  c1=$(copies)
  printf 'squeue, %d pending: median %s ms [%s]; %d copies in %d calls\n' "$N" \
    "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "${times[*]}" "$((c1 - c0))" "$REPEAT"
}
# Between builds: the queue held before the restart (it ends the exclusive
# job, and the queue would start on the nodes it frees), then a new
# exclusive job and the queue released again.
hold_all() { ids hold; }
measure_again() {
  if [ -n "${CTLD_A:-}" ]; then busy; ids release; fi
  measure
}
alternate_ctlds measure_again hold_all
