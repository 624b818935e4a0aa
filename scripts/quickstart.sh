#!/usr/bin/env bash
# The README's first command: install, build, start a local cluster shaped
# like the seed's (partition g2, nodes mlmini-g2-ghpc-[0-1] with fake GPUs),
# submit the seed's example batch script, show squeue while it runs, and
# print the job's output file. Leaves the cluster running; stop it with
#   build/bin/sluice-local down
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
BIN=$PWD/build/bin
export PATH=$BIN:$PATH
DIR=${SLUICE_LOCAL_DIR:-/tmp/sluice-local-$(id -u)}
sluice-local down --dir "$DIR" >/dev/null 2>&1 || true
eval "$(sluice-local up --dir "$DIR")"
echo "+ sinfo"; sinfo

WORK=$(mktemp -d /tmp/sluice-quickstart-XXXXXX)
cd "$WORK"
# The seed's example job. Without a GPU, nvidia-smi is replaced by a line
# that prints the GPU the job was given (set SLUICE_REAL_GPU=1 to keep it).
cat > myjob.sh <<'JOB'
#!/bin/bash

# Command line options go here
#SBATCH --partition=g2
#SBATCH --time=00:01:00
#SBATCH --nodes=1
#SBATCH --job-name=example
#SBATCH --output=example.out
#SBATCH --gpus-per-node=1

# Command(s) goes here
if [ -n "${SLUICE_REAL_GPU:-}" ]; then nvidia-smi; else echo "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"; fi
sleep 2
JOB
echo "+ sbatch myjob.sh"; out=$(sbatch myjob.sh); echo "$out"
id=${out##* }
echo "+ squeue"; squeue
for _ in $(seq 1 100); do
  state=$(squeue -h -t all -j "$id" -o %T)
  [ "$state" = COMPLETED ] || [ "$state" = FAILED ] && break
  sleep 0.1
done
echo "+ squeue -t all -j $id"; squeue -t all -j "$id"
echo "+ cat $WORK/example.out"; cat example.out
echo
echo "The cluster is still up:  export SLURM_CONF=$DIR/slurm.conf PATH=$BIN:\$PATH"
echo "Stop it with:             sluice-local down --dir $DIR"
