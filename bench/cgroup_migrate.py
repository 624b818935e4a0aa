#!/usr/bin/env python3
"""How long moving a process into a cgroup takes after pauses (run as
root, cgroup v1 freezer hierarchy): the first move after an idle moment
waits for an RCU grace period (issue 14 point 4). Medians of 20, ms.

  bench/cgroup_migrate.py [/sys/fs/cgroup/freezer]
"""
import os
import statistics
import subprocess
import sys
import time

root = sys.argv[1] if len(sys.argv) > 1 else "/sys/fs/cgroup/freezer"
a, b = os.path.join(root, "sluice_bench_a"), os.path.join(root, "sluice_bench_b")
os.makedirs(a, exist_ok=True)
os.makedirs(b, exist_ok=True)
p = subprocess.Popen(["sleep", "100"])
try:
    for pause in (0, 0.005, 0.02, 0.05, 0.2):
        v = []
        for i in range(20):
            time.sleep(pause)
            t = time.perf_counter()
            with open(os.path.join(a if i % 2 else b, "cgroup.procs"), "w") as f:
                f.write(str(p.pid))
            v.append((time.perf_counter() - t) * 1000)
        print("pause %5.3f s: median %.3f ms" % (pause, statistics.median(v)))
finally:
    with open(os.path.join(root, "cgroup.procs"), "w") as f:
        f.write(str(p.pid))
    p.kill()
    p.wait()
    os.rmdir(a)
    os.rmdir(b)
