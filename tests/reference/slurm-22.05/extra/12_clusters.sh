#!/bin/bash
# Captures -M/--clusters on squeue and sinfo (the cluster named above the
# listing) and sinfo's lone-cluster options, against the reference cluster
# with one held job.
cd /tmp/dcap
sbatch --parsable -J one -H -o /dev/null --wrap true >/dev/null
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
for a in "squeue -M refcluster" "squeue --clusters=refcluster -h" "SLURM_CLUSTERS=refcluster squeue" "sinfo -M refcluster" "sinfo --clusters=refcluster -h" "sinfo -M refcluster -N" "sinfo --federation" "sinfo --local" "sinfo --hide" "sinfo --noconvert"; do
  run "$a"
done
scancel -u root
