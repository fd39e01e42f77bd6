"""KLAS: MACs of every candidate stitch of a DeiT-Ti/S/B family (k = 3, n = 12: all O(k²n²) binary
stitches) by composition of per-stage counts, against counting a sample of stitched networks
directly; and the composed anchors' MACs against the analytic ViT count. Random weights (no
download). Target: all candidates < 30 s on CPU.

Run: python bench/klas_flops.py"""

import time, itertools
import torch, timm
from klas_lfa_glidr.core.metrics import count_macs, vit_macs
from klas_lfa_glidr.klas.stitch import stage_macs, candidate_macs, Stitch, StitchLayer
from _common import report


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    names = ['deit_tiny_patch16_224', 'deit_small_patch16_224', 'deit_base_patch16_224']
    models = [timm.create_model(n, pretrained=False).eval() for n in names]
    x = torch.randn(1, 3, 224, 224)
    t0 = time.perf_counter()
    st = [stage_macs(m, x) for m in models]
    M = {(f, g): candidate_macs(st[f], st[g]) for f, g in itertools.permutations(range(3), 2)}
    t_all = time.perf_counter() - t0
    n_cand = sum(v.numel() for v in M.values())
    anchors = [s['embed'] + sum(s['blocks']) + s['head'] for s in st]
    analytic = [vit_macs(12, d) for d in (192, 384, 768)]
    # direct count of a few stitched networks (layer set to the right shape; weights
    # irrelevant for MACs)
    checks = []
    for f, g, i, j in ((0, 1, 5, 6), (1, 2, 3, 9), (0, 2, 11, 0)):
        s = Stitch(models[f], i, models[g], j)
        s.layer = StitchLayer(models[f].embed_dim, models[g].embed_dim)
        t = time.perf_counter()
        direct = count_macs(s, x)
        checks.append(
            dict(
                stitch=(names[f], i, names[g], j),
                composed=int(M[(f, g)][i, j]),
                direct=direct,
                direct_s=time.perf_counter() - t,
            )
        )
    report(
        'klas_flops',
        dict(
            family=names,
            candidates=n_cand,
            all_candidates_s=t_all,
            target_s=30,
            anchor_gmacs=[a / 1e9 for a in anchors],
            analytic_gmacs=[a / 1e9 for a in analytic],
            anchor_vs_analytic=[a / b for a, b in zip(anchors, analytic)],
            direct_checks=checks,
        ),
    )


if __name__ == '__main__':
    main()
