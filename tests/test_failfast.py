"""Issue 19: every bad input fails within seconds as one line on stderr with exit code 2, before
any training; a second job into the same --out is refused; a job killed with -9 loses nothing
finished and reruns to the end; --show-config lists every option."""

import json, os, re, signal, subprocess, sys, time
from pathlib import Path
import pytest
from _cli import klg

TOY = "from klas_lfa_glidr.core.checks import toy_main\ntoy_main()\n"
FAST = ['epochs=1', 'emb_epochs=2', 'emb_models=distmult']


def _toy(tmp_path, *args, wait=True):
    script = tmp_path / 'klg_toy.py'
    script.write_text(TOY)
    cmd = [sys.executable, str(script), *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)


def _refused(r, *needles, secs: float = 10.0):
    "One clear line on stderr, exit code 2, no traceback; `needles` all in that line."
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert 'Traceback' not in r.stderr, r.stderr[-2000:]
    err = [l for l in lines if ': error: ' in l]
    assert len(err) == 1, lines
    for n in needles:
        assert n in err[0], (n, err[0])
    return err[0]


def _timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t0


def _rows(pairs):
    return ''.join(f'e{a}\t{r}\te{b}\n' for a, r, b in pairs)


R = [(i, 'r', (i + 1) % 12) for i in range(12)] + [(i, 's', (i + 2) % 12) for i in range(12)]


def _kg(d: Path, train=_rows(R[:20]), valid=_rows(R[20:22]), test=_rows(R[22:])):
    "A small KG directory (ConvE layout); a split given as None is left out."
    d.mkdir(parents=True)
    for name, text in (('train', train), ('valid', valid), ('test', test)):
        if text is not None:
            (d / f'{name}.txt').write_text(text, encoding='utf-8')
    return d


@pytest.mark.parametrize('family,sets,needles', [
    ('klas', ['anchor_steps=-5'], ['anchor_steps=-5 is out of range']),
    ('klas', ['finetune_bs=0'], ['finetune_bs=0 is out of range', '1 <= finetune_bs']),
    ('klas', ['finetune_lr=-0.002'], ['finetune_lr=-0.002 is out of range']),
    ('klas', ['finetune_lr=nan'], ['finetune_lr=nan is not a finite number']),
    ('klas', ['widths=16,abc'], ['widths: expected an int']),
    ('klas', ['anchor_source=timm', 'timm_models=deit_tiny_patch16_224,deit_smal_patch16_224'],
     ["unknown timm model 'deit_smal_patch16_224'", 'close names']),
    ('lfa', ['seeds=-1'], ['seeds=(-1,) is out of range']),
    ('lfa', ['lr=inf'], ['lr=inf is not a finite number']),
    ('lfa', ['corpus=tinystories', 'data_dir=/nonexistent'], ['lacks TinyStories-train.txt']),
    ('glidr', ['n_free_max=-1'], ['n_free_max=-1 is out of range']),
    ('glidr', ['noise=0.1,nan'], ['is not a finite number']),
    ('glidr', ['datasets=kinship'], ["unknown dataset 'kinship'", 'neurallp-family']),
])
def test_bad_option_one_line(tmp_path, family, sets, needles):
    r, secs = _timed(lambda: klg(family, tmp_path, '--set', *sets))
    _refused(r, *needles)
    assert secs < 10 and not (tmp_path / 'runs').exists(), secs  # nothing written, nothing run


@pytest.mark.parametrize('files,needles', [
    (dict(train='e1\tr\te2\nZ\u00fcrich\tr\te3\n'.encode('latin-1')), ['train.txt:2: not UTF-8']),
    (dict(train=''), ['train.txt holds no triples']),
    (dict(test=None), ['has no test.txt']),
    (dict(test=''), ['test.txt holds no triples']),
    (dict(train='e1\tr\te2\ne2 r e3\n'), ['train.txt:2: expected 3 tab-separated fields']),
])
def test_bad_kg_dir_one_line(tmp_path, files, needles):
    d = tmp_path / 'mykg'
    text = {k: v for k, v in files.items() if not isinstance(v, bytes)}
    _kg(d, **text)
    for k, v in files.items():
        if isinstance(v, bytes):
            (d / f'{k}.txt').write_bytes(v)
    r, secs = _timed(lambda: klg('glidr', tmp_path, '--set', f'datasets={d}', *FAST))
    _refused(r, *needles)
    assert secs < 10, secs
    assert not list(d.parent.glob('*.json')) and not (tmp_path / 'runs' / 'glidr-small' /
                                                      'config.json').exists()


def test_offline_without_data(tmp_path):
    env = {'KLG_DATA': str(tmp_path / 'empty'), 'KLG_OFFLINE': '1'}
    r, secs = _timed(lambda: klg('glidr', tmp_path, '--set', 'datasets=neurallp-umls', env=env))
    line = _refused(r, 'offline', "'kg/neurallp-umls' lacks 6 of 6 files")
    assert all(f in line for f in ('facts.txt', 'train.txt', 'valid.txt', 'test.txt'))
    assert secs < 10, secs


def test_out_is_a_file(tmp_path):
    (tmp_path / 'afile').write_text('x')
    _refused(_toy(tmp_path, '--out', 'afile'), '--out afile is a file')
    _refused(_toy(tmp_path, '--out', 'afile/sub'), 'cannot create output directory')


def test_debug_shows_traceback(tmp_path):
    r = _toy(tmp_path, '--set', 'lr=-1', '--debug')
    assert r.returncode != 0 and 'Traceback' in r.stderr and 'lr=-1.0 is out of range' in r.stderr


def test_show_config_every_family(tmp_path):
    for fam in ('klas', 'lfa', 'glidr'):
        r = klg(fam, tmp_path, '--show-config', '--preset', 'cpu')
        assert r.returncode == 0, r.stderr[-2000:]
        assert '| `seed` | `0` | 0 .. 4294967295 | global seed' in r.stdout
        assert r.stdout.count('\n| `') > 40 and not (tmp_path / 'runs').exists()
    r = klg('glidr', tmp_path, '--show-config', '--set', 'n_slots=7')
    assert '| `n_slots` | `7` | 1 .. 64 |' in r.stdout  # the resolved value, overrides applied


def test_second_run_is_refused_and_kill9_loses_nothing(tmp_path):
    args = ('--out', 'o', '--set', 'epochs=400', 'ckpt_every=10')
    p = _toy(tmp_path, *args, wait=False)
    try:
        ck = tmp_path / 'o' / 'ckpt.pt'
        t0 = time.time()
        while not ck.exists() and time.time() - t0 < 60 and p.poll() is None:
            time.sleep(0.1)
        assert ck.exists(), p.stderr.read() if p.poll() is not None else 'no checkpoint in 60 s'
        second = _toy(tmp_path, *args)
        _refused(second, f'is in use by pid {p.pid}', 'use another --out')
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    finally:
        if p.poll() is None:
            p.kill()
    o = tmp_path / 'o'
    assert not (o / 'results.json').exists()
    assert not list(o.glob('.*.part')), list(o.iterdir())  # no half-written file took a name
    r = _toy(tmp_path, *args)  # the lock died with the killed job
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads((o / 'results.json').read_text())
    assert res['metrics']['resumed'] and 'results in o/results.json' in r.stdout


def test_refused_rerun_keeps_config_and_force_moves_stages(tmp_path):
    d = _kg(tmp_path / 'mykg')
    base = ('--out', 'o', '--set', f'datasets={d}', *FAST)
    assert klg('glidr', tmp_path, *base).returncode == 0
    cfg0 = (tmp_path / 'o' / 'config.json').read_text()
    r = klg('glidr', tmp_path, *base, 'lr=0.05')
    _refused(r, 'holds stages of a different config', "'lr'", '--force')
    assert (tmp_path / 'o' / 'config.json').read_text() == cfg0  # untouched by the refusal
    r = klg('glidr', tmp_path, *base, 'lr=0.05', '--force')
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((tmp_path / 'o' / 'config.json').read_text())['lr'] == 0.05
    assert len(list((tmp_path / 'o').glob('stages-*'))) == 1  # the old stages kept aside


def test_stage_cache_stays_under_out(tmp_path):
    "A dataset given as an absolute path: its stages live under --out, not beside the dataset."
    d = _kg(tmp_path / 'data' / 'mykg')
    r = klg('glidr', tmp_path, '--out', 'o', '--set', f'datasets={d.resolve()}', *FAST)
    assert r.returncode == 0, r.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / 'data').iterdir()) == ['mykg']
    assert sorted(p.name for p in d.iterdir()) == ['test.txt', 'train.txt', 'valid.txt']
    assert list((tmp_path / 'o' / 'stages').glob('*mykg_glidr_s0-*.json'))


def test_results_follow_umask(tmp_path):
    (tmp_path / 'klg_toy.py').write_text(TOY)
    cmd = f'umask 022 && {sys.executable} klg_toy.py --out o --set epochs=1'
    r = subprocess.run(['sh', '-c', cmd], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    for f in ('results.json', 'config.json', 'ckpt.pt'):
        assert (tmp_path / 'o' / f).stat().st_mode & 0o777 == 0o644, f


def test_no_progress_bars_in_a_log(tmp_path):
    d = _kg(tmp_path / 'mykg')
    r = klg('glidr', tmp_path, '--set', f'datasets={d}', *FAST)
    assert r.returncode == 0, r.stderr[-2000:]
    assert '\r' not in r.stderr and 'it/s' not in r.stderr, r.stderr[-1000:]
    assert 'mykg_glidr_s0: done in' in r.stderr  # one log line per stage


@pytest.mark.parametrize('family', ['klas', 'lfa', 'glidr'])
def test_every_numeric_field_is_bounded_and_refuses_garbage(family):
    "Every int or float field (or tuple of them) has a range; NaN, a word and a lower value fail."
    import dataclasses, typing
    from klas_lfa_glidr.core.config import ConfigError
    from klas_lfa_glidr.klas.config import KLASConfig
    from klas_lfa_glidr.lfa.model import LFAConfig
    from klas_lfa_glidr.glidr.model import GLIDRConfig

    cls = dict(klas=KLASConfig, lfa=LFAConfig, glidr=GLIDRConfig)[family]
    base, (_, bounds), hints = cls.small(), cls.spec(), typing.get_type_hints(cls)
    numeric = [f.name for f in dataclasses.fields(cls)
               if re.search(r'\b(int|float)\b', str(hints[f.name]))]
    assert len(numeric) > 20 and not [n for n in numeric if n not in bounds], 'unbounded fields'
    for name in numeric:
        lo = bounds[name][0]
        bad = ['abc'] + (['nan'] if 'float' in str(hints[name]) else [])
        if lo is not None and (lo > -1e9):
            bad.append(str(lo - 1))
        for v in bad:
            with pytest.raises(ConfigError, match=name):
                base.override([f'{name}={v}'])
