#!/bin/bash
# Captures scontrol listpids against the reference cluster: job 1 on n1
# whose script runs a 2-task srun step and a sleep of its own.
cd /tmp/dcap
R=$(sbatch --parsable -n 2 -o /dev/null --wrap 'srun -n 2 sleep 100 & sleep 100; wait')
for i in $(seq 50); do [ "$(squeue -h -j $R -s -o %i | wc -l)" = 2 ] && break; sleep 0.1; done
sleep 1
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
for a in "" "$R" "$R.0" "$R.batch" "999" "abc" "$R n2" "$R n1" "$R.7" "$R n1 x"; do
  run "scontrol listpids $a"
done
scancel $R
