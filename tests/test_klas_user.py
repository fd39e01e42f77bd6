"""Your own anchors and data (issue 17, point 6): `run()` takes a width family given as timm names
with per-anchor kwargs and splits given as DataLoaders; `klg-klas` reaches them through the
config's `setup` option; a bucket that holds one candidate is reported."""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

from klas_lfa_glidr.core.config import ConfigError
from klas_lfa_glidr.klas.config import KLASConfig
from klas_lfa_glidr.klas.data import shapes10_splits
from klas_lfa_glidr.klas.run import run, user_splits

FAMILY = [
    ('resnet18', dict(channels=(8, 16, 32, 64))),
    ('resnet18', dict(channels=(16, 32, 64, 128))),
]


def _data():
    S = shapes10_splits(400, 120, 100, noise=0.5, size=32)
    dl = lambda s: torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*s), batch_size=50)
    return dict(train=dl(S['train']), holdout=S['holdout'], test=dl(S['test']))


def _cfg(**kw):
    return KLASConfig.small(device='cpu', probe_epochs=1, n_buckets=4, coarse_buckets=2,
                            finetune_steps=6, arms=('klas', 'snnet', 'random'), progress=False,
                            **kw)


def test_run_takes_your_anchors_and_data(tmp_path):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        r = run(_cfg(), tmp_path, anchors=FAMILY, data=_data())
    assert set(r['summary']) == {'klas', 'snnet', 'random'}
    assert r['excluded']['candidates'] > 0  # stage-crossing stitches are counted, not fatal
    p = r['anchors']['params']
    assert len(p) == 2 and p[0] < p[1]
    msgs = [str(x.message) for x in w]
    assert any('candidate stitches cannot be built' in m for m in msgs)
    other = [FAMILY[0], ('resnet18', dict(channels=(12, 24, 48, 96)))]
    with pytest.raises(ConfigError, match='holds stages of other anchors or data'):
        run(_cfg(), tmp_path, anchors=other, data=_data())


def test_bad_user_inputs_are_refused():
    with pytest.raises(ConfigError, match='data must be dict'):
        user_splits(dict(train=None))
    with pytest.raises(ConfigError, match='inputs but'):
        user_splits(dict(train=(torch.zeros(3, 1), torch.zeros(2)), holdout=(), test=()))
    with pytest.raises(ConfigError, match='need at least two anchors'):
        run(_cfg(), anchors=FAMILY[:1], data=_data())
    with pytest.raises(ConfigError, match='build a StagePlan'):
        run(_cfg(), anchors=[torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)], data=_data())


SETUP = '''
import torch
from klas_lfa_glidr.klas.data import shapes10_splits


def build(cfg):
    S = shapes10_splits(400, 120, 100, noise=0.5, size=32)
    fam = [('resnet18', dict(channels=(8, 16, 32, 64))),
           ('resnet18', dict(channels=(16, 32, 64, 128)))]
    return dict(anchors=fam, data=S)
'''


def test_cli_reaches_your_setup(tmp_path):
    (tmp_path / 'mine.py').write_text(SETUP)
    env = dict(os.environ, OMP_NUM_THREADS='1', KLG_OFFLINE='1', HF_HUB_OFFLINE='1')
    base = [str(Path(sys.executable).parent / 'klg-klas'), '--out', str(tmp_path / 'run')]
    sets = ['--set', 'setup=mine.py:build', 'probe_epochs=1', 'n_buckets=4', 'coarse_buckets=2',
            'finetune_steps=4', 'arms=klas,snnet', 'progress=false']
    r = subprocess.run(base + sets, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / 'run' / 'results.json').exists()
    bad = subprocess.run(base[:1] + ['--set', 'setup=mine.py:nothing'], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and 'has no function nothing' in bad.stderr
