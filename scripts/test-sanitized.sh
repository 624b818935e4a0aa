#!/usr/bin/env bash
# The parsers' fuzzer, and with --all the whole suite before it, built with
# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/). Any report
# aborts the program it is in, which fails the test (or the fuzzer) that
# ran it.
#
#   scripts/test-sanitized.sh          the fuzzer alone (CI, after scripts/test.sh)
#   scripts/test-sanitized.sh --all    every test too (15-30 min on 2 cores:
#                                      run before a change lands, not in CI,
#                                      whose budget is 30 minutes in all)
#
# Leak checking is off: the commands end with _exit (no teardown, by
# design: docs/PERFORMANCE.md) and gRPC keeps process-lifetime singletons,
# so every program would "leak" at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
all=0
if [ "${1:-}" = "--all" ]; then
  all=1
  shift
fi
scripts/deps.sh
# No benchmarks, and no debug line tables (reports still name functions).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON \
  -DSLUICE_BUILD_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g0" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g0" >/dev/null
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:print_summary=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ "$all" = 1 ]; then
  cmake --build build-asan
  (cd build-asan && ctest --output-on-failure -j"$(nproc)" --timeout 600 -E fuzz_parsers_smoke "$@")
else
  cmake --build build-asan --target fuzz_parsers
fi
build-asan/test-bin/fuzz_parsers --seconds "${SLUICE_FUZZ_SECONDS:-60}" --iterations 1000000000
