#!/usr/bin/env bash
# Job arrays, measured (issue 11): on a Sluice cluster of the reference
# shape (4 nodes x 8 CPUs, 4000 MB, 4 GPUs, MaxArraySize=100001), and side by
# side with real Slurm 22.05 when its reference cluster runs.
#   * sbatch --hold --array=0-9999 submission time (median of ROUNDS);
#   * sluice-ctld's resident memory before and after ten such arrays pend;
#   * sbatch --wait --array=0-999 -o /dev/null --wrap true, start to end,
#     interleaved with the same command on Slurm, with the ratio per round.
# Usage: bench/array_bench.sh [ROUNDS=3]
#   REF_SLURM_CONF=/tmp/refslurm/etc/slurm.conf for the Slurm side (start it
#   with the reference setup/: ./setup.sh && ./start.sh --clean).
set -euo pipefail
rounds=${1:-3}
bin="$(cd "$(dirname "$0")/.." && pwd)/build/bin"
dir=$(mktemp -d /tmp/sluice-array-bench.XXXXXX)
"$bin/sluice-local" up --dir "$dir" --nodes 4 --cpus-per-node 8 --mem-per-node 4000 \
  --gpus-per-node 4 >/dev/null
"$bin/sluice-local" down --dir "$dir" >/dev/null
echo "MaxArraySize=100001" >> "$dir/slurm.conf"
"$bin/sluice-local" up --dir "$dir" --conf "$dir/slurm.conf" >/dev/null
trap '"$bin/sluice-local" down --dir "$dir" >/dev/null; rm -rf "$dir"' EXIT
ms() { echo $(( ($2 - $1) / 1000000 )).$(( ($2 - $1) / 100000 % 10 )); }
sluice() { env -i PATH="$bin:/usr/bin:/bin" HOME=/root SLURM_CONF="$dir/slurm.conf" bash -c "cd /tmp; $*"; }
slurm() { env -i PATH=/usr/bin:/bin HOME=/root SLURM_CONF="$REF_SLURM_CONF" bash -c "cd /tmp; $*"; }
rss() { awk '/VmRSS/{print $2}' "/proc/$(pgrep -f "sluice-ctld -f $dir/slurm.conf")/status"; }

echo "== sbatch --hold --array=0-9999 (Sluice)"
before=$(rss)
for i in $(seq 10); do
  s=$(date +%s%N); sluice "sbatch --hold --array=0-9999 --wrap true" >/dev/null; e=$(date +%s%N)
  echo "submit $i: $(ms "$s" "$e") ms"
done
after=$(rss)
echo "sluice-ctld RSS: ${before} kB before, ${after} kB with 10 pending 10,000-task arrays (+$(( after - before )) kB, $(( (after - before) / 10 )) kB per array)"
sluice "scancel -u root"

echo "== sbatch --wait --array=0-999 -o /dev/null --wrap true"
for r in $(seq "$rounds"); do
  s=$(date +%s%N); sluice "sbatch --wait --array=0-999 -o /dev/null --wrap true" >/dev/null; e=$(date +%s%N)
  a=$(( e - s ))
  line="round $r: Sluice $(ms 0 $a) ms"
  if [ -n "${REF_SLURM_CONF:-}" ]; then
    s=$(date +%s%N); slurm "sbatch --wait --array=0-999 -o /dev/null --wrap true" >/dev/null; e=$(date +%s%N)
    b=$(( e - s ))
    line="$line, Slurm $(ms 0 $b) ms, Slurm/Sluice $(( b / a )).$(( b * 10 / a % 10 ))x"
  fi
  echo "$line"
done
