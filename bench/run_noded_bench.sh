#!/usr/bin/env bash
# Builds and runs the node daemon benchmark (needs root: jobs run as root and
# a private munged is started); prints JSON. Options: --runs N --burst N.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target sluice-bench-noded sluice-local sluice-ctld sluice-noded sluice-stepd >/dev/null
build/bin/sluice-bench-noded --bin build/bin "$@"
