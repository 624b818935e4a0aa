#!/bin/bash
# Captures partition access lists: partitions grp (AllowGroups=alice,carol),
# acct (AllowAccounts=ml), deny (DenyAccounts=ml), aq (AllowQos=normal) and
# dq (DenyQos=normal) on n[3-4], added to the reference slurm.conf with
# AccountingStorageEnforce=associations. Associations: accounts ml and cv;
# alice in ml, bob in cv, both on every partition. Jobs are held (-H).
cd /tmp/dcap
sacctmgr -i delete user alice,bob >/dev/null 2>&1
sacctmgr -i delete account ml,cv >/dev/null 2>&1
sacctmgr -i add account ml,cv >/dev/null
sacctmgr -i add user alice account=ml >/dev/null
sacctmgr -i add user bob account=cv >/dev/null
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
for p in grp acct deny aq dq; do
  run "sbatch -H -o /dev/null -p $p --wrap true" alice
  run "sbatch -H -o /dev/null -p $p --wrap true" bob
done
run "srun -p grp true" bob
run "squeue -h -o '%i %u %P %t %r' -u bob -p acct"
run "sbatch -H -o /dev/null -p grp,g2 --wrap true" bob
run "scontrol show partition grp | head -2"
run "scontrol show partition acct | head -2"
run "scontrol show partition deny | head -2"
run "scontrol show partition aq | head -2"
run "scontrol show partition dq | head -2"
run "scontrol -o show partition deny"
run "sinfo -p grp,acct,deny"
run "squeue -o '%i %u %a %P %t %r'"
run "scancel -u alice; scancel -u bob"
sacctmgr -i delete user alice,bob >/dev/null 2>&1
sacctmgr -i delete account ml,cv >/dev/null 2>&1
