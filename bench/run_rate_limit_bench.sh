#!/usr/bin/env bash
# The RPC rate limit keeps one user's tight loop from slowing the others
# (issue 13, point 6): bob's squeue and sbatch latencies (medians of N
# runs) with the cluster idle, then while alice runs LOOPS `squeue` loops
# back to back -- once with SlurmctldParameters=rl_enable (Slurm 23.02's
# defaults: a bucket of 30, 2 tokens a second) and once without. The
# daemons and bob's commands run on CPU 0, alice's loops on the other CPUs
# (taskset), as when the loop runs on a login node. Needs Unix users
# alice and bob.
# Usage: bench/run_rate_limit_bench.sh [LOOPS=8] [N=20]
set -euo pipefail
cd "$(dirname "$0")/.."
LOOPS=${1:-8} N=${2:-20}
cmake --build build --target sluice-local sbatch squeue sluice-ctld sluice-noded sluice-stepd >/dev/null
export PATH=$PWD/build/bin:$PATH SLURM_CONF=/tmp/sluice-local-0/slurm.conf
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() {  # timed N CMD...: bob's median ms
  local n=$1; shift
  for _ in $(seq "$n"); do
    s=$(date +%s%N); taskset -c 0 su -s /bin/sh bob -c "$*" >/dev/null 2>&1; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
    sleep 0.5  # (bob is no loop himself: two calls a second stay within his bucket)
  done | median
}
run_case() {  # run_case EXTRA_CONF_LINE
  build/bin/sluice-local down >/dev/null 2>&1 || true
  rm -rf /tmp/sluice-local-0
  build/bin/sluice-local up >/dev/null && build/bin/sluice-local down >/dev/null
  if [ -n "$1" ]; then echo "$1" >> $SLURM_CONF; fi
  build/bin/sluice-local up --conf $SLURM_CONF >/dev/null
  for p in $(pgrep -f 'sluice-(ctld|noded|stepd)|munged.*sluice-local'); do taskset -apc 0 "$p" >/dev/null; done
  local q0 s0 q1 s1 pids=() count=/tmp/sluice-rl-bench.count
  q0=$(timed "$N" "squeue -h") s0=$(timed "$N" "sbatch -H -o /dev/null --wrap true")
  : > $count; chmod 666 $count
  for _ in $(seq "$LOOPS"); do
    taskset -c 1-$(( $(nproc) - 1 )) su -s /bin/bash alice -c \
      "while :; do squeue -h >/dev/null 2>&1; echo >> $count; done" & pids+=($!)
  done
  sleep 2
  local t0; t0=$(date +%s%N); local c0; c0=$(wc -l < $count)
  q1=$(timed "$N" "squeue -h") s1=$(timed "$N" "sbatch -H -o /dev/null --wrap true")
  local calls=$(( $(wc -l < $count) - c0 )) ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  pkill -u alice -f 'squeue' >/dev/null 2>&1 || true
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true
  pkill -u alice bash >/dev/null 2>&1 || true
  printf '%-28s squeue %6.1f -> %6.1f ms (%.2fx)   sbatch %6.1f -> %6.1f ms (%.2fx)   alice: %d squeue in %d ms\n' \
    "${1:-no rate limit}" "$(echo "$q0/1000" | bc -l)" "$(echo "$q1/1000" | bc -l)" "$(echo "$q1/$q0" | bc -l)" \
    "$(echo "$s0/1000" | bc -l)" "$(echo "$s1/1000" | bc -l)" "$(echo "$s1/$s0" | bc -l)" "$calls" "$ms"
  build/bin/sluice-local down >/dev/null
}
echo "bob's latency, idle -> while alice runs $LOOPS squeue loops (medians of $N)"
run_case "SlurmctldParameters=rl_enable"
run_case ""
