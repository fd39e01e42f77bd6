"""klg-reproduce: the small preset end to end (report, JSON, figures, browser check), resume,
families side by side against one at a time, and bad input."""

import json, os
from pathlib import Path
import pytest, torch
from _cli import klg
from klas_lfa_glidr.docsite import check_site, find_chromium
from klas_lfa_glidr.reproduce import finished_stages
from klas_lfa_glidr.core.metrics import VERDICTS

ROOT = Path(__file__).resolve().parents[1]


def test_small_report_resume_and_browser(tmp_path):
    r = klg(
        'reproduce', tmp_path, '--preset', 'small', '--out', 'rep'
    )  # the defaults: one family at a time on a 2-core machine
    assert r.returncode == 0, r.stderr[-3000:]
    d = tmp_path / 'rep'
    res = json.loads((d / 'results.json').read_text())
    assert set(res['families']) == {'klas', 'lfa', 'glidr'} and set(res['stages']) >= {
        'klas',
        'lfa',
        'glidr',
    }
    if not torch.cuda.is_available():
        assert res['jobs'] == max(1, min(3, res['env']['threads'] // 2))
    assert f"{res['jobs']} famil" in r.stdout
    for f in res['families'].values():
        assert f['claims'] and f['figures'] and all((d / p).exists() for p in f['figures'])
        assert all(c['verdict'] in VERDICTS for c in f['claims'])
        assert (
            f['stage_s']
            and len(f['stage_s']) == f['stages_total']
            and all(v['s'] >= 0 and not v['cached'] for v in f['stage_s'].values())
        )
    assert {'versions', 'device', 'threads'} <= set(res['env']) and res['env']['versions']['torch']
    page = (d / 'report.html').read_text()
    assert 'Wall time per stage' in page and 'E0_planted' in page and 'by this run' in page
    r2 = klg(
        'reproduce', tmp_path, '--preset', 'small', '--out', 'rep'
    )  # a rerun reads every finished family back
    assert r2.returncode == 0, r2.stderr[-3000:]
    assert all(
        f['reused'] for f in json.loads((d / 'results.json').read_text())['families'].values()
    )
    if not find_chromium():
        if os.environ.get('CI'):
            pytest.fail('CI needs Chromium')
        pytest.skip('no chromium here')
    n_fig = sum(len(f['figures']) for f in res['families'].values())
    (d / 'manifest.json').write_text(
        json.dumps(
            [
                dict(
                    file='report.html',
                    title='klas_lfa_glidr reproduction: preset small',
                    show_doc=0,
                    images=n_fig,
                )
            ]
        )
    )
    chk = check_site(d, ROOT / 'artefacts' / 'screenshots' / 'report')
    assert chk == {'report.html': []}, chk


def _numbers(x):
    """`x` without wall times (keys ending in `_s`), NaN as None, so that equal results compare
    equal."""
    if isinstance(x, dict):
        return {k: _numbers(v) for k, v in x.items() if not k.endswith('_s')}
    if isinstance(x, list):
        return [_numbers(v) for v in x]
    return None if isinstance(x, float) and x != x else x


def test_side_by_side_equals_one_at_a_time(tmp_path):
    """--jobs 2 on 2 threads: two one-thread workers, a warning that the numbers differ from
    2-thread runs, and the numbers of one-thread runs one at a time."""
    r2 = klg(
        'reproduce',
        tmp_path,
        '--preset',
        'small',
        '--out',
        'two',
        '--families',
        'klas,glidr',
        '--jobs',
        '2',
        env={'OMP_NUM_THREADS': '2'},
    )
    assert r2.returncode == 0, r2.stderr[-3000:]
    two = json.loads((tmp_path / 'two' / 'results.json').read_text())
    assert (two['jobs'], two['threads']) == (2, 1) and 'differ from 2-thread runs' in r2.stderr
    for f in ('klas', 'glidr'):
        assert (
            (tmp_path / 'two' / f / 'log.txt').read_text().startswith('== klg-reproduce worker')
        )  # each worker's output is kept
    r1 = klg(
        'reproduce',
        tmp_path,
        '--preset',
        'small',
        '--out',
        'one',
        '--families',
        'klas,glidr',
        '--jobs',
        '1',
        env={'OMP_NUM_THREADS': '1'},
    )
    assert r1.returncode == 0, r1.stderr[-3000:]
    one = json.loads((tmp_path / 'one' / 'results.json').read_text())
    assert (one['jobs'], one['threads']) == (1, 1) and not (
        tmp_path / 'one' / 'klas' / 'log.txt'
    ).exists()
    for f in ('klas', 'glidr'):
        assert one['families'][f]['claims'] == two['families'][f]['claims'], f
        assert _numbers(one['families'][f]['metrics']['summary']) == _numbers(
            two['families'][f]['metrics']['summary']
        ), f


def test_failed_family_keeps_the_others(tmp_path):
    """One family fails in its worker (stale stages of another config); the other finishes, the
    error names the family and its log, no report is written (Python API, bars off)."""
    import klas_lfa_glidr.reproduce as R

    st = tmp_path / 'rep' / 'glidr' / 'stages'
    st.mkdir(parents=True)
    (st / '_config.json').write_text(json.dumps(dict(lr=123.0)))
    with pytest.raises(R.ReproduceError) as e:
        R.reproduce('small', tmp_path / 'rep', families=('klas', 'glidr'), jobs=2, progress=False)
    msg = str(e.value)
    assert (
        'glidr failed (ConfigError' in msg
        and 'glidr/log.txt' in msg
        and 'run the same command again' in msg
        and 'klas failed' not in msg
    )
    assert (
        tmp_path / 'rep' / 'klas' / 'results.json'
    ).exists() and 'holds stages of a different config' in (st.parent / 'log.txt').read_text()
    assert not (tmp_path / 'rep' / 'report.html').exists()


def test_unknown_preset(tmp_path):
    r = klg('reproduce', tmp_path, '--preset', 'huge')
    assert r.returncode != 0 and "preset 'huge' is unknown" in r.stderr


def test_bad_jobs(tmp_path):
    r = klg('reproduce', tmp_path, '--preset', 'small', '--jobs', '0')
    assert r.returncode != 0 and 'jobs=0 must be at least 1' in r.stderr


def test_refuses_other_preset_unless_force(tmp_path):
    (tmp_path / 'rep').mkdir()
    (tmp_path / 'rep' / 'results.json').write_text(json.dumps(dict(name='reproduce', preset='cpu')))
    r = klg('reproduce', tmp_path, '--preset', 'small', '--out', 'rep', '--families', 'klas')
    assert (
        r.returncode != 0
        and 'holds results of reproduce --preset cpu' in r.stderr
        and '--force' in r.stderr
    )


def test_write_failure_leaves_no_report(tmp_path, monkeypatch):
    import errno, klas_lfa_glidr.reproduce as R

    def full(path):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(R, 'atomic_write', full)
    with pytest.raises(R.ReproduceError, match='No space left on device'):
        R.reproduce('small', tmp_path / 'rep', families=(), progress=False)
    assert (
        not (tmp_path / 'rep' / 'report.html').exists()
        and not (tmp_path / 'rep' / 'results.json').exists()
    )


def test_killed_side_by_side_run_resumes(tmp_path):
    """klg-reproduce killed hard while its workers train: the workers end with it, and the same
    command finishes from the stages they kept."""
    import signal, subprocess, time, psutil
    from _cli import BIN

    args = ['--preset', 'small', '--out', 'rep', '--families', 'klas,glidr', '--jobs', '2']
    p = subprocess.Popen(
        [str(BIN / 'klg-reproduce'), *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, 'OMP_NUM_THREADS': '2'},
    )
    st = tmp_path / 'rep' / 'glidr' / 'stages'
    t0 = time.time()
    while len(finished_stages(st.parent)) < 2 and p.poll() is None and time.time() - t0 < 300:
        time.sleep(0.2)
    workers = psutil.Process(p.pid).children(recursive=True)
    assert p.poll() is None and workers, 'the run ended before it could be killed'
    p.send_signal(signal.SIGKILL)
    p.wait()
    gone, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive, f'workers outlived their parent: {alive}'
    assert not (tmp_path / 'rep' / 'report.html').exists()
    r = klg('reproduce', tmp_path, *args)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / 'rep' / 'results.json').read_text())
    assert res['families']['glidr']['stages_cached'] >= 2 and any(
        v['cached'] for v in res['families']['glidr']['stage_s'].values()
    )
