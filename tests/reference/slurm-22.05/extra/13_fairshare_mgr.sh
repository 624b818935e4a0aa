#!/bin/bash
# sacctmgr's FairShare= (issue 13 point 5): set on add and modify, the
# values sacctmgr takes (a negative number is the default 1, an empty one
# 0, "parent"), and its refusal of a word. Run against the reference
# cluster after 13_fairshare_usage.sh (its accounts deleted again).
cd /tmp/dcap
run() { echo "=== [${2:-root}] $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
run "sacctmgr -i add account zz fairshare=3"
run "sacctmgr -i add user alice account=zz fairshare=5"
run "sacctmgr -i modify user alice set fairshare=7"
run "sacctmgr -i modify account zz set fairshare=abc"
run "sacctmgr -i modify account zz set fairshare=parent"
run "sacctmgr show assoc format=account,user,share where account=zz"
run "sacctmgr -i add account zy fairshare=x"
run "sacctmgr -i modify account zz set fairshare=-2"
run "sacctmgr -n -P show assoc format=account,user,share where account=zz"
run "sacctmgr -i modify account zz set fairshare=0"
run "sacctmgr -n -P show assoc format=account,user,share where account=zz"
run "sacctmgr -i modify account zz set share=4"
run "sacctmgr -i modify user alice set fairshare="
run "sacctmgr -n -P show assoc format=account,user,share where account=zz"
sacctmgr -i delete user alice >/dev/null 2>&1
sacctmgr -i delete account zz >/dev/null 2>&1
