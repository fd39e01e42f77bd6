"""KLAS supernet costs at the CPU-scale anchor family (timm ViTs of width 64 / 128 / 192, depth 6,
16×16 inputs; random weights, nothing downloaded):

1. forward of one configuration through the supernet against its exported standalone module (target
   ≤ 1.03×);
2. fine-tuning throughput (images/s) of the supernet (SN-Net's 28 stitches at depth 6 + 3 anchors,
   uniform sampling) against training the largest anchor alone, same batch size, both through the
   core Learner;
3. `evaluate_configs` (each batch read once, source-anchor blocks shared by the stitches that leave
   them) against a per-configuration `top1` loop, all 31 configurations on 2,000 images: time ratio,
   equal accuracies.

Run: python bench/klas_supernet.py"""

import copy, time
import torch
from klas_lfa_glidr.klas.data import shapes10, make_anchor, CPU_WIDTHS
from klas_lfa_glidr.klas.select import snnet_select
from klas_lfa_glidr.klas.stitch import Stitch, ls_init, export_stitch
from klas_lfa_glidr.klas.supernet import Supernet, SampleConfigCB, evaluate_configs
from klas_lfa_glidr.klas.data import top1
from _common import interleaved, report, fit_time


def main(bs=128, steps=30):
    torch.set_num_threads(2)
    x, y = shapes10(4096, seed=0)
    anchors = [make_anchor(w, h, 6, seed=k).eval() for k, (w, h) in enumerate(CPU_WIDTHS)]
    stitches = snnet_select([6, 6, 6]).stitches
    net = Supernet([copy.deepcopy(a) for a in anchors], stitches, x).eval()
    fwd = []
    xb = x[:256]
    with torch.no_grad():
        for c in [(0, 1, 2, 2), (1, 2, 4, 3), (0, 1, 5, 4)]:
            net.set_config(c)
            ex = export_stitch(net.stitch(c))
            torch.testing.assert_close(net(xb), ex(xb))
            ts, te = interleaved(lambda: net(xb), lambda: ex(xb), rounds=41, warmup=3)
            fwd.append(dict(config=c, supernet_s=ts, exported_s=te, ratio=ts / te))
    xe, ye = shapes10(2000, seed=1)

    def per_config():
        out = []
        for c in net.configs:
            net.set_config(c)
            out.append(top1(net, xe, ye, 256))
        return out

    shared = [r['acc'] for r in evaluate_configs(net, xe, ye, bs=256)]
    assert shared == per_config()
    t_shared, t_loop = interleaved(
        lambda: evaluate_configs(net, xe, ye, bs=256), per_config, rounds=5, warmup=1
    )
    net.train()
    t_sn = fit_time(
        net,
        x,
        y,
        bs,
        steps,
        cbs=[SampleConfigCB('uniform', seed=0)],
        opt=lambda ps, lr: torch.optim.AdamW(net.param_groups(lr, 1.0, 10.0)),
    )
    t_an = fit_time(copy.deepcopy(anchors[-1]).train(), x, y, bs, steps)
    report(
        'klas_supernet',
        dict(
            batch=bs,
            steps=steps,
            forward=fwd,
            forward_ratio_max=max(f['ratio'] for f in fwd),
            target_forward_ratio=1.03,
            supernet_img_s=bs * steps / t_sn,
            largest_anchor_img_s=bs * steps / t_an,
            throughput_ratio=t_an / t_sn,
            n_configs=len(net.configs),
            eval_shared_s=t_shared,
            eval_per_config_s=t_loop,
            eval_speedup=t_loop / t_shared,
        ),
    )


if __name__ == '__main__':
    main()
