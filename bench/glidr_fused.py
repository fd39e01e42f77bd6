"""GLIDR's relational message on the paper's large graphs (issue 16): `fused_relational` (chunks of
edges, no [edges × N] temporaries) against PyG's `FusedExist` (the reference, which materialises
`w[edge_type]`, `x[src]` and their product), forward and backward, in the same run, arms
interleaved, CPU time at one thread. Also: the largest relative difference of the output and of
both gradients, and the time to score a batch of test queries with the paper-preset model under
each (`KGraph(fused=...)`).

Run: KLG_DATA=../shared/data python bench/glidr_fused.py [--n 512]"""

import argparse
import time

import torch
from _common import interleaved, report
from klas_lfa_glidr.glidr.data import load_kg, queries
from klas_lfa_glidr.glidr.layers import KGraph
from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
from klas_lfa_glidr.glidr.training import graphs_for


def fwd_bwd(g, x0, w0, go):
    "A closure: the fused message of `g` and its backward; returns output and gradients."
    def f():
        x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()
        y = g.propagate_fused(x, w)
        y.backward(go)
        return y, x.grad, w.grad
    return f


def rel_diff(a, b) -> float:
    return float((a - b).abs().max() / b.abs().max())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=512, help='columns N = queries × slots')
    p.add_argument('--score', type=int, default=32, help='test queries scored per arm')
    a = p.parse_args()
    torch.set_num_threads(1)
    res = {}
    for ds in ('conve-wn18rr', 'conve-fb15k-237'):
        kg = load_kg(ds)
        gs = {f: KGraph(kg.background(), kg.n_ent, kg.n_rel, 'pyg', fused=f)
              for f in ('chunked', 'pyg')}
        torch.manual_seed(0)
        x0, w0 = torch.rand(a.n, kg.n_ent), torch.rand(a.n, 2 * kg.n_rel)
        go = torch.rand(a.n, kg.n_ent)
        fs = {f: fwd_bwd(g, x0, w0, go) for f, g in gs.items()}
        diffs = [rel_diff(u, v) for u, v in zip(fs['chunked'](), fs['pyg']())]
        t_new, t_ref = interleaved(fs['chunked'], fs['pyg'], rounds=3, clock=time.process_time)
        cfg = GLIDRConfig.paper(device='cpu')
        m = GLIDR(cfg, kg.n_ent, kg.n_rel).eval()
        m.graph, m.eval_graph = graphs_for(kg, cfg)
        q = queries(kg, 'test')[: a.score]

        def score(f):
            def run():
                m.eval_graph.fused = f
                with torch.no_grad():
                    return m(q)
            return run

        s_new, s_ref = interleaved(score('chunked'), score('pyg'), rounds=2,
                                   clock=time.process_time)
        res[ds] = dict(
            n_edges=gs['pyg'].n_edges, n_cols=a.n, fwd_bwd_chunked_s=t_new, fwd_bwd_pyg_s=t_ref,
            speedup=t_ref / t_new, max_rel_diff_out_gx_gw=diffs, score_queries=a.score,
            score_chunked_s_per_query=s_new / a.score, score_pyg_s_per_query=s_ref / a.score,
            score_speedup=s_ref / s_new,
        )
    report('glidr_fused', res)


if __name__ == '__main__':
    main()
