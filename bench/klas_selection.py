"""KLAS selection cost against supernet fine-tuning at the `cpu()` preset (spec: selection ≤ 10 % of
fine-tuning; the paper reports about 5 % at ImageNet scale with 50 fine-tuning epochs).

Selection = probe training (4 epochs on the training split, all three anchors) + Θ on the holdout
split + κ, anchor pairs, Γ, candidate MACs and bucket selection; fine-tuning = one supernet of the
KLAS selection for the preset's `finetune_steps`. Also times probe training on a 2,000-image subset
(the lever when fine-tuning is short).
Anchors are random-init (the cost does not depend on the weights).

Run: python bench/klas_selection.py"""

import time
import torch
from klas_lfa_glidr.klas.data import shapes10_splits, make_anchor
from klas_lfa_glidr.klas.probes import train_probes
from klas_lfa_glidr.klas.run import KLASConfig, select_all, finetune, config_key
from _common import report


def main():
    torch.set_num_threads(2)
    cfg = KLASConfig.cpu(device='cpu')
    S = shapes10_splits(cfg.n_train, cfg.n_holdout, cfg.n_test, cfg.noise, cfg.modes)
    anchors = [
        make_anchor(w, h, cfg.depth, seed=100 + k).eval()
        for k, (w, h) in enumerate(zip(cfg.widths, cfg.heads))
    ]
    t = time.perf_counter()
    sel = select_all(cfg, anchors, S)
    t_all = time.perf_counter() - t
    macs = {f'anchor{k}': v for k, v in enumerate(sel['anchor_macs'])} | {
        config_key(tuple(c['stitch'])): c['macs'] for c in sel['candidates']
    }
    t = time.perf_counter()
    train_probes(
        anchors[-1],
        *[v[:2000] for v in S['train']],
        cfg.probe_epochs,
        cfg.anchor_bs,
        1e-3,
        0.01,
        seed=0,
    )
    t_p2k = time.perf_counter() - t
    t = time.perf_counter()
    train_probes(anchors[-1], *S['train'], cfg.probe_epochs, cfg.anchor_bs, 1e-3, 0.01, seed=0)
    t_pall = time.perf_counter() - t
    t = time.perf_counter()
    finetune(cfg, anchors, sel['selections']['klas'], S, 0, macs)
    t_ft = time.perf_counter() - t
    report(
        'klas_selection',
        dict(
            selection_s=sel['selection_s'],
            select_all_with_ls_ground_truth_s=t_all,
            finetune_s=t_ft,
            finetune_steps=cfg.finetune_steps,
            n_klas=len(sel['selections']['klas']),
            selection_fraction=sel['selection_s'] / t_ft,
            target_fraction=0.10,
            probe_largest_anchor_all_s=t_pall,
            probe_largest_anchor_2000_s=t_p2k,
            finetune_steps_for_10pct=int(cfg.finetune_steps * sel['selection_s'] / t_ft / 0.10),
        ),
    )


if __name__ == '__main__':
    main()
