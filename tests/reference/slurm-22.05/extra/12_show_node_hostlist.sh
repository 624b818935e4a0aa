#!/bin/bash
# Captures scontrol's node lists as hostlist expressions: show node with a
# range, a list, an unknown member, a broken range; update NodeName= over a
# range and back. Against the reference cluster, idle.
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
run "scontrol -o show node n[3-4] | cut -d' ' -f1"
run "scontrol show node n[1-2],n4 | grep NodeName= | cut -d' ' -f1"
run "scontrol show node n[4,9] | grep NodeName= | cut -d' ' -f1"
run "scontrol show node n9"
run "scontrol show node 'n[1-'"
run "scontrol show nodes n[2-3] | grep -c NodeName="
run "scontrol update NodeName=n[3-4] State=DRAIN Reason=hl"
run "sinfo -h -o '%N %t' -p g2"
run "scontrol update NodeName=n[3-4] State=RESUME"
run "sinfo -h -o '%N %t' -p g2"
run "scontrol update NodeName=n[4,9] State=DRAIN Reason=hl"
run "sinfo -h -o '%N %t' -p g2"
run "scontrol update NodeName=n4 State=RESUME"
