#!/bin/bash
# Captures fair share from the association tree (issue 13 point 5), with
# PriorityType=priority/multifactor, PriorityWeightFairshare=10000 and the
# other weights 0 added to the reference's slurm.conf, against a fresh
# slurmdbd database (no usage yet, so every figure is exact). Accounts ml
# (FairShare=3) and cv (FairShare=1); alice and bob (FairShare=2) in ml,
# carol in cv. sshare's views, then sprio's over three pending jobs (the
# nodes held by one root job).
cd /tmp/dcap
sacctmgr -i add account ml fairshare=3 >/dev/null
sacctmgr -i add account cv fairshare=1 >/dev/null
sacctmgr -i add user alice account=ml >/dev/null
sacctmgr -i add user bob account=ml fairshare=2 >/dev/null
sacctmgr -i add user carol account=cv >/dev/null
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
run "sacctmgr show assoc format=account,user,share"
run "sacctmgr -n -P show assoc format=account,user,fairshare"
run "sshare"
run "sshare -a"
run "sshare -l"
run "sshare -a -l"
run "sshare -u alice"
run "sshare -u alice" alice
run "sshare -A ml -a"
run "sshare -n -P -a"
run "sshare -a -o account,user,rawshares,normshares,fairshare"
run "sbatch -o /dev/null -N4 --exclusive --wrap 'sleep 300'"
sleep 2
for u in alice bob carol; do run "sbatch -o /dev/null --wrap true" $u; done
sleep 3
run "sprio"
run "sprio -l"
run "sprio -w"
run "sprio -n"
run "sprio -u alice"
run "sprio -o '%i %u %Y %F'"
run "scancel -u root; scancel -u alice; scancel -u bob; scancel -u carol"
sacctmgr -i delete user alice,bob,carol >/dev/null 2>&1
sacctmgr -i delete account ml,cv >/dev/null 2>&1
