#!/bin/bash
# Captures squeue -O for every job field of Slurm 22.05 (and the format's
# syntax) against the reference cluster: one running and one held job.
cd /tmp/ocap
R=$(sbatch --parsable -J runner -n 2 --gpus-per-node=1 --mem=200 -t 10 --comment=hello -o /dev/null --wrap 'sleep 300')
P=$(sbatch --parsable -J waiter --hold -t 1:00:00 -p short -o /dev/null --wrap true)
for i in $(seq 50); do [ "$(squeue -h -j $R -o %T)" = RUNNING ] && break; sleep 0.1; done
sleep 1
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
for f in $FIELDS; do run "squeue -O 'JobID:4,$f:44'"; done
run "squeue -O 'JobID,Name,Partition'"
run "squeue -O 'JobID:8,Name:.12,Partition:5x'"
run "squeue -O 'JobID:0,Name:0|,State'"
run "squeue -O 'jobid:3,NAME:3'"
run "squeue -O foo"
run "squeue -O 'JobID,foo,Name'"
run "squeue -O ''"
run "squeue -O 'JobID:abc'"
run "squeue -h -O 'JobID:.5,State:.10'"
run "squeue -O JobID -o %i"
run "squeue -o %i -O JobID"
run "SQUEUE_FORMAT2='JobID:6,Name:8' squeue"
run "SQUEUE_FORMAT2='JobID:6,Name:8' SQUEUE_FORMAT='%i %j' squeue"
run "SQUEUE_FORMAT='%.5i %j' squeue"
scancel $R $P
