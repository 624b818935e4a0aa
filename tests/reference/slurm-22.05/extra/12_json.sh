#!/bin/bash
# Captures squeue/sinfo --json and --yaml (data_parser 0.0.38) against the
# reference cluster: one running job asking for a GPU, memory and a comment,
# one held job in another partition, one waiting on a dependency with no
# time limit, and a held array. Filters do not narrow --json.
cd /tmp/jcap
R=$(sbatch --parsable -J runner -n 2 --gpus-per-node=1 --mem=200 -t 10 --comment=hello -o /dev/null --wrap 'sleep 300')
P=$(sbatch --parsable -J waiter --hold -t 1:00:00 -p short -o /dev/null --wrap true)
D=$(sbatch --parsable -J dep -d afterok:$R -c 2 --nice=5 -e /tmp/jcap/e.txt -o /dev/null --wrap true)
A=$(sbatch --parsable -J arr -a 1-3%2 -H -o /dev/null --wrap true)
for i in $(seq 50); do [ "$(squeue -h -j $R -o %T)" = RUNNING ] && break; sleep 0.1; done
sleep 1
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
run "squeue --json"
run "squeue --yaml"
run "squeue --json -j $P -t PD -u nobody"
run "sinfo --json"
run "sinfo --yaml"
run "sinfo --json -p short -N"
scancel $R $P $D $A
