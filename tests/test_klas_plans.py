"""Stage plans for any timm family, a plan you build yourself, cross-family stitches, and shapes
that cannot stitch (issue 17, points 1 and 2): every plan reproduces its model, and stitching,
least-squares init, MAC counts and export take it."""

import warnings

import pytest
import torch
from torch import nn

timm = pytest.importorskip('timm')

from klas_lfa_glidr.core.config import ConfigError
from klas_lfa_glidr.core.metrics import count_macs
from klas_lfa_glidr.klas.anchors import StagePlan, stage_plan
from klas_lfa_glidr.klas.stitch import (
    Stitch, candidate_macs, export_stitch, ls_init, stage_macs, stitch_macs, stitch_problem
)

VIT = dict(img_size=32, patch_size=8, depth=3, embed_dim=48, num_heads=2)
SWIN = dict(img_size=32, window_size=4, embed_dim=24, depths=(2, 2), num_heads=(1, 2))
FAMILIES = {  # name: (timm model, kwargs, blocks)
    'vit': ('vit_tiny_patch16_224', VIT, 3),
    'deit_distilled': ('deit_tiny_distilled_patch16_224', VIT, 3),
    'vit_registers': ('vit_small_patch14_reg4_dinov2', dict(VIT, img_size=28, patch_size=7), 3),
    'swin': ('swin_tiny_patch4_window7_224', SWIN, 4),
    'resnet': ('resnet10t', {}, 4),
    'efficientnet': ('efficientnet_lite0', {}, 16),
    'mobilenet': ('mobilenetv3_small_050', {}, 12),
    'convnext': ('convnext_atto', {}, 12),
    'regnet': ('regnetx_002', {}, 13),
}


def _model(name):
    n, kw, _ = FAMILIES[name]
    torch.manual_seed(0)
    return timm.create_model(n, pretrained=False, num_classes=10, **kw).eval()


def _imgs(m, n=100):
    hw = m.patch_embed.img_size if hasattr(m, 'patch_embed') else (32, 32)
    return torch.randn(n, 3, *hw, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize('name', list(FAMILIES))
def test_family_plan_stitch_export_macs(name):
    m = _model(name)
    x = _imgs(m)
    p = stage_plan(m)
    assert p.n_blocks == FAMILIES[name][2]
    with torch.no_grad():
        torch.testing.assert_close(p(x[:2]), m(x[:2]), rtol=1e-4, atol=1e-5)
    i = p.n_blocks // 2
    st = ls_init(Stitch(m, i, m, i), x)  # a model stitched to itself: T ≈ identity
    with torch.no_grad():
        torch.testing.assert_close(st(x[:4]), m(x[:4]), rtol=1e-2, atol=2e-3)
        ex = export_stitch(st)
        torch.testing.assert_close(ex(x[:4]), st(x[:4]), rtol=1e-4, atol=1e-5)
    sm = stage_macs(m, x[:1])
    assert int(candidate_macs(sm, sm)[i, i]) == count_macs(st, x[:1])
    assert stitch_macs(sm, sm, i, i) == count_macs(ex, x[:1])


def test_cross_family_cnn_to_vit_and_convnext_to_swin():
    for src, tgt in (('resnet', 'vit'), ('convnext', 'swin')):
        f, g = _model(src), _model(tgt)
        x = _imgs(g)
        mf, mg = stage_macs(f, x[:1]), stage_macs(g, x[:1])
        ok = [(i, j) for i in range(len(mf['blocks'])) for j in range(-1, len(mg['blocks']) - 1)
              if stitch_problem(mf, mg, i, j) is None]
        bad = [(i, j) for i in range(len(mf['blocks'])) for j in range(len(mg['blocks']) - 1)
               if stitch_problem(mf, mg, i, j)]
        assert ok and bad
        i, j = ok[-1]
        st = ls_init(Stitch(f, i, g, j), x)
        with torch.no_grad():
            torch.testing.assert_close(export_stitch(st)(x[:3]), st(x[:3]), rtol=1e-4, atol=1e-5)
        assert stitch_macs(mf, mg, i, j) == count_macs(st, x[:1])
        with pytest.raises(ValueError, match='spatial mismatch'):
            ls_init(Stitch(f, bad[0][0], g, bad[0][1]), x)


class TinyCNN(nn.Module):
    "A model timm does not know: three 3×3 convolutions and a linear head."

    def __init__(self, width=8, n_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, padding=1)
        self.body = nn.ModuleList(
            nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.ReLU()) for _ in range(3)
        )
        self.fc = nn.Linear(width, n_classes)
        self.num_classes = n_classes

    def forward(self, x):
        h = self.stem(x)
        for b in self.body:
            h = b(h)
        return self.fc(h.mean((2, 3)))


def _stem(m, x):
    return m.stem(x)


def _pool_fc(m, h):
    return m.fc(h.mean((2, 3)))


def test_user_plan_flows_through_stitch_ls_init_macs_export():
    a, b = TinyCNN(8), TinyCNN(12)
    with pytest.raises(ConfigError, match=r'build a StagePlan\(model, kind, embed'):
        stage_plan(a)
    pa, pb = (StagePlan(m, 'tiny', _stem, list(m.body), _pool_fc, 'nchw') for m in (a, b))
    x = torch.randn(100, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(pa(x[:2]), a(x[:2]))
    st = ls_init(Stitch(pa, 0, pb, 1), x)
    ex = export_stitch(st)
    with torch.no_grad():
        torch.testing.assert_close(ex(x[:4]), st(x[:4]))
    ma, mb = stage_macs(pa, x[:1]), stage_macs(pb, x[:1])
    assert int(candidate_macs(ma, mb)[0, 1]) == count_macs(st, x[:1])
    assert stitch_macs(ma, mb, 0, -1) == count_macs(ls_init(Stitch(pa, 0, pb, -1), x), x[:1])


def test_unstitchable_candidates_are_left_out_before_training():
    "A ResNet family whose stages differ in size: the crash of issue 17 is a count, not an error."
    from klas_lfa_glidr.klas.config import KLASConfig
    from klas_lfa_glidr.klas.run import make_anchors, make_splits, select_all

    cfg = KLASConfig.small(
        anchor_source='timm', timm_models=('resnet10t', 'resnet18'), anchor_steps=0,
        n_train=200, n_holdout=120, n_test=100, probe_epochs=1, n_buckets=4, coarse_buckets=2,
        img_size=32,
    )
    S = make_splits(cfg)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        anchors = make_anchors(cfg, S)
        with pytest.warns(UserWarning, match='candidate stitches cannot be built'):
            sel = select_all(cfg, anchors, S)
    ex = sel['excluded']
    assert 0 < ex['candidates'] < ex['pool'] == 4 * 7
    bad = {tuple(s[:4]) for s in ex['stitches']}
    for arm, stitches in sel['selections'].items():
        assert not {tuple(s) for s in stitches} & bad, arm
    assert len(sel['candidates']) == ex['pool'] - ex['candidates']
    assert sel['snnet_report']['listed'] == len(sel['selections']['snnet']) + len(
        sel['snnet_report']['excluded'])
