#!/usr/bin/env bash
# Runs the GPU-labelled tests on the device machine from the bundle that
# scripts/device-gpu-bundle.sh made: libraries the machine lacks go to
# /usr/local/lib (a name it already has is left alone), the binaries to the
# build path compiled into gpu_test, munged to /usr/sbin.
set -uo pipefail
cd "$(dirname "$0")/.."
b=/tmp/sluice-devrun
rm -rf "$b" && mkdir -p "$b" && tar -C "$b" -xJf "${1:-.devrun}/bundle.tar.xz"
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
echo "== a GPU site's day on the real GPU (sluice-local: ConstrainCores, ConstrainRAMSpace, ConstrainDevices)"
d=/tmp/sluice-gpu-site
"$build/bin/sluice-local" up --dir "$d" --nodes 1 --gpus-per-node 1 --cpus-per-node 4 --gpu-backend nvml >/dev/null
export SLURM_CONF=$d/slurm.conf PATH="$build/bin:$PATH"
cd /tmp
sinfo -N -O NodeList,Gres,GpuUtil,GpuMem
echo "-- srun --gpus-per-node=1"; srun --gpus-per-node=1 bash -c 'echo CVD=$CUDA_VISIBLE_DEVICES; nvidia-smi -L'
echo "-- srun with no GPU asked"; srun bash -c 'echo CVD=${CUDA_VISIBLE_DEVICES-unset}; nvidia-smi -L; echo nvidia-smi rc=$?'
echo "-- a 4-task GPU array, %2, one GPU: tasks take turns"
sbatch --wait --array=0-3%2 --gpus-per-node=1 -o arr-%A_%a.out --wrap \
  'echo task $SLURM_ARRAY_TASK_ID CVD=$CUDA_VISIBLE_DEVICES; python3 -c "import torch; print(\"torch sees\", torch.cuda.device_count(), torch.cuda.get_device_name(0))"; date +%s.%N'
echo "sbatch --wait rc=$?"; cat arr-*.out
"$build/bin/sluice-local" down --dir "$d" >/dev/null
