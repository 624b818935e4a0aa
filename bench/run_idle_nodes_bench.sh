#!/usr/bin/env bash
# The idle controller's CPU with many node daemons (issue 14 point 6):
# sluice-local with NODES nodes and SlurmdTimeout=TIMEOUT, left idle; the
# controller's user+system CPU over SECONDS from /proc/PID/stat, and how
# many node reports it got (from its log's count is not kept: the rate is
# inferred from CPU). BIN as in run_depth_bench.sh. One JSON line.
# Usage: [BIN=dir] [WARM=s] bench/run_idle_nodes_bench.sh [NODES=64] [SECONDS=60] [TIMEOUT=300]
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-64}; SECS=${2:-60}; TIMEOUT=${3:-300}; BIN=$(realpath "${BIN:-build/bin}")
D=$(mktemp -d /tmp/sluice-idle-XXXXXX)
trap '"$BIN/sluice-local" down --dir "$D" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
"$BIN/sluice-local" up --dir "$D" --nodes "$NODES" >/dev/null
"$BIN/sluice-local" down --dir "$D" >/dev/null
echo "SlurmdTimeout=$TIMEOUT" >> "$D/slurm.conf"
"$BIN/sluice-local" up --dir "$D" --conf "$D/slurm.conf" >/dev/null
ctld=$(pgrep -f "sluice-ctld -f $D" | head -1)
sleep "${WARM:-10}"  # past registration (and, with WARM=130, the whole back-off)
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14+$15}' /proc/$ctld/stat)
sleep "$SECS"
t1=$(awk '{print $14+$15}' /proc/$ctld/stat)
echo "{\"bin\":\"$BIN\",\"nodes\":$NODES,\"slurmd_timeout_s\":$TIMEOUT,\"seconds\":$SECS,\"ctld_cpu_ms\":$(( (t1 - t0) * 1000 / hz )),\"core_percent\":$(awk "BEGIN{printf \"%.3f\", ($t1-$t0)/$hz/$SECS*100}")}"
