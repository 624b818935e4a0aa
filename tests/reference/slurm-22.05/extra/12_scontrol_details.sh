#!/bin/bash
# Captures scontrol -d show job (DerivedExitCode, JOB_GRES and the per-node
# lines), the global flags -a/-Q/-v/-o, and notify, against the reference
# cluster: job 1 on n1 with a GPU and memory, job 2 over two nodes running
# an srun step, job 3 held.
cd /tmp/dcap
R=$(sbatch --parsable -J runner -n 2 --gpus-per-node=1 --mem=200 -t 10 -o /dev/null --wrap 'sleep 300')
M=$(sbatch --parsable -J multi -N 2 -n 3 -o /dev/null --wrap 'srun sleep 300')
H=$(sbatch --parsable -J held -H -o /dev/null --wrap true)
for i in $(seq 50); do [ "$(squeue -h -j $M -s -o %i | wc -l)" = 2 ] && break; sleep 0.1; done
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
run "scontrol -d show job $R"
run "scontrol show job -d $M"
run "scontrol -d show job $H"
run "scontrol -d -o show job $R"
run "scontrol -a show job $H"
run "scontrol --all show partition short"
run "scontrol -Q show job 999"
run "scontrol --quiet show job 999"
run "scontrol -v show job $H"
run "scontrol notify 999 hello"
run "scontrol notify $R"
run "scontrol notify"
run "scontrol notify abc hi"
run "scontrol notify $H hi"
scancel $R $M $H
