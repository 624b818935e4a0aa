#!/usr/bin/env bash
# Runs the GPU-labelled tests on the device machine from the bundle that
# scripts/device-gpu-bundle.sh made: libraries the machine lacks go to
# /usr/local/lib (a name it already has is left alone), the binaries to the
# build path compiled into gpu_test, munged to /usr/sbin.
set -uo pipefail
cd "$(dirname "$0")/.."
b=${1:-.devrun}
build=$(cat "$b/build_dir")
mkdir -p /usr/local/lib/sluice-dev "$build"
for l in "$b"/lib/*; do
  n=$(basename "$l")
  ldconfig -p | grep -q " $n " || cp "$l" /usr/local/lib/sluice-dev/
done
echo /usr/local/lib/sluice-dev > /etc/ld.so.conf.d/zz-sluice-dev.conf
ldconfig
rm -rf "$build/bin" "$build/test-bin"
cp -r "$b/bin" "$build/bin"
cp -r "$b/test-bin" "$build/test-bin"
install -m 0755 "$b/sbin/munged" /usr/sbin/munged
echo "== machine"; uname -r; nvidia-smi -L; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
echo "== cgroup"; stat -fc %T /sys/fs/cgroup; cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null
echo "== gpu_test"
"$build/test-bin/gpu_test" --gtest_color=no
