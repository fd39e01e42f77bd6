"""GLIDR benchmarks, each against a baseline in the same run.

1. Training-step time of GLIDR (n_free_max 2) against the chain-only configuration on Kinship
   and UMLS (target <= 3x).
2. Sparse backends (torch.sparse, torch-geometric fused) against the dense one on UMLS: equal
   scores, time ratio.
3. FB15k-237 with the torch-geometric fused backend on CPU: time and peak memory of one training
   batch of 64 queries (message checkpointing on), and time to score all entities for test
   queries.
4. Evaluation throughput: filtered queries per second on Kinship (GLIDR scores + ranking), and
   ranking alone.
5. Message pruning (`prune_messages`, the default) against every message every round (the
   reference) on Kinship, at the cpu preset's K = 4 and n_free_max 1, 2 and 3: training-step time
   ratio and the largest log-score difference.
6. Messages from and to the anchor over the anchor's edges (`anchor_edges`, the default) against
   the same messages over the whole graph, on Kinship and UMLS (n_free_max 2, K 8): training-step
   time ratio, for GLIDR and chain-only, and the largest log-score difference.

Run: KLG_DATA=../shared/data python bench/glidr.py [--quick] [--prune-only] [--no-fb] [--cpu-time]
(--quick: fewer steps and 128 FB15k-237 test queries; --prune-only: section 5 alone; --no-fb:
section 3 left out; --cpu-time: CPU time at 1 thread, for a busy machine)"""

import os, resource, sys, time
import torch
from _common import interleaved, report
from klas_lfa_glidr.glidr.data import load_kg, queries, answers
from klas_lfa_glidr.glidr.layers import KGraph
from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
from klas_lfa_glidr.glidr.ranking import evaluate, rank_queries
from klas_lfa_glidr.glidr.training import GLIDRLoss
from klas_lfa_glidr.glidr.baselines import chain_only

QUICK = '--quick' in sys.argv
CPU_TIME = '--cpu-time' in sys.argv
if CPU_TIME:
    torch.set_num_threads(1)
CLOCK = time.process_time if CPU_TIME else time.perf_counter


def step_fn(kg, cfg, backend='dense', bs=64):
    torch.manual_seed(0)
    m = GLIDR(cfg, kg.n_ent, kg.n_rel)
    m.graph = KGraph(kg.background(), kg.n_ent, kg.n_rel, backend)
    m.train()
    q = queries(kg, 'train')[torch.randperm(len(queries(kg, 'train')))[:bs]]
    loss, opt = (
        GLIDRLoss('ce', answers(kg, ('facts', 'train')), kg.n_ent, m),
        torch.optim.Adam(m.parameters(), 1e-2),
    )

    def f():
        opt.zero_grad()
        loss(m(q), q).backward()
        opt.step()

    return f, m, q


def rss_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


res = {}
cfg = GLIDRConfig(n_free_max=2, n_slots=8)
kg = load_kg('neurallp-kinship')
out = {}
for n in (1, 2, 3):
    c = GLIDRConfig(n_free_max=n, n_slots=4)
    fp, mp, q = step_fn(kg, c)
    fr, mr, _ = step_fn(kg, c.replace(prune_messages=False))
    mp.eval()
    mr.eval()
    with torch.no_grad():
        diff = (mp(q[:, :2]) - mr(q[:, :2])).abs().max().item()
    tp, tr = interleaved(fp, fr, rounds=3 if QUICK else 5, clock=CLOCK)
    out[f'n_free_max_{n}'] = dict(
        pruned_s=tp,
        reference_s=tr,
        speedup=tr / tp,
        max_abs_logscore_diff=diff,
        messages=sum(map(len, mp.schedule(0))),
        messages_reference=sum(map(len, mr.schedule(0))),
    )
res['kinship_prune'] = out
if '--prune-only' in sys.argv:
    report('glidr_prune', res)
    sys.exit()
for name in ('neurallp-kinship', 'neurallp-umls'):
    kg = load_kg(name)
    fg, _, _ = step_fn(kg, cfg)
    fc, _, _ = step_fn(kg, chain_only(cfg))
    tg, tc = interleaved(fg, fc, rounds=3 if QUICK else 7, clock=CLOCK)
    spe = -(-len(queries(kg, 'train')) // 64)
    res[f'{name}_step'] = dict(
        glidr_s=tg,
        chain_s=tc,
        ratio=tg / tc,
        glidr_epoch_s=tg * spe,
        chain_epoch_s=tc * spe,
        target='<= 3',
    )

out = {}
for name in ('neurallp-kinship', 'neurallp-umls'):
    kg = load_kg(name)
    for arm, c in (('glidr', cfg), ('chain', chain_only(cfg))):
        fa, ma, q = step_fn(kg, c)
        fw, mw, _ = step_fn(kg, c.replace(anchor_edges=False))
        ma.eval()
        mw.eval()
        with torch.no_grad():
            diff = (ma(q[:, :2]) - mw(q[:, :2])).abs().max().item()
        ta, tw = interleaved(fa, fw, rounds=3 if QUICK else 5, clock=CLOCK)
        out[f'{name}_{arm}'] = dict(anchor_s=ta, whole_s=tw, speedup=tw / ta,
                                    max_abs_logscore_diff=diff)
res['anchor_edges'] = out

kg = load_kg('neurallp-umls')
fd, md, q = step_fn(kg, cfg, 'dense')
out = {}
for b, form in (('sparse', 'mixture'), ('pyg', 'fused')):
    c = cfg.replace(message_form=form)
    fs, ms, _ = step_fn(kg, c, b)
    fd2, md2, _ = step_fn(kg, c, 'dense')
    ms.load_state_dict(md2.state_dict())
    ms.eval()
    md2.eval()
    with torch.no_grad():
        diff = (ms(q[:, :2]) - md2(q[:, :2])).abs().max().item()
    td, ts = interleaved(fd2, fs, rounds=3 if QUICK else 5, clock=CLOCK)
    out[f'{b}_{form}'] = dict(max_abs_logscore_diff=diff, dense_s=td, sparse_s=ts, ratio=ts / td)
res['umls_sparse_vs_dense'] = out

kg = load_kg('neurallp-kinship')
m = GLIDR(cfg, kg.n_ent, kg.n_rel)
m.graph = KGraph(kg.background(), kg.n_ent, kg.n_rel)
m.eval()
filt = answers(kg)
qt = queries(kg, 'test')
t = time.perf_counter()
evaluate(m, kg, filt=filt)
te = time.perf_counter() - t
const = lambda qb: torch.zeros(len(qb), kg.n_ent)
t = time.perf_counter()
rank_queries(const, qt, filt, kg.n_ent)
tr = time.perf_counter() - t
res['kinship_eval'] = dict(
    queries=len(qt), glidr_queries_per_s=len(qt) / te, ranking_only_queries_per_s=len(qt) / tr
)

if '--no-fb' not in sys.argv:
    kg = load_kg('conve-fb15k-237')
    c = cfg.replace(adjacency='pyg', message_form='fused', checkpoint=True)
    base = rss_gb()
    torch.manual_seed(0)
    m = GLIDR(c, kg.n_ent, kg.n_rel)
    m.graph = KGraph(kg.background(), kg.n_ent, kg.n_rel, 'pyg')
    q = queries(kg, 'train')[torch.randperm(2 * len(kg.split('train')))[:64]]
    loss = GLIDRLoss('ce', answers(kg, ('train',)), kg.n_ent, m)
    t = time.perf_counter()
    m.train()
    loss(m(q), q).backward()
    t_train = time.perf_counter() - t
    n = 128 if QUICK else 1000
    qt = queries(kg, 'test')[:n]
    m.eval()
    t = time.perf_counter()
    with torch.no_grad():
        for i in range(0, n, 64):
            m(qt[i : i + 64, :2])
    t_score = time.perf_counter() - t
    res['fb15k237_pyg_fused'] = dict(
        E=kg.n_ent,
        edges=m.graph.n_edges,
        train_batch64_s=t_train,
        score_queries=n,
        score_s=t_score,
        score_per_1000_s=t_score * 1000 / n,
        peak_rss_gb=rss_gb(),
        rss_before_gb=base,
    )
report('glidr', res)
