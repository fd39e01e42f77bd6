"""KLAS supernet fine-tuning through the core Learner: exact resume after a hard kill (the
configuration sampler included), and DDP under torchrun."""

import json, os, subprocess, sys
from pathlib import Path
import torch

HERE = Path(__file__).parent
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
TORCHRUN = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2']


def _run(out, mode, ddp=False):
    return subprocess.run(
        (TORCHRUN if ddp else [sys.executable])
        + [str(HERE / '_supernet_train.py'), str(out), mode],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=600,
    )


def test_supernet_kill_and_resume_is_exact(tmp_path):
    a, b = tmp_path / 'full', tmp_path / 'killed'
    r = _run(a, 'full')
    assert r.returncode == 0, r.stderr[-3000:]
    r = _run(b, 'kill:6')
    assert r.returncode == 3, r.stderr[-3000:]
    assert torch.load(b / 'ckpt.pt', weights_only=False)['step'] == 4
    r = _run(b, 'resume')
    assert r.returncode == 0, r.stderr[-3000:]
    wa, wb = torch.load(a / 'final.pt'), torch.load(b / 'final.pt')
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    ja, jb = json.loads((a / 'final.json').read_text()), json.loads((b / 'final.json').read_text())
    assert (
        ja == jb and sum(ja['counts'].values()) == 12
    )  # the resumed sampler drew the same configurations


def test_supernet_ddp_two_processes_match_one(tmp_path):
    one, two = tmp_path / 'one', tmp_path / 'two'
    r = _run(one, 'full')
    assert r.returncode == 0, r.stderr[-3000:]
    r = _run(two, 'full', ddp=True)
    assert r.returncode == 0, r.stderr[-3000:]
    j1, j2 = (
        json.loads((one / 'final.json').read_text()),
        json.loads((two / 'final.json').read_text()),
    )
    assert (j1['world'], j2['world']) == (1, 2) and j1['counts'] == j2['counts']
    w1, w2 = torch.load(one / 'final.pt'), torch.load(two / 'final.pt')
    for k in w1:
        torch.testing.assert_close(w1[k], w2[k], rtol=1e-4, atol=1e-5)
