#!/bin/bash
# Captures sacctmgr on accounts, users and associations against the
# reference cluster's fresh slurmdbd (only the root account and user):
# listings (default, format=, -n, -P, -p, tree, where), additions,
# modifications, deletions, and their refusals. Unix users alice, bob and
# carol exist; dave does not.
cd /tmp/dcap
# From a fresh start: what an earlier run added goes first (not shown).
sacctmgr -i delete user alice,bob,carol,dave >/dev/null 2>&1
sacctmgr -i delete account x,cv,ml >/dev/null 2>&1
run() { echo "=== [${2:-root}] $1"; if [ -n "$2" ]; then su -s /bin/bash "$2" -c "$1" 2>&1; else bash -c "$1" 2>&1; fi; echo "rc=$?"; }
run "sacctmgr show account"
run "sacctmgr list accounts"
run "sacctmgr show user"
run "sacctmgr show assoc"
run "sacctmgr -i add account ml Description='ML group' Organization=lab"
run "sacctmgr -i add account cv Description=vision Organization=lab parent=ml"
run "sacctmgr -i add account ml"
run "sacctmgr -i add account x parent=nope"
run "sacctmgr -i add user alice account=ml partition=short"
run "sacctmgr -i add user alice account=ml partition=g2"
run "sacctmgr -i add user bob account=cv"
run "sacctmgr -i add user bob account=ml defaultaccount=ml"
run "sacctmgr -i add user carol account=nope"
run "sacctmgr -i add user carol"
run "sacctmgr -i add user carol account=ml DefaultPartition=short"
run "sacctmgr -i add user carol account=ml partition=nope"
run "sacctmgr -i add user alice account=ml partition=short"
run "sacctmgr show user"
run "sacctmgr show user alice"
run "sacctmgr show user bob withassoc"
run "sacctmgr show users withassoc format=user,account,partition"
run "sacctmgr show assoc format=cluster,account,user,partition"
run "sacctmgr -n -P show assoc format=user,account,partition"
run "sacctmgr -p show account"
run "sacctmgr -P show account"
run "sacctmgr -n show account"
run "sacctmgr show assoc tree format=account,user,partition"
run "sacctmgr show assoc where user=alice format=user,account,partition"
run "sacctmgr show assoc users=alice,bob format=user,account,partition"
run "sacctmgr show assoc account=cv format=user,account,partition"
run "sacctmgr show assoc format=account%20,user%-8,partition"
run "sacctmgr show user format=user%12,defaultaccount"
run "sacctmgr show account format=account,description%30,organization"
run "sacctmgr show user nobody"
run "sacctmgr -i modify user bob set defaultaccount=nope"
run "sacctmgr -i modify user alice set defaultaccount=cv"
run "sacctmgr -i modify user bob set defaultaccount=ml"
run "sacctmgr -i modify user where name=alice set adminlevel=operator"
run "sacctmgr -i modify user where name=alice set adminlevel=bogus"
run "sacctmgr -i modify account where name=cv set description=images"
run "sacctmgr -i modify account cv set organization=school"
run "sacctmgr -i modify user nobody set defaultaccount=ml"
run "sacctmgr -i modify user alice set bogus=1"
run "sacctmgr show user format=user,defaultaccount,adminlevel"
run "sacctmgr show account cv"
run "sacctmgr -i delete user carol"
run "sacctmgr -i delete user where name=alice account=ml partition=g2"
run "sacctmgr -i delete account ml"
run "sacctmgr -i delete user bob account=cv"
run "sacctmgr show assoc format=account,user,partition"
run "sacctmgr -i add account x" alice
run "sacctmgr show user" alice
run "sacctmgr show assoc format=account,user,partition" alice
run "sacctmgr -i modify user alice set defaultaccount=root" alice
run "sacctmgr show bogus"
run "sacctmgr show assoc format=bogus"
run "sacctmgr bogus"
run "sacctmgr add user"
run "sacctmgr -i add bogus x"
run "sacctmgr show cluster format=cluster"
run "sacctmgr show qos format=name,priority"
run "sacctmgr -i delete user alice,bob"
run "sacctmgr -i delete account cv,ml"
run "sacctmgr show assoc format=account,user,partition"
