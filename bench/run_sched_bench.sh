#!/usr/bin/env bash
# Scheduler benchmarks: one full pass at 1k, 10k and 100k pending jobs on
# 10,000 nodes of 8 GPUs (sluice-sim --synthetic), then a burst of 1,000
# submissions on a live local cluster. Prints JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target sluice-sim sluice-bench-burst sluice-local sluice-ctld sluice-noded >/dev/null
for jobs in 1000 10000 100000; do
  build/bin/sluice-sim --synthetic --jobs "$jobs" --nodes 10000 --gpus-per-node 8 --repeat 5
done
build/bin/sluice-bench-burst --jobs 1000
