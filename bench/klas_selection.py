"""KLAS selection cost against one supernet fine-tuning run (issue 17, point 4; spec: selection
≤ 10 % of fine-tuning; the paper reports about 5 % at ImageNet scale with 50 fine-tuning epochs).

Selection = what `selection_s` times (`klas.run.klas_selection`): probe training on the training
split for every anchor, Θ on the holdout split, κ, anchor pairs, candidate MACs, the shapes that
cannot stitch, Γ and the buckets. It runs twice, with the probes trained on cached pooled features
(`probe_cache=True`, the default) and with the anchor run at every probe step (`probe_cache=False`,
the code before), interleaved. Fine-tuning = one supernet of the KLAS selection for the preset's
`finetune_steps`. CPU time at one thread.

Γ is compared between the two: Spearman ρ over every candidate, and, with `--run DIR` (a finished
`klg-klas` run of the same preset: its anchors and its LS-init ground truth), ρ(−Γ, LS-init accuracy)
of each.

Run: python bench/klas_selection.py --preset cpu_pretrained [--run DIR]
     python bench/klas_selection.py --preset cpu"""

import argparse
import json
import time
from pathlib import Path

import torch
from scipy import stats
from klas_lfa_glidr.klas.run import (
    KLASConfig, klas_selection, finetune, make_anchors, make_splits, config_key
)
from klas_lfa_glidr.klas.frontier import score_correlation
from klas_lfa_glidr.klas.stitch import stitch_macs
from _common import report


def _cpu(fn):
    t = time.process_time()
    out = fn()
    return out, time.process_time() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--preset', default='cpu_pretrained')
    p.add_argument('--run', default=None, help='a finished klg-klas run of the same preset')
    a = p.parse_args()
    torch.set_num_threads(1)
    cfg = KLASConfig.from_preset(a.preset, device='cpu', seeds=(0,), progress=False)
    S = make_splits(cfg)
    out = Path(a.run) if a.run else Path('bench/out') / f'klas-{a.preset}'
    anchors = make_anchors(cfg, S, out)  # trained once, then read from out/anchors
    runs = {}
    for cache in (True, False, True, False):  # interleaved; the second of each is kept
        runs[cache] = _cpu(lambda: klas_selection(cfg.replace(probe_cache=cache), anchors, S))
    (K, t_sel), (K0, t_sel0) = runs[True], runs[False]
    st = K['klas'].stitches
    macs = {f'anchor{k}': v for k, v in enumerate(K['amacs'])}
    macs |= {config_key(s): stitch_macs(K['sm'][s[0]], K['sm'][s[1]], *s[2:]) for s in st}
    _, t_ft = _cpu(lambda: finetune(cfg, anchors, st, S, 0, macs))
    keys = [(fg, i, j) for fg, g in K['G'].items() for i in range(g.shape[0])
            for j in range(g.shape[1]) if (*fg, i, j) not in K['bad']]
    gam = lambda G: [float(G[fg][i, j]) for fg, i, j in keys]
    res = dict(
        preset=a.preset, selection_cpu_s=t_sel, selection_uncached_cpu_s=t_sel0,
        finetune_cpu_s=t_ft, finetune_steps=cfg.finetune_steps, n_klas=len(st),
        selection_fraction=t_sel / t_ft, selection_fraction_uncached=t_sel0 / t_ft,
        target_fraction=0.10, gamma_rho_cached_vs_uncached=float(
            stats.spearmanr(gam(K['G']), gam(K0['G'])).statistic),
        same_klas_selection=sorted(st) == sorted(K0['klas'].stitches),
    )
    sel = out / 'stages' / 'selection.json'
    if a.run and sel.exists():
        s = json.loads(sel.read_text())
        s = s.get('value', s)
        acc = {tuple(c['stitch']): c['acc'] for c in s['candidates']}
        ks = [k for k in keys if (*k[0], k[1], k[2]) in acc]
        y = [acc[(*fg, i, j)] for fg, i, j in ks]
        for name, G in (('cached', K['G']), ('uncached', K0['G'])):
            res[f'rho_gamma_ls_{name}'] = score_correlation(
                [float(G[fg][i, j]) for fg, i, j in ks], y)
        res['rho_drop'] = res['rho_gamma_ls_uncached'] - res['rho_gamma_ls_cached']
    report(f'klas_selection-{a.preset}', res)


if __name__ == '__main__':
    main()
