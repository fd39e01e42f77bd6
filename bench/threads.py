"""Torch threads on a busy machine: the same CPU job at 1 and at 2 threads, on an idle machine
and with other work keeping every core busy (issue 19, item 7).

Each arm is a fresh process (`OMP_NUM_THREADS=k`, so torch and OpenMP start with k threads) that
trains a small MLP for a fixed number of steps through the core Learner and prints its wall and
CPU seconds; the arms alternate, so drift hits both alike. The load is `--load` pure-Python spin
processes per core (no OpenMP, like a neighbour's job). The ratio reported is
wall(2 threads) / wall(1 thread): below 1, the second thread helps; above 1, it hurts.

Run: python bench/threads.py [--rounds 5] [--load 2] [--steps 60]   (about a minute)"""

import argparse, json, os, statistics, subprocess, sys, time
from pathlib import Path
from _common import report

JOB = r"""
import json, os, sys, time, resource
import torch, torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset
from klas_lfa_glidr.core.data import DataLoaders
from klas_lfa_glidr.core.learner import Learner
steps = int(sys.argv[1])
torch.manual_seed(0)
x = torch.randn(4096, 256)
dls = DataLoaders(TensorDataset(x, (x[:, :8].sum(1) > 0).long()), bs=256, seed=0)
m = nn.Sequential(nn.Linear(256, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                  nn.Linear(1024, 2))
learn = Learner(m, dls, lr=1e-3, loss_func=F.cross_entropy, device='cpu', progress=False)
learn.fit(n_steps=3)
t, c = time.perf_counter(), time.process_time()
learn.fit(n_steps=3 + steps)
print(json.dumps(dict(wall=time.perf_counter() - t, cpu=time.process_time() - c,
                      threads=torch.get_num_threads())))
"""

SPIN = "import time\nt = time.time()\nwhile time.time() - t < 3600:\n    pass\n"


def arm(threads: int, steps: int) -> dict:
    "One run of the job in a fresh process with `threads` threads."
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads), 'KLG_THREADS': str(threads)}
    r = subprocess.run([sys.executable, '-c', JOB, str(steps)], capture_output=True, text=True,
                       env=env, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def measure(rounds: int, steps: int) -> dict:
    "Median wall and CPU seconds of 1 and 2 threads, alternating."
    runs = {1: [], 2: []}
    for _ in range(rounds):
        for k in (1, 2):
            runs[k].append(arm(k, steps))
    med = lambda k, f: statistics.median(r[f] for r in runs[k])
    return dict(wall_1=med(1, 'wall'), wall_2=med(2, 'wall'), cpu_1=med(1, 'cpu'),
                cpu_2=med(2, 'cpu'), ratio_wall_2_over_1=med(2, 'wall') / med(1, 'wall'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--steps', type=int, default=60)
    ap.add_argument('--load', type=int, default=2, help='spin processes per core while busy')
    a = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    idle = measure(a.rounds, a.steps)
    spin = [subprocess.Popen([sys.executable, '-c', SPIN]) for _ in range(a.load * cores)]
    try:
        time.sleep(2)
        busy = measure(a.rounds, a.steps)
        load = os.getloadavg()[0]
    finally:
        for p in spin:
            p.kill()
    from klas_lfa_glidr.core.cli import free_cores

    report('threads', dict(cores=cores, spin_processes=len(spin), load_1min=round(load, 1),
                           steps=a.steps, rounds=a.rounds, idle=idle, busy=busy,
                           free_cores=free_cores()))


if __name__ == '__main__':
    main()
