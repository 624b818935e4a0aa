#!/bin/bash
# sacctmgr's cluster entity on the one cluster a controller has (issue 13
# point 1): the listing, its limits (the root association's), a cluster
# that does not exist.
cd /tmp/dcap
run() { echo "=== [${2:-root}] $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
run "sacctmgr show cluster"
run "sacctmgr -P show cluster"
run "sacctmgr -n show cluster format=cluster"
run "sacctmgr -i modify cluster refcluster set grpjobs=100"
run "sacctmgr show cluster format=cluster,grpjobs"
run "sacctmgr show assoc where account=root format=cluster,account,user,grpjobs"
run "sacctmgr -i modify cluster refcluster set grpjobs=-1"
run "sacctmgr show cluster format=cluster,grpjobs"
run "sacctmgr -i delete cluster nosuch"
run "sacctmgr show cluster nosuch"
run "sacctmgr list clusters where name=refcluster format=cluster,controlhost,share,qos"
