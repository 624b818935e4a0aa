#!/bin/bash
# Captures the squeue options of 22.05's --help that matter little on a
# lone cluster without licenses or reservations: --array-unique,
# --federation, --local, --sibling, --hide, -L/--licenses, -R/--reservation,
# against the reference cluster: one held job and a held array.
cd /tmp/dcap
sbatch --parsable -J one -H -o /dev/null --wrap true >/dev/null
sbatch --parsable -J arr -a 1-3 -H -o /dev/null --wrap true >/dev/null
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
for a in "--array-unique" "-r --array-unique" "--federation" "--local" "--sibling" "--hide" "-L foo" "--licenses=foo" "-R foo" "--reservation=foo" "--federation -h -o '%i %j'"; do
  run "squeue $a"
done
scancel -u root
