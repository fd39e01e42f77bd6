"""KLAS selection cost against one supernet fine-tuning run (issue 17, point 4; spec: selection
≤ 10 % of fine-tuning; the paper reports about 5 % at ImageNet scale with 50 fine-tuning epochs).

Selection = what `selection_s` times (`klas.run.klas_selection`): probe training on the training
split for every anchor, Θ on the holdout split, κ, anchor pairs, candidate MACs, the shapes that
cannot stitch, Γ and the buckets. Two arms, interleaved (the second run of each is kept):
- preset: the preset's probe options (cached pooled features; `cpu()`: 500 images, 32 epochs at
  lr 1e-2);
- reference: the code before issue 17, the spec's probes: every training image, 4 epochs at
  lr 1e-3, the anchor run at every probe step (`probe_cache=False`).
Fine-tuning = one supernet of the preset's KLAS selection for its `finetune_steps`. CPU time at
one thread.

With `--run DIR` (a finished `klg-klas` run of the same preset: its anchors and its LS-init ground
truth), ρ(−Γ, LS-init accuracy) of both arms, at every probe seed of `--probe-seeds` (the seed
draws the probe images, the probes' init and the batch order): the preset must not lose more than
0.02 of ρ.

Run: python bench/klas_selection.py --preset cpu --run DIR [--probe-seeds 0,1,2,3]
     python bench/klas_selection.py --preset cpu_pretrained --run DIR"""

import argparse
import json
import statistics
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

SPEC_PROBES = dict(probe_images=0, probe_epochs=4, probe_lr=1e-3, probe_cache=False)


def _cpu(fn):
    t = time.process_time()
    out = fn()
    return out, time.process_time() - t


def _gamma_list(K, keys):
    return [float(K['G'][fg][i, j]) for fg, i, j in keys]


def _ground_truth(out: Path) -> dict:
    "LS-init accuracy of every candidate of the finished run in `out`."
    s = json.loads((out / 'stages' / 'selection.json').read_text())
    s = s.get('value', s)
    return {tuple(c['stitch']): c['acc'] for c in s['candidates']}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--preset', default='cpu')
    p.add_argument('--run', default=None, help='a finished klg-klas run of the same preset')
    p.add_argument('--probe-seeds', default='0', help='probe seeds of the ρ comparison')
    a = p.parse_args()
    torch.set_num_threads(1)
    cfg = KLASConfig.from_preset(a.preset, device='cpu', seeds=(0,), progress=False)
    ref = cfg.replace(**SPEC_PROBES)
    S = make_splits(cfg)
    out = Path(a.run) if a.run else Path('bench/out') / f'klas-{a.preset}'
    anchors = make_anchors(cfg, S, out)  # trained once, then read from out/anchors
    runs = {}
    for name, c in (('preset', cfg), ('reference', ref)) * 2:
        runs[name] = _cpu(lambda: klas_selection(c, anchors, S))
    (K, t_sel), (K0, t_sel0) = runs['preset'], runs['reference']
    st = K['klas'].stitches
    macs = {f'anchor{k}': v for k, v in enumerate(K['amacs'])}
    macs |= {config_key(s): stitch_macs(K['sm'][s[0]], K['sm'][s[1]], *s[2:]) for s in st}
    _, t_ft = _cpu(lambda: finetune(cfg, anchors, st, S, 0, macs))
    keys = [(fg, i, j) for fg, g in K['G'].items() for i in range(g.shape[0])
            for j in range(g.shape[1]) if (*fg, i, j) not in K['bad']]
    probe = {k: getattr(cfg, k) for k in SPEC_PROBES}
    res = dict(
        preset=a.preset, preset_probes=probe, reference_probes=SPEC_PROBES,
        selection_cpu_s=t_sel, selection_reference_cpu_s=t_sel0,
        finetune_cpu_s=t_ft, finetune_steps=cfg.finetune_steps, n_klas=len(st),
        selection_fraction=t_sel / t_ft, selection_fraction_reference=t_sel0 / t_ft,
        target_fraction=0.10, gamma_rho_preset_vs_reference=float(
            stats.spearmanr(_gamma_list(K, keys), _gamma_list(K0, keys)).statistic),
        same_klas_selection=sorted(st) == sorted(K0['klas'].stitches),
    )
    if a.run and (out / 'stages' / 'selection.json').exists():
        acc = _ground_truth(out)
        ks = [k for k in keys if (*k[0], k[1], k[2]) in acc]
        y = [acc[(*fg, i, j)] for fg, i, j in ks]
        rho = {'preset': {}, 'reference': {}}
        for sd in [int(s) for s in a.probe_seeds.split(',')]:
            for name, c in (('preset', cfg), ('reference', ref.replace(probe_cache=True))):
                G = K if (sd == cfg.seed and name == 'preset') else klas_selection(
                    c.replace(seed=sd), anchors, S)
                rho[name][sd] = score_correlation(_gamma_list(G, ks), y)
        res['rho_gamma_ls'] = rho
        res['rho_drop_per_seed'] = {sd: rho['reference'][sd] - rho['preset'][sd]
                                    for sd in rho['preset']}
        res['rho_mean'] = {n: statistics.mean(v.values()) for n, v in rho.items()}
        res['rho_drop_worst'] = max(res['rho_drop_per_seed'].values())
    report(f'klas_selection-{a.preset}', res)


if __name__ == '__main__':
    main()
