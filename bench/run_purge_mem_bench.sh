#!/usr/bin/env bash
# The controller's memory after a burst of jobs ran and were purged (issue
# 14 point 3): a 2-node sluice-local cluster with MinJobAge=30, its
# controller's RSS 5 s after start, then N sequential `sbatch --wrap
# true`, and its RSS again 10 s after `squeue -t all` came back empty.
# With MALLOC_STATS=1 it also has glibc print malloc_stats() (through gdb)
# into the controller's log at both points. BIN (default build/bin) is
# where sluice-local and the daemons are, so two builds can be compared
# in one run. Prints one JSON line (sizes in KB).
# Usage: [BIN=dir] [MALLOC_STATS=1] bench/run_purge_mem_bench.sh [N=500]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}; BIN=$(realpath "${BIN:-build/bin}")
D=$(mktemp -d /tmp/sluice-purge-XXXXXX)
chmod 755 "$D"
trap '"$BIN/sluice-local" down --dir "$D" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
"$BIN/sluice-local" up --dir "$D" --nodes 2 >/dev/null
"$BIN/sluice-local" down --dir "$D" >/dev/null
sed -i 's/MinJobAge=300/MinJobAge=30/' "$D/slurm.conf"
"$BIN/sluice-local" up --dir "$D" --nodes 2 --conf "$D/slurm.conf" >/dev/null
export SLURM_CONF=$D/slurm.conf PATH=$BIN:$PATH
ctld=$(awk '$1=="sluice-ctld"{print $2}' "$D/pids")
field() { awk -v k="$1:" '$1==k{print $2}' "/proc/$ctld/status"; }
stats() {
  [ "${MALLOC_STATS:-0}" = 1 ] || return 0
  gdb -p "$ctld" -batch -ex 'call (void)malloc_stats()' >/dev/null 2>&1
}
cd "$D"
sinfo >/dev/null
sleep 5  # settled after start: the idle figure
idle=$(field VmRSS); idle_anon=$(field RssAnon)
stats
for _ in $(seq "$N"); do sbatch -o /dev/null --wrap true >/dev/null; done
deadline=$((SECONDS + 600))
until [ -z "$(squeue -h -t all -o %i)" ]; do
  [ $SECONDS -lt $deadline ] || { echo "jobs not purged in 600 s" >&2; exit 1; }
  sleep 1
done
sleep 10  # the tick after the purge has trimmed
after=$(field VmRSS); after_anon=$(field RssAnon)
stats
echo "{\"bin\":\"$BIN\",\"jobs\":$N,\"idle_kb\":$idle,\"idle_anon_kb\":$idle_anon,\"after_purge_kb\":$after,\"after_purge_anon_kb\":$after_anon,\"share_pct\":$(awk "BEGIN{printf \"%.1f\", 100*$after/$idle}")}"
