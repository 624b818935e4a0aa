#!/bin/bash
# Captures PrivateData=jobs,usage,users,accounts (issue 13 point 6), set in
# the reference's slurm.conf and slurmdbd.conf. Accounts ml (alice, bob)
# and cv (carol); each has a running job; carol is an Operator. What each
# user sees of the others' jobs, records, users and accounts, and what
# they may do to them.
cd /tmp/dcap
scancel -u alice; scancel -u bob; scancel -u carol; sleep 1
sacctmgr -i delete user alice,bob,carol >/dev/null 2>&1
sacctmgr -i delete account ml,cv >/dev/null 2>&1
sacctmgr -i add account ml,cv >/dev/null
sacctmgr -i add user alice account=ml >/dev/null
sacctmgr -i add user bob account=ml >/dev/null
sacctmgr -i add user carol account=cv adminlevel=operator >/dev/null
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
for u in alice bob; do run "sbatch -o /dev/null -J job_$u --wrap 'sleep 300'" $u; done
run "sbatch -o /dev/null -J job_carol -A cv --wrap 'sleep 300'" carol
sleep 3
run "squeue -o '%i %j %u %t'" alice
run "squeue -o '%i %j %u %t'" carol
run "squeue -o '%i %j %u %t'"
run "squeue -o '%i %j %u %t' -u bob" alice
run "scontrol show job 2 | head -2" alice
run "scontrol show job 1 | head -1" alice
run "scontrol -o show job | cut -d' ' -f1" alice
run "scontrol show job 2 | head -1" carol
run "scancel 2" alice
sleep 10  # (slurmdbd records the jobs a moment later)
run "sacct -X -n -o jobid,jobname,user" alice
run "sacct -X -n -a -o jobid,jobname,user" alice
run "sacct -X -n -o jobid,jobname,user -j 2" alice
run "sacct -X -n -a -o jobid,jobname,user" carol
run "sacctmgr -n -P show user format=user" alice
run "sacctmgr -n -P show user format=user" carol
run "sacctmgr -n -P show account format=account" alice
run "sacctmgr -n -P show assoc format=account,user" alice
run "sacctmgr -n -P show assoc format=account,user" bob
run "sshare -n -P -a -o account,user" alice
run "sprio -h -o '%i %u'" alice
run "squeue -o '%i %u' --start" alice
run "sinfo -h -o '%P %a %D'" alice
run "scancel -u alice; scancel -u bob; scancel -u carol"
sacctmgr -i delete user alice,bob,carol >/dev/null 2>&1
sacctmgr -i delete account ml,cv >/dev/null 2>&1
