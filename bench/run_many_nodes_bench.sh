#!/usr/bin/env bash
# Thousands of nodes on this one host (issue 14 point 6): sluice-local with
# NODES simulated nodes, NPD per sluice-noded process (each node speaks the
# real protocol and runs real jobs), SlurmdTimeout=TIMEOUT. Reports how long
# `up` took, the idle controller's CPU over SECS (from /proc/PID/stat, after
# WARM s), its RSS and the node daemons' total RSS, and medians of REPS
# runs of sinfo, squeue, `scontrol show node`, `srun -N1/-N10/-N100 true`.
# BIN as in run_depth_bench.sh. One JSON line.
# Usage: [BIN=dir] [WARM=s] [REPS=5] bench/run_many_nodes_bench.sh [NODES=1000] [NPD=100] [SECS=60] [TIMEOUT=300]
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-1000}; NPD=${2:-100}; SECS=${3:-60}; TIMEOUT=${4:-300}
BIN=$(realpath "${BIN:-build/bin}"); REPS=${REPS:-5}
D=$(mktemp -d /tmp/sluice-many-XXXXXX)
trap '"$BIN/sluice-local" down --dir "$D" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
"$BIN/sluice-local" up --dir "$D" --nodes "$NODES" --nodes-per-daemon "$NPD" --wait 300 >/dev/null
"$BIN/sluice-local" down --dir "$D" >/dev/null
echo "SlurmdTimeout=$TIMEOUT" >> "$D/slurm.conf"
t0=$(date +%s.%N)
"$BIN/sluice-local" up --dir "$D" --conf "$D/slurm.conf" --nodes-per-daemon "$NPD" --wait 300 >/dev/null
up_s=$(echo "$(date +%s.%N) - $t0" | bc)
export SLURM_CONF=$D/slurm.conf PATH=$BIN:$PATH
ctld=$(pgrep -f "sluice-ctld -f $D" | head -1)
sleep "${WARM:-10}"
hz=$(getconf CLK_TCK)
c0=$(awk '{print $14+$15}' /proc/$ctld/stat)
sleep "$SECS"
c1=$(awk '{print $14+$15}' /proc/$ctld/stat)
rss_kb() { awk '/^VmRSS/{s+=$2} END{print s+0}' "$@" 2>/dev/null; }
ctld_rss=$(rss_kb /proc/$ctld/status)
noded_rss=$(rss_kb $(for p in $(pgrep -f "sluice-noded -f $D"); do echo /proc/$p/status; done))
daemons=$(pgrep -c -f "sluice-noded -f $D")
threads=$(for p in $(pgrep -f "sluice-noded -f $D"); do ls /proc/$p/task; done | wc -l)
median_ms() {  # command...: median wall time of REPS runs, in ms
  for _ in $(seq "$REPS"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "failed: $*" >&2; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | sort -n | awk '{a[NR]=$1} END{printf "%.1f", a[int((NR+1)/2)]/1000}'
}
idle=$(sinfo -h -t idle -o %D)
echo "{\"nodes\":$NODES,\"nodes_per_daemon\":$NPD,\"daemons\":$daemons,\"noded_threads\":$threads,\"slurmd_timeout_s\":$TIMEOUT,\"up_s\":$up_s,\"idle_in_sinfo\":\"$idle\",\"seconds\":$SECS,\"ctld_core_percent\":$(awk "BEGIN{printf \"%.3f\", ($c1-$c0)/$hz/$SECS*100}"),\"ctld_rss_mb\":$(( ctld_rss / 1024 )),\"noded_rss_mb_total\":$(( noded_rss / 1024 )),\"sinfo_ms\":$(median_ms sinfo),\"squeue_ms\":$(median_ms squeue),\"scontrol_show_node_ms\":$(median_ms scontrol show node),\"srun_N1_ms\":$(median_ms srun -N1 true),\"srun_N10_ms\":$(median_ms srun -N10 true),\"srun_N100_ms\":$(median_ms srun -N100 true)}"
