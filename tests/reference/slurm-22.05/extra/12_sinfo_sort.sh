#!/bin/bash
# Captures sinfo -S/--sort, SINFO_SORT, -T/--reservation and -v against the
# reference cluster, idle (no jobs, no reservations).
run() { echo "=== $1"; bash -c "$1" 2>&1; echo "rc=$?"; }
for a in "-T" "-T -h" "-v" "-v -N -o '%N %.3c %P'" "-S P" "-S -P" "-S +N -N" "-S -N -N" "-S D,P" "-S %N" "-S x" "-S" "-N -S -m" "-N -S P,-N" "-S -D -o '%P %D %N'"; do
  run "sinfo $a"
done
run "SINFO_SORT=-P sinfo"
run "SINFO_SORT=-P sinfo -S P"
