"""Does GLIDR's graph model alone learn the planted three-atom chain, and what stops it?

Trains GLIDR with the chain guard off on E0's `chain3` planted graph (the cpu preset's planted
settings: 200 entities, 15 epochs, lr 3e-2, beam 16) for each seed, under the option values given,
and reports the graph model's filtered test MRR and the planted body's rank among the target's
beam rules (None: absent). The chain-only configuration gets MRR 1.000 on every seed. Each
`--set` is one arm: `name=value[,name=value]` (an empty arm is the cpu preset as it is).

Run: KLG_DATA=../shared/data python bench/glidr_chain3.py --n-free 2 --seeds 0 1 2 \\
         --set "" "sparsity_reg=0" "sparsity_start=0.5" "top_init=2"
"""

import argparse
import time

import torch
from _common import report
from klas_lfa_glidr.glidr.data import planted_kg
from klas_lfa_glidr.glidr.model import GLIDRConfig
from klas_lfa_glidr.glidr.run import _planted_rank, run_arm


def arm(spec: str) -> dict:
    "`name=value,name=value` as config overrides (numbers parsed as floats)."
    return {k: float(v) for k, v in (kv.split('=') for kv in spec.split(',') if kv)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n-free', type=int, default=2, help='n_free_max (2 or 3)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--set', nargs='+', default=[''], help='one arm per value')
    a = p.parse_args()
    torch.set_num_threads(1)
    cfg = GLIDRConfig.cpu(device='cpu')
    rows = []
    for spec in a.set:
        for seed in a.seeds:
            kg = planted_kg(('chain3',), n_ent=cfg.planted_ent, seed=seed)
            c = cfg.replace(n_free_max=a.n_free, seed=seed, epochs=cfg.planted_epochs,
                            lr=cfg.planted_lr, rule_beam=cfg.planted_beam, chain_guard='none',
                            **arm(spec))
            t = time.process_time()
            g = run_arm(kg, c, 'glidr')
            row = dict(arm=spec or 'cpu preset', seed=seed, graph_mrr=g['mean']['mrr'],
                       rank=_planted_rank(g, 'chain3', kg), cpu_s=time.process_time() - t)
            print(row, flush=True)
            rows.append(row)
    report(f'glidr_chain3-n{a.n_free}', dict(n_free_max=a.n_free, runs=rows))


if __name__ == '__main__':
    main()
