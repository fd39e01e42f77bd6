"""klg-klas end to end from a shell (small preset), and the bad-input cases of issue 3 not covered
inline."""

import json
from pathlib import Path
from _cli import klg
import pytest, torch


def _klas(tmp_path, *args):
    return klg('klas', tmp_path, *args)


def test_klg_klas_small(tmp_path):
    r = _klas(tmp_path, '--preset', 'small', '--out', 'run', '--set', 'finetune_steps=20')
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path / 'run' / 'results.json').read_text())['metrics']
    from klas_lfa_glidr.klas.run import ARMS

    assert set(m['summary']) == set(ARMS) and all(
        0 < v['auc_mean'] <= 1 for v in m['summary'].values()
    )
    assert m['claims'] and {c['verdict'] for c in m['claims']} <= {
        'reproduced',
        'not reproduced',
        'not testable here',
    }
    a = m['anchors']['top1']
    assert a[0] < a[-1], a  # the anchor family spans a range of accuracy
    assert len(m['anchor_macs']) == 3 and m['anchor_macs'][0] < m['anchor_macs'][-1]
    assert (
        (tmp_path / 'run' / 'figures' / 'frontier.png').exists()
        and (tmp_path / 'run' / 'figures' / 'auc.png').exists()
        and (tmp_path / 'run' / 'stages' / 'selection.json').exists()
    )


def test_bad_options(tmp_path):
    r = _klas(tmp_path, '--set', 'tau=0')
    assert r.returncode != 0 and 'tau=0.0 is out of range' in r.stderr
    r = _klas(tmp_path, '--set', 'arms=klas,magic')
    assert r.returncode != 0 and "arms ['magic'] are unknown" in r.stderr


def test_model_errors():
    import timm
    from klas_lfa_glidr.klas.anchors import create_anchor, stage_plan
    from klas_lfa_glidr.klas.stitch import Stitch, ls_init

    with pytest.raises(ValueError, match='unknown timm model'):
        create_anchor('resnet_imaginary')
    with pytest.raises(ValueError, match='cannot split Sequential'):
        stage_plan(torch.nn.Sequential(torch.nn.Linear(2, 2)))
    kw = dict(pretrained=False, img_size=16, patch_size=4, depth=3, embed_dim=32, num_heads=2)
    a, b = (
        timm.create_model('vit_tiny_patch16_224', num_classes=10, **kw),
        timm.create_model('vit_tiny_patch16_224', num_classes=7, **kw),
    )
    with pytest.raises(IndexError, match=r'valid blocks are 0..2'):
        Stitch(a, 5, a, 0)
    with pytest.raises(ValueError, match='different numbers of classes'):
        Stitch(a, 0, b, 0)
    with pytest.raises(ValueError, match='needs 100 images but the batch holds 20'):
        ls_init(Stitch(a, 0, a, 0), torch.randn(20, 3, 16, 16))


def test_empty_bucket_is_reported():
    from klas_lfa_glidr.klas.select import bucket_select

    s = bucket_select(
        torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 9.0]]), 1.0, 10.0, n_buckets=3
    )
    assert s.report['empty_buckets'] == [1] and len(s) == 2


def test_klg_klas_killed_in_finetuning_resumes_exactly(tmp_path):
    """A klg-klas run killed inside a fine-tuning stage resumes from that stage's checkpoint and
    ends where an uninterrupted run ends."""
    import os, subprocess, time
    from _cli import BIN

    args = ['--preset', 'small', '--set', 'finetune_steps=120', 'arms=klas', 'seeds=0']
    r = _klas(tmp_path, *args, '--out', 'full')
    assert r.returncode == 0, r.stderr[-3000:]
    ck = tmp_path / 'cut' / 'ckpt' / 'finetune-klas-s0.pt'
    p = subprocess.Popen(
        [str(BIN / 'klg-klas'), *args, '--out', 'cut'],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '2')},
    )
    t0 = time.time()
    while not ck.exists() and p.poll() is None and time.time() - t0 < 600:
        time.sleep(0.2)
    p.kill()
    p.wait()
    assert ck.exists(), 'no fine-tuning checkpoint appeared before the run ended'
    assert not (tmp_path / 'cut' / 'stages' / 'finetune-klas-s0.json').exists()
    r = _klas(tmp_path, *args, '--out', 'cut')
    assert r.returncode == 0, r.stderr[-3000:]
    a, b = [
        json.loads((tmp_path / d / 'stages' / 'finetune-klas-s0.json').read_text())['results']
        for d in ('full', 'cut')
    ]
    assert a == b and not ck.exists()


def test_klg_klas_under_torchrun_matches_one_process(tmp_path):
    """klg-klas under torchrun with 2 CPU processes (gloo): every Learner stage runs as DDP on the
    same global batch, so the results equal one process."""
    import os, subprocess
    from _cli import BIN

    args = ['--preset', 'small', '--set', 'arms=klas,snnet', '--set', 'finetune_steps=20']
    one = _klas(tmp_path, *args, '--out', 'one')
    assert one.returncode == 0, one.stderr[-3000:]
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    two = subprocess.run(
        [str(BIN / 'torchrun'), '--nproc_per_node=2', str(BIN / 'klg-klas'), *args, '--out', 'two'],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert two.returncode == 0, two.stderr[-3000:]
    a, b = (
        json.loads((tmp_path / d / 'results.json').read_text())['metrics'] for d in ('one', 'two')
    )
    for k, v in a['kappa'].items():
        assert abs(v - b['kappa'][k]) <= 1e-4 * max(1.0, abs(v)), (k, v, b['kappa'][k])
    for arm in ('klas', 'snnet'):
        assert abs(a['summary'][arm]['auc_mean'] - b['summary'][arm]['auc_mean']) < 0.01, arm
    assert a['summary']['klas']['n_selected'] == b['summary']['klas']['n_selected']
    assert len(list((tmp_path / 'two' / 'anchors').glob('*.pt'))) == 3 and all(
        torch.load(p) for p in (tmp_path / 'two' / 'anchors').glob('*.pt')
    )
