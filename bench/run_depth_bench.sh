#!/usr/bin/env bash
# sbatch acknowledgements at a queue depth (issue 14 point 2): a 4-node
# sluice-local cluster (8 CPUs each) held busy by one job, DEPTH pending
# jobs that cannot start (sbatch, 8 at a time), then N sequential `sbatch
# --wrap true`, timed one by one. BIN (default build/bin) is where
# sluice-local and the daemons are, so two builds can be compared in one
# run. Prints one JSON line.
# Usage: [BIN=dir] bench/run_depth_bench.sh [DEPTH=10000] [N=200]
set -euo pipefail
cd "$(dirname "$0")/.."
DEPTH=${1:-10000}; N=${2:-200}; BIN=$(realpath "${BIN:-build/bin}")
D=$(mktemp -d /tmp/sluice-depth-XXXXXX)
trap '"$BIN/sluice-local" down --dir "$D" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
"$BIN/sluice-local" up --dir "$D" --nodes 4 --cpus-per-node 8 >/dev/null
export SLURM_CONF=$D/slurm.conf PATH=$BIN:$PATH
cd "$D"
sbatch -N4 --exclusive -o /dev/null --wrap 'sleep 3600' >/dev/null
fill_start=$(date +%s%N)
seq "$DEPTH" | xargs -P 8 -n 100 sh -c 'for i; do sbatch -o /dev/null --wrap true >/dev/null; done' _
fill_ms=$(( ($(date +%s%N) - fill_start) / 1000000 ))
ctld=$(pgrep -f "sluice-ctld -f $D" | head -1)
rss_before_read_kb=$(awk '/VmRSS/{print $2}' /proc/$ctld/status)  # before any squeue
pending=$(squeue -h -t PD | wc -l)
times=()
for _ in $(seq "$N"); do
  s=$(date +%s%N); sbatch -o /dev/null --wrap true >/dev/null; e=$(date +%s%N)
  times+=($(( (e - s) / 1000 )))
done
median_us=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
total_us=$(printf '%s\n' "${times[@]}" | awk '{s+=$1} END{print s}')
rss_kb=$(awk '/VmRSS/{print $2}' /proc/$ctld/status)
sleep 8  # readers idle: the controller may drop what they no longer need
rss_later_kb=$(awk '/VmRSS/{print $2}' /proc/$ctld/status)
echo "{\"bin\":\"$BIN\",\"pending\":$pending,\"fill_ms\":$fill_ms,\"n\":$N,\"median_ms\":$(awk "BEGIN{print $median_us/1000}"),\"per_s\":$(awk "BEGIN{printf \"%.1f\", $N*1e6/$total_us}"),\"ctld_rss_kb\":$rss_kb,\"ctld_rss_before_squeue_kb\":$rss_before_read_kb,\"ctld_rss_8s_later_kb\":$rss_later_kb}"
