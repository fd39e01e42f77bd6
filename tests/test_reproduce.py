"klg-reproduce: the small preset end to end (report, JSON, figures, browser check), resume, and bad input."
import json, os
from pathlib import Path
import pytest
from _cli import klg
from klas_lfa_glidr.core.docs import check_site, find_chromium

ROOT = Path(__file__).resolve().parents[1]

def test_small_report_resume_and_browser(tmp_path):
    r = klg('reproduce', tmp_path, '--preset', 'small', '--out', 'rep')
    assert r.returncode == 0, r.stderr[-3000:]
    d = tmp_path/'rep'; res = json.loads((d/'results.json').read_text())
    assert set(res['families']) == {'klas', 'lfa', 'glidr'} and set(res['stages']) >= {'klas', 'lfa', 'glidr'}
    for f in res['families'].values():
        assert f['claims'] and f['figures'] and all((d/p).exists() for p in f['figures'])
        assert all(c['verdict'] in ('reproduced', 'not reproduced', 'not testable here') for c in f['claims'])
    assert {'versions', 'device', 'threads'} <= set(res['env']) and res['env']['versions']['torch']
    r2 = klg('reproduce', tmp_path, '--preset', 'small', '--out', 'rep')      # a rerun reads every finished family back
    assert r2.returncode == 0, r2.stderr[-3000:]
    assert all(f['reused'] for f in json.loads((d/'results.json').read_text())['families'].values())
    if not find_chromium():
        if os.environ.get('CI'): pytest.fail('CI needs Chromium')
        pytest.skip('no chromium here')
    n_fig = sum(len(f['figures']) for f in res['families'].values())
    (d/'manifest.json').write_text(json.dumps([dict(file='report.html', title='klas_lfa_glidr reproduction: preset small', show_doc=0, images=n_fig)]))
    chk = check_site(d, ROOT/'artefacts'/'screenshots'/'report')
    assert chk == {'report.html': []}, chk

def test_unknown_preset(tmp_path):
    r = klg('reproduce', tmp_path, '--preset', 'huge')
    assert r.returncode != 0 and "preset 'huge' is unknown" in r.stderr

def test_refuses_other_preset_unless_force(tmp_path):
    (tmp_path/'rep').mkdir(); (tmp_path/'rep'/'results.json').write_text(json.dumps(dict(name='reproduce', preset='cpu')))
    r = klg('reproduce', tmp_path, '--preset', 'small', '--out', 'rep', '--families', 'klas')
    assert r.returncode != 0 and 'holds results of reproduce --preset cpu' in r.stderr and '--force' in r.stderr

def test_write_failure_leaves_no_report(tmp_path, monkeypatch):
    import errno, klas_lfa_glidr.reproduce as R
    def full(path): raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(R, 'atomic_write', full)
    with pytest.raises(R.ReproduceError, match='No space left on device'): R.reproduce('small', tmp_path/'rep', families=(), progress=False)
    assert not (tmp_path/'rep'/'report.html').exists() and not (tmp_path/'rep'/'results.json').exists()
