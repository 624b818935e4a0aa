#!/bin/bash
# Captures QOS and limits (issue 13 point 4) with
# AccountingStorageEnforce=associations,limits,qos, AccountingStorageTRES=gres/gpu,
# PreemptType=preempt/qos and PreemptMode=REQUEUE added to the reference's slurm.conf. Accounts ml
# (alice, bob) and cv (carol). The QOS listing, additions, changes and
# refusals; association limits; jobs over each limit (refused at submission
# or left pending with their reason); QOS preemption in requeue and cancel
# modes. Waits are fixed sleeps: this is a capture, not a test.
cd /tmp/dcap
cleanup() {
  scancel -u alice; scancel -u bob; scancel -u carol; scancel -u root; sleep 2
  sacctmgr -i delete user alice,bob,carol
  sacctmgr -i delete account ml,cv
  sacctmgr -i modify user root set qos=normal
  sacctmgr -i modify qos normal set PreemptMode=cluster
  sacctmgr -i delete qos gpu,high,urgent,bad
}
cleanup >/dev/null 2>&1
sacctmgr -i add account ml >/dev/null
sacctmgr -i add account cv >/dev/null
sacctmgr -i add user alice account=ml >/dev/null
sacctmgr -i add user bob account=ml >/dev/null
sacctmgr -i add user carol account=cv >/dev/null
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
Q=name,priority,maxwall,maxtrespu,maxjobspu,maxsubmitpu,maxtres,grptres,grpjobs,preempt,preemptmode
run "sacctmgr show qos"
run "sacctmgr show qos format=$Q"
run "sacctmgr -i add qos gpu MaxTRESPerUser=gres/gpu=1 MaxWall=00:05:00 Priority=10"
run "sacctmgr -i add qos high Priority=100 Preempt=normal PreemptMode=requeue"
run "sacctmgr -i add qos urgent Priority=200 Preempt=normal PreemptMode=cancel"
run "sacctmgr -i add qos gpu"
run "sacctmgr -i add qos bad MaxWall=xyz"
run "sacctmgr -i add qos bad Frobnicate=1"
run "sacctmgr -i modify qos gpu set MaxJobsPerUser=2 MaxSubmitJobsPerUser=3"
run "sacctmgr -i modify qos nope set Priority=1"
run "sacctmgr -i modify qos where name=high set GrpJobs=5 MaxTRES=cpu=8,node=2"
run "sacctmgr show qos format=$Q"
run "sacctmgr -n -P show qos format=$Q"
run "sacctmgr -p show qos gpu format=name,maxwall,maxtrespu"
run "sacctmgr show qos" alice
run "sacctmgr -i modify qos gpu set Priority=5" alice
run "sacctmgr -i modify user alice set MaxJobs=1 MaxSubmitJobs=3"
run "sacctmgr -i modify user bob set MaxWall=00:10:00 MaxTRES=cpu=4"
run "sacctmgr -i modify account cv set GrpTRES=gres/gpu=2 GrpJobs=3"
run "sacctmgr -i modify user carol set qos+=gpu"
run "sacctmgr -i modify user root set qos+=high,urgent"
run "sacctmgr -i modify user nope set MaxJobs=1"
run "sacctmgr -i modify user alice set MaxJobs=x"
run "sacctmgr -i modify user alice set MaxTRES=bogus=1"
run "sacctmgr -i modify user carol set qos+=nope"
A=account,user,maxjobs,maxsubmit,maxwall,maxtres,grptres,grpjobs,qos,priority
run "sacctmgr show assoc format=$A"
run "sacctmgr -n -P show assoc format=$A"
run "sacctmgr show user carol withassoc format=user,account,maxjobs,qos"
for i in 1 2 3 4; do run "sbatch -o /dev/null --wrap 'sleep 300'" alice; done
run "sbatch -o /dev/null -t 20 --wrap 'sleep 300'" bob
run "sbatch -o /dev/null -n 8 --wrap 'sleep 300'" bob
run "sbatch -o /dev/null -n 2 -t 5 --wrap 'sleep 300'" bob
run "sbatch -o /dev/null --qos=gpu --gres=gpu:1 --wrap 'sleep 300'" carol
run "sbatch -o /dev/null --qos=gpu --gres=gpu:1 --wrap 'sleep 300'" carol
run "sbatch -o /dev/null --qos=gpu -t 10 --wrap 'sleep 300'" carol
run "sbatch -o /dev/null --gres=gpu:2 --wrap 'sleep 300'" carol
run "sbatch -o /dev/null --qos=high --wrap 'sleep 300'" carol
run "sbatch -o /dev/null --qos=nope --wrap 'sleep 300'" carol
run "srun --qos=nope true" carol
run "salloc --qos=nope true" carol
sleep 4
run "squeue --sort=i -o '%u %q %t %r %C %l'"
run "scontrol show job \$(squeue -h -u carol -t PD -o %i | head -1) | grep -o 'Reason=[^ ]*\|QOS=[^ ]*'"
run "scancel -u alice; scancel -u bob; scancel -u carol"
sleep 2
run "sbatch -o /dev/null -N4 --exclusive --wrap 'sleep 300'"
sleep 2
run "sbatch -o /dev/null -N1 --qos=high --wrap 'sleep 300'"
sleep 4
run "squeue --sort=i -o '%q %t %r %D'"
sleep 5
run "sacct -X -n -j 11,12 -o jobid,qos,state%20,exitcode"
run "scancel -u root"
sleep 2
run "sacctmgr -i modify qos normal set PreemptMode=cancel"
run "sbatch -o /dev/null -N4 --exclusive --wrap 'sleep 300'"
sleep 2
run "sbatch -o /dev/null -N1 --qos=urgent --wrap 'sleep 300'"
sleep 4
run "squeue --sort=i -o '%q %t %r %D'"
sleep 5
run "sacct -X -n -j 13,14 -o jobid,qos,state%20,exitcode"
run "scancel -u root"
cleanup >/dev/null 2>&1
