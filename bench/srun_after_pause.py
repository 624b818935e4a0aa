#!/usr/bin/env python3
"""srun's wall time after pauses of 0 to 2 s, against a running cluster
(SLURM_CONF), with /bin/true and a controller round trip as controls
(issue 14 point 4). Medians of N rounds, ms, the commands interleaved.

  SLURM_CONF=... bench/srun_after_pause.py [N=15]
"""
import os
import statistics
import subprocess
import sys
import time

B = os.path.join(os.path.realpath(os.path.join(os.path.dirname(__file__), "..")), "build", "bin") + "/"
cmds = {"/bin/true": ["/bin/true"], "squeue -u nobody": [B+"squeue","-h","-u","nobody"], "srun true": [B+"srun","true"], "srun -N2 -n8 true": [B+"srun","-N2","-n8","true"]}
pauses = [0, 0.02, 0.1, 0.5, 2.0]
n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
res = {}
for _ in range(n):
    for p in pauses:
        for name, c in cmds.items():
            time.sleep(p)
            t = time.perf_counter(); subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/tmp"); d = (time.perf_counter()-t)*1000
            res.setdefault((name, p), []).append(d)
print("%-20s" % "pause (s)", "".join("%10s" % p for p in pauses))
for name in cmds:
    print("%-20s" % name, "".join("%10.2f" % statistics.median(res[(name, p)]) for p in pauses))
