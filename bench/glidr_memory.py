"""The page-fault storm (issue 16): GLIDR scoring test queries on a large graph with freed memory
kept in the process (`reuse_freed_memory`, the default above 1,000 entities) against the glibc
default (large blocks `mmap`ed fresh, so the kernel zero-fills every page again), in the same run.
Each arm runs in its own process (the setting is process-wide), arms alternated; CPU time per
query at one thread, minor page faults per batch, peak RSS; the scores must be identical.

Run: KLG_DATA=../shared/data python bench/glidr_memory.py [--dataset conve-wn18rr] [--queries 64]"""

import argparse
import json
import subprocess
import sys

import torch
from _common import report

CHILD = r'''
import json, resource, sys, time, torch
torch.set_num_threads(1)
from klas_lfa_glidr.glidr.data import load_kg, queries
from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
from klas_lfa_glidr.glidr.training import graphs_for
ds, n, reuse = sys.argv[1], int(sys.argv[2]), sys.argv[3] == '1'
kg = load_kg(ds)
cfg = GLIDRConfig.paper(device='cpu', reuse_memory=reuse)
torch.manual_seed(0)
m = GLIDR(cfg, kg.n_ent, kg.n_rel).eval()
m.graph, m.eval_graph = graphs_for(kg, cfg)
q = queries(kg, 'test')[:n]
with torch.no_grad():
    s = m(q)  # warm-up: the heap grows once
    r0, t = resource.getrusage(resource.RUSAGE_SELF), time.process_time()
    for _ in range(2):
        m(q)
    dt, r1 = (time.process_time() - t) / 2, resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps(dict(s_per_query=dt / n, faults_per_batch=(r1.ru_minflt - r0.ru_minflt) / 2,
                      peak_rss_gb=r1.ru_maxrss / 1e6, checksum=float(s.double().sum()))))
'''


def child(ds, n, reuse):
    out = subprocess.run([sys.executable, '-c', CHILD, ds, str(n), '1' if reuse else '0'],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default='conve-wn18rr')
    p.add_argument('--queries', type=int, default=64)
    p.add_argument('--rounds', type=int, default=2)
    a = p.parse_args()
    runs = {True: [], False: []}
    for _ in range(a.rounds):
        for reuse in (True, False):
            runs[reuse].append(child(a.dataset, a.queries, reuse))
    best = {k: min(v, key=lambda r: r['s_per_query']) for k, v in runs.items()}
    same = len({r['checksum'] for v in runs.values() for r in v}) == 1
    report(f'glidr_memory-{a.dataset}', dict(
        dataset=a.dataset, queries=a.queries, reuse=best[True], glibc_default=best[False],
        speedup=best[False]['s_per_query'] / best[True]['s_per_query'], identical_scores=same,
        torch_threads=1, runs={str(k): v for k, v in runs.items()}))


if __name__ == '__main__':
    main()
