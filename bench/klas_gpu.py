"""KLAS supernet at the paper's anchor family on one GPU (the issue's prepared device check; under 10
minutes): timm's DeiT-Ti/S/B at 224² (random weights unless --pretrained), SN-Net's
nearest-stitching selection at depth 12
(3n − 2 = 34 stitches per adjacent pair), least-squares initialisation, then

1. the forward of three configurations through the supernet against their exported standalone
   modules (target ≤ 1.03×);
2. supernet fine-tuning throughput (images/s, bf16 autocast through the core Learner, uniform
   configuration sampling) against training DeiT-B alone at the same batch size;
3. the step time scaled to the paper recipe (50 ImageNet epochs at batch 512), logged in the JSON.

Inputs are random tensors: this measures speed, not accuracy.
Run: python bench/klas_gpu.py            (GPU) python bench/klas_gpu.py --quick    (a CPU smoke test
of the script: 32² inputs, depth 2)"""

import argparse, copy, time
import torch
from klas_lfa_glidr.klas.anchors import create_anchor
from klas_lfa_glidr.klas.select import snnet_select
from klas_lfa_glidr.klas.stitch import export_stitch
from klas_lfa_glidr.klas.supernet import Supernet, SampleConfigCB
from _common import interleaved, report, fit_time

NAMES = ('deit_tiny_patch16_224', 'deit_small_patch16_224', 'deit_base_patch16_224')


def main(quick=False, pretrained=False, bs=128, steps=40):
    dev = 'cuda' if torch.cuda.is_available() and not quick else 'cpu'
    img, kw = (32, dict(img_size=32, patch_size=8, depth=2)) if quick else (224, {})
    if quick:
        bs, steps = 16, 3
    torch.manual_seed(0)
    anchors = [create_anchor(n, pretrained, **kw).to(dev).eval() for n in NAMES]
    depths = [len(a.blocks) for a in anchors]
    x = torch.randn(max(4 * bs, 256), 3, img, img)
    y = torch.randint(0, 1000, (len(x),))
    t0 = time.perf_counter()
    stitches = snnet_select(depths).stitches
    net = Supernet([copy.deepcopy(a) for a in anchors], stitches, x[:100].to(dev)).to(dev).eval()
    t_ls = time.perf_counter() - t0
    xb, fwd = x[:bs].to(dev), []
    sync = (lambda: torch.cuda.synchronize()) if dev == 'cuda' else (lambda: None)
    with torch.no_grad(), torch.autocast('cuda', dtype=torch.bfloat16, enabled=dev == 'cuda'):
        for c in stitches[:: max(1, len(stitches) // 3)][:3]:
            net.set_config(c)
            ex = export_stitch(net.stitch(c))
            ts, te = interleaved(
                lambda: (net(xb), sync()), lambda: (ex(xb), sync()), rounds=15, warmup=3
            )
            fwd.append(dict(config=list(c), supernet_s=ts, exported_s=te, ratio=ts / te))
    net.train()
    t_sn = fit_time(
        net,
        x,
        y,
        bs,
        steps,
        dev,
        [SampleConfigCB('uniform', seed=0)],
        opt=lambda ps, lr: torch.optim.AdamW(net.param_groups(lr, 1.0, 1.0)),
    )
    t_an = fit_time(copy.deepcopy(anchors[-1]).train(), x, y, bs, steps, dev)
    step = t_sn / steps
    paper_steps = 50 * 1_281_167 // 512
    report(
        'klas_gpu',
        dict(
            device=torch.cuda.get_device_name() if dev == 'cuda' else 'cpu',
            quick=quick,
            img=img,
            batch=bs,
            steps=steps,
            n_stitches=len(stitches),
            n_configs=len(net.configs),
            ls_init_s=t_ls,
            forward=fwd,
            forward_ratio_max=max(f['ratio'] for f in fwd),
            target_forward_ratio=1.03,
            supernet_img_s=bs * steps / t_sn,
            deit_b_alone_img_s=bs * steps / t_an,
            throughput_ratio=t_an / t_sn,
            paper_recipe=dict(
                steps_at_batch_512=paper_steps,
                hours_one_gpu=paper_steps * step * 512 / bs / 3600,
                note='per arm and seed: 50 ImageNet-1K epochs (1,281,167 images) at batch 512, '
                'at this step time',
            ),
        ),
    )


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true')
    p.add_argument('--pretrained', action='store_true')
    p.add_argument('--bs', type=int, default=128)
    p.add_argument('--steps', type=int, default=40)
    a = p.parse_args()
    main(a.quick, a.pretrained, a.bs, a.steps)
