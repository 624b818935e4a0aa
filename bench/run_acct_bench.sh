#!/usr/bin/env bash
# sacct over a large store (issue 12's figure: sacct -u USER over 1,000,000
# finished jobs): fills a fresh sluice-local cluster's store, restarts it,
# and times sacct REPEAT times per query; prints the median wall time.
# Usage: bench/run_acct_bench.sh [N=1000000] [REPEAT=11]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000} REPEAT=${2:-11}
cmake --build build --target sluice-bench-acct-fill sacct sluice-local sluice-ctld sluice-noded sluice-stepd >/dev/null
. bench/lib_local.sh
fresh_local_filled "$N"
ls -l "$STATE/sluice-jobs.db" | awk '{printf "store: %.0f MB\n", $5/1e6}'
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {  # run LABEL ARGS...: median ms of REPEAT runs, and the rows printed
  local label=$1; shift
  local rows; rows=$(build/bin/sacct "$@" | wc -l)
  local ms; ms=$(for _ in $(seq "$REPEAT"); do
    s=$(date +%s%N); build/bin/sacct "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
  done | median)
  printf '%-44s %6s ms  (%s lines)\n' "$label" "$ms" "$rows"
}
run "sacct -u 5001 (since midnight)" -u 5001
run "sacct -u 5001 -S now-7days" -u 5001 -S now-7days
run "sacct -u 5001 -X -S 2000-01-01 (all 10k)" -u 5001 -X -S 2000-01-01
run "sacct -j 500000" -j 500000
run "sacct -a -X (since midnight)" -a -X
build/bin/sluice-local down >/dev/null
