"A run killed hard at step k and resumed equals an uninterrupted run, bit for bit, on CPU."

import json, subprocess, sys
from pathlib import Path
import torch

HERE = Path(__file__).parent


def _run(out, mode, *sets):
    return subprocess.run(
        [sys.executable, str(HERE / '_toy_train.py'), str(out), mode, *sets],
        capture_output=True,
        text=True,
    )


def test_kill_and_resume_is_exact(tmp_path):
    a, b = tmp_path / 'full', tmp_path / 'killed'
    assert _run(a, 'full').returncode == 0
    r = _run(b, 'kill:10')
    assert r.returncode == 3, r.stderr
    assert (
        torch.load(b / 'ckpt.pt', weights_only=False)['step'] == 8
    )  # last periodic checkpoint before the kill
    r = _run(b, 'resume')
    assert r.returncode == 0, r.stderr
    wa, wb = torch.load(a / 'final.pt'), torch.load(b / 'final.pt')
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert json.loads((a / 'final.json').read_text()) == json.loads((b / 'final.json').read_text())
    assert (a / 'metrics.jsonl').read_text() == (b / 'metrics.jsonl').read_text()


def test_resume_refuses_other_config(tmp_path):
    assert _run(tmp_path, 'full').returncode == 0
    r = _run(tmp_path, 'resume', 'lr=0.01')
    assert (
        r.returncode != 0
        and "differing fields (ours, checkpoint's): {'lr': (0.01, 0.003)}" in r.stderr
    )
