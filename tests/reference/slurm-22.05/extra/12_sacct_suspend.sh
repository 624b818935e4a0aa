#!/bin/bash
# Captures sacct's Elapsed, Suspended and SubmitLine of a job that was
# suspended for about 4 s while it ran (and a step), on the reference
# cluster with slurmdbd.
cd /tmp/dcap
J=$(sbatch --parsable -J susp -o /dev/null --wrap 'srun -n1 sleep 9')
for i in $(seq 50); do [ "$(squeue -h -j $J -s -o %i | wc -l)" = 2 ] && break; sleep 0.1; done
sleep 2
scontrol suspend $J
sleep 4
scontrol resume $J
for i in $(seq 200); do [ -z "$(squeue -h -j $J)" ] && break; sleep 0.1; done
sleep 3
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
run "sacct -j $J -o JobID,State,Elapsed,Suspended,ElapsedRaw,CPUTimeRAW"
run "sacct -j $J -X -o SubmitLine%60"
run "sacct -j $J -X -P -o JobID,SubmitLine"
