#!/bin/bash
# Captures the controller's per-user RPC rate limit (issue 13 point 6):
# SlurmctldParameters=rl_enable,rl_bucket_size=3,rl_refill_rate=1 added to
# the reference's slurm.conf. alice calls squeue ten times back to back
# (-v shows the client's retries); each call still answers, late; root is
# not limited. Times are counted in whole seconds. Slurm 22.05 does not
# rate-limit (rl_enable arrived in 23.02): the capture shows nothing held
# back, which is why Sluice follows 23.02's documented behaviour.
cd /tmp/dcap
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
sleep 4  # (a full bucket)
run "for i in 1 2 3 4 5 6; do squeue -h -u alice -v 2>&1 | grep -i -E 'rate|limit|sleep|error'; done; echo done" alice
sleep 4
run "s=\$(date +%s); for i in \$(seq 10); do squeue -h -u alice >/dev/null || echo failed; done; e=\$(date +%s); echo took_at_least_5s=\$(( e - s >= 5 ))" alice
run "s=\$(date +%s); for i in \$(seq 10); do squeue -h >/dev/null || echo failed; done; e=\$(date +%s); echo under_2s=\$(( e - s < 2 ))"
