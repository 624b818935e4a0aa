#!/bin/bash
# sacctmgr's refusal of an entity a verb does not take (issue 13 point 1):
# associations are changed through users and accounts, coordinators are
# not listed that way, and a word that is no entity.
cd /tmp/dcap
run() { echo "=== [${2:-root}] $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
run "sacctmgr -i add association foo"
run "sacctmgr -i modify association where account=root set grpjobs=5"
run "sacctmgr -i delete association where account=zz"
run "sacctmgr show coordinator"
run "sacctmgr list foo"
run "sacctmgr -i add foo bar"
run "sacctmgr -i modify foo set a=b"
run "sacctmgr -i delete foo bar"
