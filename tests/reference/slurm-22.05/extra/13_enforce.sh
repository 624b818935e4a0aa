#!/bin/bash
# Captures AccountingStorageEnforce=associations (added to the reference's
# slurm.conf): who may submit where. Associations: ml (under root); alice
# in ml on partition short only; bob in ml on every partition; carol has
# none. Jobs are held (-H): only acceptance matters.
cd /tmp/dcap
sacctmgr -i delete user alice,bob,carol >/dev/null 2>&1
sacctmgr -i delete account ml >/dev/null 2>&1
sacctmgr -i add account ml >/dev/null
sacctmgr -i add user alice account=ml partition=short >/dev/null
sacctmgr -i add user bob account=ml >/dev/null
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
run "sbatch -H -o /dev/null -p short --wrap true" alice
run "sbatch -H -o /dev/null -p g2 --wrap true" alice
run "sbatch -H -o /dev/null --wrap true" alice
run "sbatch -H -o /dev/null -p short -A root --wrap true" alice
run "sbatch -H -o /dev/null -p short -A nope --wrap true" alice
run "sbatch -H -o /dev/null --wrap true" bob
run "sbatch -H -o /dev/null -p short -A ml --wrap true" bob
run "sbatch -H -o /dev/null --wrap true" carol
run "srun -p short true" carol
run "salloc -p short true" carol
run "sbatch -H -o /dev/null --wrap true"
run "squeue -o '%i %u %a %P %r'"
run "scontrol show job 1 | grep -o 'Account=[^ ]*'"
run "scancel -u alice; scancel -u bob; scancel -u root"
sacctmgr -i delete user alice,bob,carol >/dev/null 2>&1
sacctmgr -i delete account ml >/dev/null 2>&1
