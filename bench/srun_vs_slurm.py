#!/usr/bin/env python3
"""srun wall time, Sluice against real Slurm 22.05 on the same machine at the
same moment (runs interleaved, so both see the same load).

Needs a running Sluice cluster (SLUICE_CONF, e.g. from `sluice-local up`)
and a running reference Slurm (SLURM_REF_CONF, from the setup in
../shared/reference/slurm-22.05/setup: setup.sh then start.sh --clean).

  bench/srun_vs_slurm.py [--runs N] [--sluice-bin DIR] [--slurm-bin DIR]
"""
import argparse
import os
import subprocess
import time

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=40)
p.add_argument("--sluice-bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "bin"))
p.add_argument("--slurm-bin", default="/usr/bin")
p.add_argument("--sluice-conf", default=os.environ.get("SLUICE_CONF", "/tmp/lc/slurm.conf"))
p.add_argument("--slurm-conf", default=os.environ.get("SLURM_REF_CONF", "/tmp/slurmref/etc/slurm.conf"))
a = p.parse_args()

cases = []
for args in (["true"], ["-N2", "-n8", "true"]):
    cases.append(("slurm srun " + " ".join(args), [a.slurm_bin + "/srun"] + args, a.slurm_conf))
    cases.append(("sluice srun " + " ".join(args), [a.sluice_bin + "/srun"] + args, a.sluice_conf))
cases.append(("/bin/true (machine speed)", ["/bin/true"], ""))
times = {name: [] for name, _, _ in cases}
for _ in range(a.runs):
    for name, cmd, conf in cases:
        env = dict(os.environ, SLURM_CONF=conf)
        t = time.perf_counter()
        r = subprocess.run(cmd, env=env, cwd="/tmp", stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - t)
        if r.returncode != 0:
            print("exit %d: %s" % (r.returncode, name))
for name, v in times.items():
    v.sort()
    n = len(v)
    print("%-28s median %7.1f ms   p10 %7.1f   p90 %7.1f" %
          (name, v[n // 2] * 1e3, v[n // 10] * 1e3, v[n * 9 // 10] * 1e3))
