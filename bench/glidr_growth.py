"""How GLIDR's training step grows with the graph, over the five benchmark graphs (Kinship, UMLS,
Family, WN18RR, FB15k-237), now (`anchor_edges`, the default) against the same messages over the
whole graph (`anchor_edges=False`), arms interleaved.

Every graph runs the paper preset's messages (torch-geometric adjacency, fused form), n_free_max 2,
K 8, a batch of `--bs` training queries (16), at 1 thread, CPU time: the median of `--rounds` steps
after one warm-up step. The growth exponent is the least-squares slope of log(step seconds) against
log(edges under R⁺), over the five graphs.

Run: KLG_DATA=../shared/data python bench/glidr_growth.py [--bs 16] [--rounds 3]"""

import argparse
import math
import time

import torch
from _common import interleaved, report
from klas_lfa_glidr.glidr.data import load_kg, queries, answers
from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
from klas_lfa_glidr.glidr.training import GLIDRLoss, graphs_for

DATASETS = ('neurallp-kinship', 'neurallp-umls', 'neurallp-family', 'conve-wn18rr',
            'conve-fb15k-237')


def step_fn(kg, cfg, bs):
    "One training step of a fresh paper-preset model on `bs` random training queries."
    torch.manual_seed(0)
    m = GLIDR(cfg, kg.n_ent, kg.n_rel)
    m.graph, m.eval_graph = graphs_for(kg, cfg)
    m.train()
    qs = queries(kg, 'train')
    q = qs[torch.randperm(len(qs))[:bs]]
    loss = GLIDRLoss(cfg.loss, answers(kg, ('train',)), kg.n_ent, m)
    opt = torch.optim.Adam(m.parameters(), cfg.lr)

    def f():
        opt.zero_grad()
        loss(m(q), q).backward()
        opt.step()

    return f, m.graph.n_edges


def slope(xs, ys):
    "Least-squares slope of log(ys) against log(xs)."
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--bs', type=int, default=16, help='training queries a step')
    p.add_argument('--rounds', type=int, default=3, help='timed steps of each arm (median kept)')
    a = p.parse_args()
    torch.set_num_threads(1)
    rows = {}
    for ds in DATASETS:
        kg = load_kg(ds)
        cfg = GLIDRConfig.paper(device='cpu', n_slots=8, bs=a.bs)
        fa, n_edges = step_fn(kg, cfg, a.bs)
        fw, _ = step_fn(kg, cfg.replace(anchor_edges=False), a.bs)
        ta, tw = interleaved(fa, fw, rounds=a.rounds, clock=time.process_time)
        rows[ds] = dict(entities=kg.n_ent, edges=n_edges, anchor_s=ta, whole_s=tw, speedup=tw / ta)
        print(ds, rows[ds], flush=True)
    edges = [r['edges'] for r in rows.values()]
    res = dict(bs=a.bs, rounds=a.rounds, datasets=rows,
               exponent_anchor=slope(edges, [r['anchor_s'] for r in rows.values()]),
               exponent_whole=slope(edges, [r['whole_s'] for r in rows.values()]))
    report('glidr_growth', res)


if __name__ == '__main__':
    main()
