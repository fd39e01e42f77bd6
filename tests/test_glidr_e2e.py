"""klg-glidr end to end from a shell, its bad-input errors, and the GLIDR claims the small preset
can check."""

import json
from pathlib import Path
from _cli import klg
import pytest

FAST = [
    'epochs=1',
    'emb_epochs=3',
    'planted_epochs=6',
    'noise=0.0,0.5',
    'n_free_sweep=0,1',
    'e2e_epochs=3',
]


def _glidr(tmp_path, *args):
    return klg('glidr', tmp_path, *args)


def test_klg_glidr_small(tmp_path):
    r = _glidr(tmp_path, '--preset', 'small', '--out', 'run', '--set', *FAST)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / 'run' / 'results.json').read_text())
    m = res['metrics']
    assert res['name'] == 'glidr' and res['preset'] == 'small'
    for arm in ('glidr', 'chain', 'distmult', 'complex', 'rotate'):
        s = m['summary']['planted'][arm]
        assert 0 < s['mrr']['mean'] <= 1 and s['mrr_pessimistic']['mean'] <= s['mrr']['mean'] + 1e-9
    assert all(m['E0']['cycle']['recovered']), m['E0']  # the planted cycle among the top beam rules
    assert all(m['E0']['chain3_n2']['recovered']), m['E0']  # and the three-atom chain
    V = m['E5_noise']['variants']  # both noise variants, scored on the clean KG
    assert set(V) == {'graph', 'labels'} and set(V['labels']['mrr']['glidr']) == {'0.0', '0.5'}
    assert set(m['E3_sweep']) == {'0', '1'}
    E7 = m['E7_e2e']  # the ceiling arm runs beside joint and frozen
    assert {'joint', 'frozen random', 'oracle is0'} == set(E7) and len(E7['joint']) == 1
    assert E7['oracle is0'][0]['auroc_best'] == 1.0  # its predicate 0 is the true label
    for f in ('glidr_mrr.png', 'glidr_noise.png', 'glidr_sweep.png', 'config.json'):
        assert (tmp_path / 'run' / f).exists(), f
    assert len(list((tmp_path / 'run' / 'stages').glob('*.json'))) >= 6


def test_unknown_dataset(tmp_path):
    r = _glidr(tmp_path, '--set', 'datasets=kinship', *FAST)
    assert (
        r.returncode != 0
        and "unknown dataset 'kinship': neither a known dataset (neurallp-family" in r.stderr
    )


def test_malformed_file(tmp_path):
    d = tmp_path / 'mykg'
    d.mkdir()
    (d / 'train.txt').write_text('a\tr\tb\nb r c\n')
    (d / 'valid.txt').write_text('')
    (d / 'test.txt').write_text('')
    r = _glidr(tmp_path, '--set', f'datasets={d}', *FAST)
    assert r.returncode != 0 and 'train.txt:2: expected 3 tab-separated fields' in r.stderr


def test_bad_options(tmp_path):
    r = _glidr(tmp_path, '--set', 'n_free_max=-1')
    assert r.returncode != 0 and 'n_free_max=-1 is out of range' in r.stderr
    r = _glidr(tmp_path, '--set', 'tnorm=lukasiewicz')
    assert r.returncode != 0 and "allowed values: ('product', 'min')" in r.stderr


def test_memory_refusal():
    from klas_lfa_glidr.glidr.data import planted_kg
    from klas_lfa_glidr.glidr.model import GLIDRConfig
    from klas_lfa_glidr.glidr.training import fit_glidr
    from klas_lfa_glidr.core.config import ConfigError

    with pytest.raises(ConfigError, match=r'needs about [\d.]+ GB of activations'):
        fit_glidr(planted_kg(n_ent=50), GLIDRConfig(n_free_max=6, checkpoint=False, max_mem_gb=1))


def test_kg_mirror_stats():
    from klas_lfa_glidr.glidr.data import load_kg, check_stats, KG_DATASETS

    if not KG_DATASETS['neurallp-kinship'].present():
        pytest.skip('no ../shared/data mirror')
    for n in KG_DATASETS:
        if n != 'conve-fb15k-237':
            check_stats(load_kg(n))


def _own_kg(d):
    "A small KG directory (ConvE layout) whose test split holds a relation no graph triple has."
    d.mkdir()
    rows = lambda ts: ''.join(f'{a}\t{r}\t{b}\n' for a, r, b in ts)
    r = [(f'e{i}', 'r', f'e{(i + 1) % 12}') for i in range(12)]
    s = [(f'e{i}', 's', f'e{(i + 2) % 12}') for i in range(12)]
    (d / 'train.txt').write_text(rows(r + s[:8]))
    (d / 'valid.txt').write_text(rows(s[8:10]))
    (d / 'test.txt').write_text(rows(s[10:] + [('e1', 'only_in_test', 'e3')]))
    return d


def test_own_kg_runs_alone(tmp_path):
    d = _own_kg(tmp_path / 'mykg')
    for policy, n_test in (('keep', 3), ('drop', 2)):
        out = f'run_{policy}'
        r = _glidr(tmp_path, '--set', f'datasets={d}', f'unseen={policy}', *FAST, '--out', out)
        assert r.returncode == 0, r.stderr[-3000:]
        m = json.loads((tmp_path / out / 'results.json').read_text())['metrics']
        st = m['stats'][str(d)]
        assert (st['unseen_relations'], st['test_unseen'], st['test']) == (1, 1, n_test), st
        assert m['E0'] == {} and not {'E3_sweep', 'E5_noise', 'E7_e2e'} & set(m), list(m)
        assert not list((tmp_path / out / 'stages').glob('E*')), 'no experiment beyond the arms'
