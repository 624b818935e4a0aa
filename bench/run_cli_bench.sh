#!/usr/bin/env bash
# Builds and runs the CLI latency benchmark; prints JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target sluice-bench-cli sluice-local sbatch squeue scancel sinfo srun salloc sluice-ctld sluice-noded sluice-stepd >/dev/null
build/bin/sluice-bench-cli "$@"
