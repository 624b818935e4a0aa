#!/usr/bin/env python3
"""Where one sbatch's wall time goes, against a running cluster (SLURM_CONF):
process start alone (`sbatch --version`), the whole `sbatch -H`, the
submission RPC from a warm process with a new connection each time and
over one connection (sluice-bench-burst --conf --sequential [--fresh]), and
a MUNGE credential (`munge -n`). Medians of N runs, ms.

  SLURM_CONF=... bench/submit_floor.py [N=100]
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.path.join(ROOT, "build", "bin")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
conf = os.environ["SLURM_CONF"]
sock = [l.split("socket=", 1)[1].strip() for l in open(conf) if l.startswith("AuthInfo=socket=")]


def wall(cmd):
    v = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/tmp")
        v.append((time.perf_counter() - t) * 1000)
    return statistics.median(v)


def burst(*extra):
    out = subprocess.run([os.path.join(BIN, "sluice-bench-burst"), "--conf", conf, "--sequential", str(n)]
                         + list(extra), check=True, stdout=subprocess.PIPE, text=True).stdout
    return float(out)


rows = [
    ("/bin/true (starting any process from here)", wall(["/bin/true"])),
    ("sbatch --version (process start, no call)", wall([os.path.join(BIN, "sbatch"), "--version"])),
    ("munge -n (one credential)", wall(["munge", "-n"] + (["-S", sock[0]] if sock else []))),
    ("sbatch -H --wrap true (whole)", wall([os.path.join(BIN, "sbatch"), "-H", "-o", "/dev/null", "--wrap", "true"])),
    ("submission RPC, new connection, warm process", burst("--fresh")),
    ("submission RPC over one connection", burst()),
]
for name, ms in rows:
    print("| %s | %.2f ms |" % (name, ms))
