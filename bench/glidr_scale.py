"""GLIDR on the paper's large graphs, on a CPU (issue 16's targets), against earlier code in the
same run. Arms:
- `now`: the defaults (chunked fused message, `reuse_memory`, `anchor_edges`, `checkpoint='auto'`);
- `now_ckpt`, `now_no_ckpt`: the same with `checkpoint` forced on, off (training step only);
- `whole`: the same without `anchor_edges` (messages from and to the anchor over the whole graph);
- `before`: the code before issue 16: torch-geometric's `FusedExist` (`fused='pyg'`, which
  materialises `[edges × N]` temporaries) with glibc's default allocator (`reuse_memory=False`),
  without `anchor_edges`.
Each arm runs in its own process (the allocator setting is process-wide), arms alternated.

1. Scoring FB15k-237 test queries with the library's ranking (`rank_queries`, 256 queries a batch,
   filtered ranks under three tie policies) with the paper-preset model: seconds a query (wall and
   CPU) at 1 and 2 threads, and the projected time for all 40,932 test queries (target < 45 min on
   2 cores); the ranks of the two arms must be identical.
2. One FB15k-237 training step at B = 64 (paper preset): seconds and peak RSS of the process
   (target < 4 GB). Each arm runs under an address-space cap (`--cap-gb`, 16), so an arm that
   needs more fails at once and is reported, instead of being killed by the kernel.

Scores do not depend on the weights' values, so the model is a fresh one (seed 0).

Run: KLG_DATA=../shared/data python bench/glidr_scale.py [--queries 256] [--rounds 1]
[--one-thread] [--step-only]
Every test query, the `now` arm at 2 threads only (the measured, not projected, target; about
half an hour on 2 idle cores): `python bench/glidr_scale.py --queries 0 --no-step`"""

import argparse
import json
import subprocess
import sys
import time

from _common import report

CHILD = r'''
import json, resource, sys, time
what, ds, n, threads, fused, reuse, anchor, ckpt, cap = sys.argv[1:10]
lim = int(float(cap) * 2**30)  # address-space cap: a step above it fails fast, not by OOM kill
resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
import torch
n, threads, reuse, anchor = int(n), int(threads), reuse == '1', anchor == '1'
ckpt = {'1': True, '0': False}.get(ckpt, ckpt)  # or 'auto'
torch.set_num_threads(threads)
from klas_lfa_glidr.glidr.data import load_kg, queries, answers
from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
from klas_lfa_glidr.glidr.ranking import rank_queries
from klas_lfa_glidr.glidr.training import GLIDRLoss, graphs_for
kg = load_kg(ds)
cfg = GLIDRConfig.paper(device='cpu', reuse_memory=reuse, bs=n or 64, anchor_edges=anchor,
                         checkpoint=ckpt)
torch.manual_seed(0)
m = GLIDR(cfg, kg.n_ent, kg.n_rel)
m.graph, m.eval_graph = graphs_for(kg, cfg)
m.graph.fused = m.eval_graph.fused = fused
out = {}
if what == 'score':
    m.eval()
    q, filt = queries(kg, 'test'), answers(kg)
    q = q[:n] if n else q
    n = len(q)
    rank_queries(m, q[:8], filt, kg.n_ent)  # warm-up
    t, c = time.perf_counter(), time.process_time()
    rk = rank_queries(m, q, filt, kg.n_ent, bs=256)
    out = dict(wall_s_per_query=(time.perf_counter() - t) / n,
               cpu_s_per_query=(time.process_time() - c) / n,
               checksum=float(rk['mean'].double().sum()),
               mrr=float((1 / rk['mean'].double()).mean()), ranks=rk['mean'].tolist())
else:
    m.train()
    q = queries(kg, 'train')[torch.randperm(len(queries(kg, 'train')))[:n]]
    loss = GLIDRLoss(cfg.loss, answers(kg, ('train',)), kg.n_ent, m)
    opt = torch.optim.Adam(m.parameters(), cfg.lr)
    ts = []
    for _ in range(2):  # the first step grows the heap
        t = time.perf_counter()
        opt.zero_grad()
        loss(m(q), q).backward()
        opt.step()
        ts.append(time.perf_counter() - t)
    out = dict(step_s=ts[-1], first_step_s=ts[0])
out['peak_rss_gb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
print(json.dumps(out))
'''

# (fused, reuse_memory, anchor_edges, checkpoint); now: the defaults (checkpoint 'auto')
ARMS = dict(now=('chunked', True, True, 'auto'), whole=('chunked', True, False, 'auto'),
            before=('pyg', False, False, False), now_ckpt=('chunked', True, True, True),
            now_no_ckpt=('chunked', True, True, False))


def child(what, ds, n, threads, arm, cap_gb):
    "One arm in its own process; a failure (e.g. above the memory cap) is reported, not raised."
    fused, *flags = ARMS[arm]
    flags = [f if isinstance(f, str) else '1' if f else '0' for f in flags]
    args = [what, ds, str(n), str(threads), fused, *flags, str(cap_gb)]
    out = subprocess.run([sys.executable, '-c', CHILD, *args], capture_output=True, text=True)
    if out.returncode:
        err = (out.stderr.strip().splitlines() or ['?'])[-1]
        return dict(error=f'exit {out.returncode} (memory cap {cap_gb} GB): {err[-300:]}')
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print(what, arm, f't{threads}', {k: v for k, v in res.items() if k != 'ranks'}, flush=True)
    return res


def equal_share(a, b):
    "Share of queries ranked alike by two arms (None when either arm failed)."
    if a is None or b is None:
        return None
    return sum(x == y for x, y in zip(a, b)) / len(a)


def full(a):
    "Every test query with the defaults at 2 threads: measured wall time, not a projection."
    t = time.perf_counter()
    res = child('score', a.dataset, 0, 2, 'now', a.cap_gb)
    wall = time.perf_counter() - t
    if 'error' in res:
        return report(f'glidr_scale-{a.dataset}-full', dict(dataset=a.dataset, **res))
    ranks = res.pop('ranks')
    out = dict(dataset=a.dataset, queries=len(ranks), arm_threads=2, arm='now',
               scoring_min=res['wall_s_per_query'] * len(ranks) / 60,
               process_min=wall / 60, target_min=45, **res)
    report(f'glidr_scale-{a.dataset}-full', out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default='conve-fb15k-237')
    p.add_argument('--queries', type=int, default=256,
                   help='test queries scored per arm; 0: all of them, `now` at 2 threads only')
    p.add_argument('--rounds', type=int, default=1, help='repeats of each arm (best kept)')
    p.add_argument('--no-step', action='store_true', help='leave the training step out')
    p.add_argument('--step-only', action='store_true', help='the training step alone')
    p.add_argument('--step-bs', type=int, default=64, help='queries of the training step')
    p.add_argument('--cap-gb', type=float, default=16, help='address-space cap of each arm')
    p.add_argument('--one-thread', action='store_true',
                   help='leave out the 2-thread arm (a busy machine: compare CPU times)')
    a = p.parse_args()
    n_test = 40932 if a.dataset == 'conve-fb15k-237' else None
    if a.queries == 0:
        return full(a)
    if a.step_only:
        arms = [arm for arm in ARMS if arm != 'before']  # before: over the cap (16 GB)
        step = {arm: child('step', a.dataset, a.step_bs, 1, arm, a.cap_gb) for arm in arms}
        name = f'glidr_scale-{a.dataset}-step' + ('' if a.step_bs == 64 else f'-b{a.step_bs}')
        return report(name, dict(dataset=a.dataset, bs=a.step_bs, step=step))
    score = {}
    for _ in range(a.rounds):
        arms = (('now', 1), ('whole', 1), ('before', 1), ('now', 2))
        for arm, t in arms[: 3 if a.one_thread else 4]:
            score.setdefault(f'{arm}_t{t}', []).append(
                child('score', a.dataset, a.queries, t, arm, a.cap_gb))
    ok = {k: [r for r in v if 'error' not in r] for k, v in score.items()}
    best = {k: min(v, key=lambda r: r['wall_s_per_query']) if v else score[k][0]
            for k, v in ok.items()}
    ranks = {k: v.pop('ranks', None) for k, v in best.items()}
    for v in score.values():
        for r in v:
            r.pop('ranks', None)
    cpu = {k: v.get('cpu_s_per_query', float('nan')) for k, v in best.items()}
    res = dict(dataset=a.dataset, queries=a.queries, score=best,
               identical_ranks_whole_before=ranks['whole_t1'] == ranks['before_t1'],
               equal_ranks_now_whole=equal_share(ranks['now_t1'], ranks['whole_t1']),
               speedup_t1=cpu['before_t1'] / cpu['now_t1'],
               speedup_t1_anchor_edges=cpu['whole_t1'] / cpu['now_t1'])
    if n_test:
        res['projected_all_test_min'] = {
            k: v['wall_s_per_query'] * n_test / 60 for k, v in best.items() if 'error' not in v}
        res['projected_all_test_cpu_min_t1'] = {
            k: v['cpu_s_per_query'] * n_test / 60 for k, v in best.items()
            if 'error' not in v and k.endswith('_t1')}
    if not a.no_step:
        res['step_b64'] = {arm: child('step', a.dataset, 64, 1, arm, a.cap_gb) for arm in ARMS}
    res['runs'] = score
    report(f'glidr_scale-{a.dataset}', res)


if __name__ == '__main__':
    main()
