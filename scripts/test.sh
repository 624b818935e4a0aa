#!/usr/bin/env bash
# The README's second command, and what CI runs: install what is missing,
# build, and run every test (unit, integration on real daemons, CLI against
# the Slurm 22.05 captures). Tests start their own private munged.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 300 "$@"
