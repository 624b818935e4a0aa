#!/bin/bash
# scontrol suspend/resume on the reference: a running job J of root, a held
# job P, then each command (=== [USER] CMD, stdout+stderr, rc=N).
cd /tmp/scap
J=$(sbatch --parsable -J susp -o /tmp/scap/susp.out --wrap 'for i in $(seq 1 3000); do echo $i; sleep 0.1; done')
P=$(sbatch --parsable -J held -H -o /dev/null --wrap true)
for i in $(seq 50); do [ "$(squeue -h -j $J -o %T)" = RUNNING ] && break; sleep 0.1; done
sleep 1
run() { local who=$1; shift; echo "=== [$who] $*"; if [ "$who" = root ]; then bash -c "$*" 2>&1; else runuser -u "$who" -- env -i PATH=/usr/bin:/bin SLURM_CONF=$SLURM_CONF bash -c "$*" 2>&1; fi; echo "rc=$?"; }
run sluicebob "scontrol suspend $J"
run root "scontrol suspend $J"
run root "squeue -j $J -o '%i %t %T %r'"
run root "scontrol show job $J | grep -E 'JobState|SuspendTime'"
run root "a=\$(wc -l < /tmp/scap/susp.out); sleep 2; b=\$(wc -l < /tmp/scap/susp.out); [ \$a = \$b ] && echo frozen"
run root "scontrol suspend $J"
run root "scontrol suspend $P"
run root "scontrol resume $P"
run root "scontrol suspend 999999"
run root "scontrol resume 999999"
run root "scontrol suspend abc"
run root "scontrol suspend"
run sluicebob "scontrol resume $J"
run root "scontrol resume $J"
run root "squeue -j $J -o '%i %t %T %r'"
run root "scontrol show job $J | grep -E 'JobState|SuspendTime'"
run root "a=\$(wc -l < /tmp/scap/susp.out); sleep 2; b=\$(wc -l < /tmp/scap/susp.out); [ \$a != \$b ] && echo running"
run root "scontrol resume $J"
run root "scontrol suspend $J,$P"
run root "scontrol resume $J"
scancel $J $P
echo "J=$J P=$P"
