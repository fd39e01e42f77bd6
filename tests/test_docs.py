"Docs: README is generated from index.ipynb; the Quarto-free site builds and every page passes the browser check."
import os
from pathlib import Path
import pytest
from klas_lfa_glidr.core.docs import readme_text, build_docs, check_site, find_chromium

ROOT = Path(__file__).resolve().parents[1]

def test_readme_matches_index():
    assert (ROOT/'README.md').read_text() == readme_text(ROOT/'nbs'/'index.ipynb'), 'README.md is stale: run `klg-docs --readme`'

def test_quarto_files_present():
    for f in ('_quarto.yml', 'nbdev.yml', 'sidebar.yml'): assert (ROOT/'nbs'/f).exists()

def test_site_in_browser():
    if not find_chromium():
        if os.environ.get('CI'): pytest.fail("CI needs Chromium (Debian package `chromium`, installed by .ci/run)")
        pytest.skip('no chromium here')
    pages = build_docs()
    assert len(pages) == len(list((ROOT/'nbs').glob('*.ipynb')))
    assert any(p['images'] for p in pages) and all(p['show_doc'] for p in pages if p['file'] != 'index.html')
    res = check_site(ROOT/'_site', ROOT/'artefacts'/'screenshots')
    assert res and not any(res.values()), {k: v for k, v in res.items() if v}
    assert len(list((ROOT/'artefacts'/'screenshots').glob('*.png'))) >= len(pages)
