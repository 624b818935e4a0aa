#!/usr/bin/env python3
"""Two builds of one command, timed alternately against a running cluster
(SLURM_CONF): each round runs A then B (then B then A the next round, so
neither always goes first); prints the median and p90 wall time of each,
ms, and B/A.

  SLURM_CONF=... bench/ab_command.py A_BINARY B_BINARY [N=100] -- ARGS...
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    cut = sys.argv.index("--")
    head, args = sys.argv[1:cut], sys.argv[cut + 1:]
    if len(head) not in (2, 3):
        sys.exit(__doc__)
    a, b = head[0], head[1]
    n = int(head[2]) if len(head) == 3 else 100
    times = {a: [], b: []}
    for i in range(n):
        for binary in ((a, b) if i % 2 == 0 else (b, a)):
            t = time.perf_counter()
            subprocess.run([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/tmp")
            times[binary].append((time.perf_counter() - t) * 1000)
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, k in (("A", a), ("B", b)):
        v = sorted(times[k])
        print("%s %s: median %.2f ms, p90 %.2f ms" % (name, k, med[k], v[int(0.9 * (len(v) - 1))]))
    print("B/A %.3f" % (med[b] / med[a]))


if __name__ == "__main__":
    main()
