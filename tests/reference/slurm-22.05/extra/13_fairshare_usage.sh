#!/bin/bash
# Captures Fair Tree after Slurm has computed it (issue 13 point 5): the
# reference's slurm.conf as for 13_fairshare plus PriorityCalcPeriod=1, so
# the priority thread recomputes every minute; a fresh slurmdbd database.
# First with no usage (after one calculation), then after alice used a
# whole node (8 CPUs) and bob 2 CPUs for 30 s, and sprio over three pending
# jobs. The usage figures depend on timing; the ranks do not.
cd /tmp/dcap
sacctmgr -i add account ml fairshare=3 >/dev/null
sacctmgr -i add account cv fairshare=1 >/dev/null
sacctmgr -i add user alice account=ml >/dev/null
sacctmgr -i add user bob account=ml fairshare=2 >/dev/null
sacctmgr -i add user carol account=cv >/dev/null
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
sleep 70
run "sshare -a"
run "sshare -a -l"
run "sbatch -o /dev/null -N1 --exclusive --wrap 'sleep 30'" alice
run "sbatch -o /dev/null -n2 --wrap 'sleep 30'" bob
sleep 100
run "sshare -a"
run "sshare -a -l"
run "sshare -l"
run "sshare -a -o account,user,rawusage,effectvusage,fairshare,levelfs"
run "sbatch -o /dev/null -N4 --exclusive --wrap 'sleep 300'"
sleep 2
for u in alice bob carol; do run "sbatch -o /dev/null --wrap true" $u; done
sleep 3
run "sprio"
run "sprio -l"
run "sprio -n"
run "sprio -o '%i %u %Y %F'"
run "squeue -o '%i %u %Q %t' -S -p,i"
run "scancel -u root; scancel -u alice; scancel -u bob; scancel -u carol"
sacctmgr -i delete user alice,bob,carol >/dev/null 2>&1
sacctmgr -i delete account ml,cv >/dev/null 2>&1
