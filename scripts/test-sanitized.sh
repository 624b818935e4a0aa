#!/usr/bin/env bash
# The whole suite again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/), then the parsers' fuzzer under
# them for a bounded time. CI runs it after scripts/test.sh. Any report
# aborts the program it is in, which fails the test that ran it.
#
# Leak checking is off: the commands end with _exit (no teardown, by
# design: docs/PERFORMANCE.md) and gRPC keeps process-lifetime singletons,
# so every program would "leak" at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
# No benchmarks, and no debug line tables (reports still name functions):
# this build runs in CI after the plain one, so its compile time counts.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON \
  -DSLUICE_BUILD_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g0" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g0" >/dev/null
cmake --build build-asan
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:print_summary=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
ctest --output-on-failure -j"$(nproc)" --timeout 600 -E fuzz_parsers_smoke "$@"
./test-bin/fuzz_parsers --seconds "${SLUICE_FUZZ_SECONDS:-60}" --iterations 1000000000
