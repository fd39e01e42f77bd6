"klg-lfa end to end from a shell, stage reuse on rerun, and its bad-input errors."

import json, warnings
from pathlib import Path
from _cli import klg
import numpy as np
import pytest, torch

FAST = ['steps=100', 'n_boot=50', 'n_sem=48', 'n_tgt=48', 'n_pds=32', 'n_pairs=16', 'n_control=1']


def _lfa(tmp_path, *args):
    return klg('lfa', tmp_path, *args)


def test_klg_lfa_small_and_rerun(tmp_path):
    r = _lfa(
        tmp_path,
        '--preset',
        'small',
        '--out',
        'run',
        '--set',
        *FAST,
        'arms=std,lfa,cfm',
        'seeds=0,1',
    )
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / 'run' / 'results.json').read_text())
    m = res['metrics']
    assert res['name'] == 'lfa' and set(m['summary']) == {'std-rope', 'lfa-rope', 'cfm-rope'}
    assert set(m['hypotheses']) == {'H1', 'H2', 'H3', 'H4'} and all(
        isinstance(h['held'], bool) for h in m['hypotheses'].values()
    )
    # two seeds cannot give a verdict (at least three are needed)
    assert {h['verdict'] for h in m['hypotheses'].values()} == {'not testable here'}
    for v in m['summary'].values():
        assert (
            len(v['valid_loss']['values']) == 2 and v['valid_loss']['ci'] is not None
        )  # two seeds: a seed CI exists
        assert len(v['pds_max']['values']) == 2, v['pds_max']  # deep layers hold non-diffuse heads
        assert 0 <= v['stability']['mean'] <= 1 and 'stability_b' in v
        assert len(v['d_semantic_ci'][0]) == 2  # per-seed bootstrap CI
    assert abs(m['params']['lfa']['ratio'] - 1) < 0.05 and m['params']['cfm']['ratio'] < 1
    for f in ('pds_by_layer', 'interventions', 'stability', 'dose'):
        assert (tmp_path / 'run' / 'figures' / f'{f}.png').exists(), f
    st = tmp_path / 'run' / 'stages' / 'std-rope-s0-train.json'
    t0 = st.stat().st_mtime_ns
    r = _lfa(
        tmp_path,
        '--preset',
        'small',
        '--out',
        'run',
        '--set',
        *FAST,
        'arms=std,lfa,cfm,dst',
        'seeds=0,1',
        '--force',
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert st.stat().st_mtime_ns == t0  # finished stages are reused
    m = json.loads((tmp_path / 'run' / 'results.json').read_text())['metrics']
    assert 'H5' in m['hypotheses'] and 'dst-rope' in m['summary']
    # the same stages under torchrun with 2 CPU processes (gloo, DDP on the same global batch)
    # equal the 1-process ones
    import os, subprocess
    from _cli import BIN

    r = subprocess.run(
        [
            str(BIN / 'torchrun'),
            '--nproc_per_node=2',
            str(BIN / 'klg-lfa'),
            '--preset',
            'small',
            '--out',
            'two',
            '--set',
            *FAST,
            'arms=std,lfa',
            'seeds=0',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, 'OMP_NUM_THREADS': '1'},
    )
    assert r.returncode == 0, r.stderr[-3000:]

    def leaves(d, p=''):
        if isinstance(d, dict):
            return {
                k: v
                for kk, vv in d.items()
                if not kk.endswith(('_s', 'tokens_per_s'))
                for k, v in leaves(vv, f'{p}{kk}.').items()
            }
        if isinstance(d, list):
            return {k: v for i, x in enumerate(d) for k, v in leaves(x, f'{p}{i}.').items()}
        return (
            {p: float(d)}
            if isinstance(d, (int, float)) and not isinstance(d, bool) and d == d
            else {}
        )

    for st in (
        'std-rope-s0-train',
        'std-rope-s0-analysis',
        'lfa-rope-s0-train',
        'lfa-rope-s0-analysis',
    ):
        a, b = (
            leaves(json.loads((tmp_path / d / 'stages' / f'{st}.json').read_text()))
            for d in ('run', 'two')
        )
        assert a.keys() == b.keys() and a, st
        tol = (
            1e-4 if st.endswith('train') else 2e-2
        )  # the all-reduce sums gradients in another order; effect sizes and ratios amplify that
        bad = {k: (a[k], b[k]) for k in a if abs(a[k] - b[k]) > tol * max(1.0, abs(a[k]))}
        assert not bad, (st, list(bad.items())[:5])


def test_bad_combination(tmp_path):
    r = _lfa(tmp_path, '--set', 'stream_mode=single')
    assert (
        r.returncode != 0
        and "v_source='token' is not allowed with stream_mode='single'; allowed combinations"
        in r.stderr
    )
    r = _lfa(tmp_path, '--set', 'arms=std,gpt')
    assert r.returncode != 0 and "arms ['gpt'] are unknown" in r.stderr
    r = _lfa(tmp_path, '--set', 'pos=learned_abs')
    assert r.returncode != 0 and "only allowed with stream_mode='single'" in r.stderr


def test_too_long_and_missing_heads():
    from klas_lfa_glidr.lfa.model import LFAConfig, LFAModel
    from klas_lfa_glidr.lfa.interventions import ablation_hooks

    m = LFAModel(LFAConfig.small(), 50)
    with pytest.raises(
        ValueError, match=r'sequence length 40 exceeds the model.s context n_ctx=32'
    ):
        m(torch.zeros(1, 40, dtype=torch.long))
    with pytest.raises(IndexError, match=r'layer 7 does not exist; valid layers are 0..5'):
        ablation_hooks(m, [(7, 0)])
    with pytest.raises(IndexError, match=r'head 6 does not exist in layer 0; valid heads are 0..5'):
        ablation_hooks(m, [(0, 6)])


def test_small_bootstrap_warns():
    from klas_lfa_glidr.lfa.interventions import effect_sizes

    with pytest.warns(UserWarning, match='bootstrap CIs are unavailable'):
        e = effect_sizes(np.arange(5.0), np.arange(5.0) - 1)
    assert e['ci_d_av'] is None and e['d_av'] < 0


def test_tinystories_path(tmp_path):
    """The paper preset's code path (word tokenizer, story windows, batteries with story names) on
    a tiny local corpus."""
    import random
    from klas_lfa_glidr.lfa.model import LFAConfig
    from klas_lfa_glidr.lfa.run import run

    rng = random.Random(0)

    def story():
        a, b = rng.choice(['lily', 'sue', 'mia', 'amy']), rng.choice(['tom', 'ben', 'max', 'tim'])
        return (
            f"{a} met {b} . she was very happy . the one who was happy is {a} . {b} saw a "
            f"red ball and then he was sad ."
        )

    for s in ('train', 'valid'):
        (tmp_path / f'TinyStories-{s}.txt').write_text(
            '\n<|endoftext|>\n'.join(story() for _ in range(200)) + '\n<|endoftext|>\n'
        )
    cfg = LFAConfig.paper(
        data_dir=str(tmp_path),
        vocab_k=200,
        n_train=200,
        n_valid=32,
        n_ctx=32,
        d_head=8,
        bs=16,
        steps=10,
        warmup=2,
        arms=('std', 'lfa'),
        alibi_arms=('lfa',),
        seeds=(0,),
        device='cpu',
        n_boot=20,
        n_pds=16,
        n_sem=16,
        n_tgt=16,
        n_pairs=4,
        pds_i0=4,
    )
    m = run(cfg, tmp_path / 'out')
    assert set(m['summary']) == {'std-rope', 'lfa-rope', 'lfa-alibi'} and 'H1' in m['hypotheses']


def test_python_docs_setting(tmp_path):
    """The real-text setting end to end: CPython's own prose (no download, no grammar), batteries
    drawn from held-out text, every stage and verdict produced."""
    from klas_lfa_glidr.lfa.model import LFAConfig
    from klas_lfa_glidr.lfa.run import run

    cfg = LFAConfig.small(corpus='python_docs', vocab_k=500, steps=80, arms=('std', 'lfa'),
                          device='cpu', progress=False, n_boot=50, n_sem=48, n_tgt=48, n_pds=32,
                          n_pairs=16, n_control=1)
    m = run(cfg, tmp_path)
    assert m['summary']['lfa-rope']['acc_semantic']['mean'] > 0.6  # real text, learnt a little
    assert set(m['hypotheses']) >= {'H1', 'H2', 'H3'}
    assert m['params']['lfa-rope'] > 500 * cfg.d_model  # the 500-word embedding is counted
