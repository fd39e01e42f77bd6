"""Docs: README is generated from index.ipynb; the Quarto-free site builds and every page passes
the browser check."""

import os
from pathlib import Path
import pytest
from klas_lfa_glidr.docsite import readme_text, build_docs, check_site, find_chromium

ROOT = Path(__file__).resolve().parents[1]


def test_readme_matches_index():
    assert (ROOT / 'README.md').read_text() == readme_text(ROOT / 'nbs' / 'index.ipynb'), (
        'README.md is stale: run `klg-docs --readme`'
    )


def test_quarto_files_present():
    for f in ('_quarto.yml', 'nbdev.yml', 'sidebar.yml'):
        assert (ROOT / 'nbs' / f).exists()


def test_site_in_browser():
    if not find_chromium():
        if os.environ.get('CI'):
            pytest.fail("CI needs Chromium (Debian package `chromium`, installed by .ci/run)")
        pytest.skip('no chromium here')
    pages = build_docs(
        reuse=True
    )  # notebooks test_notebooks.py has just run (unchanged since) are not executed again
    assert len(pages) == len(list((ROOT / 'nbs').glob('*.ipynb')))
    assert any(p['images'] for p in pages) and all(
        p['show_doc']
        for p in pages
        if p['file'] != 'index.html' and not p['file'].startswith(('walkthrough.', 'guide.'))
    )
    assert all(
        p['images'] for p in pages if p['file'].startswith('walkthrough.')
    )  # walkthroughs show executed figures
    res = check_site(ROOT / '_site', ROOT / 'artefacts' / 'screenshots')
    assert res and not any(res.values()), {k: v for k, v in res.items() if v}
    assert len(list((ROOT / 'artefacts' / 'screenshots').glob('*.png'))) >= len(pages)


def test_checker_catches_broken_pages(tmp_path):
    """The browser check must fail on a page with a broken link, a broken image, a JS error and no
    parameter table."""
    if not find_chromium():
        if os.environ.get('CI'):
            pytest.fail('CI needs Chromium')
        pytest.skip('no chromium here')
    import json

    (tmp_path / 'good.html').write_text(
        '<html><head><title>Good</title><link rel="icon" href="data:,"></head><body><h1 '
        'class="title">Good</h1>'
        '<table><tr><th>Details</th></tr></table><a href="bad.html">x</a></body></html>'
    )
    (tmp_path / 'bad.html').write_text(
        '<html><head><title>Bad</title><link rel="icon" href="data:,"></head><body><h1 '
        'class="title">Bad</h1>'
        '<a href="missing.html">x</a><img '
        'src="nope.png"><script>undefined_fn()</script></body></html>'
    )
    (tmp_path / 'manifest.json').write_text(
        json.dumps(
            [
                dict(file='good.html', title='Good', show_doc=1, images=0),
                dict(file='bad.html', title='Bad', show_doc=2, images=1),
            ]
        )
    )
    res = check_site(tmp_path, tmp_path / 'shots')
    assert res['good.html'] == []
    bad = ' | '.join(res['bad.html'])
    for s in (
        'no show_doc parameter table',
        '1 figures expected, 0 loaded',
        'broken internal link missing.html',
        'undefined_fn',
    ):
        assert s in bad, (s, bad)
    assert (tmp_path / 'shots' / 'bad.png').stat().st_size > 0


def test_checker_catches_layout_gaps(tmp_path):
    """A page of our layout must have the grouped sidebar, the search box, a contents entry per
    heading, some content, and rendered maths: a page lacking them fails, one with them passes."""
    if not find_chromium():
        if os.environ.get('CI'):
            pytest.fail('CI needs Chromium')
        pytest.skip('no chromium here')
    import json

    head = '<html><head><title>{t}</title><link rel="icon" href="data:,"></head><body>'
    (tmp_path / 'bare.html').write_text(
        head.format(t='Bare') + '<h1 class="title">Bare</h1><main><h2 id="a">A</h2><h2 id="b">B'
        '</h2><p>$$\\frac{a}{b}$$</p></main></body></html>'
    )
    side = ''.join(f'<a href="{f}.html">{f}</a>' for f in ('bare', 'full'))
    toc = '<a href="#a">A</a><a href="#b">B</a>'
    (tmp_path / 'full.html').write_text(
        head.format(t='Full') + f'<aside><input id="klg-q"><nav class="klg">{side}</nav></aside>'
        f'<main class="klg-main"><h1 class="title">Full</h1><h2 id="a">A</h2><h2 id="b">B</h2>'
        f'<p>{"text " * 80}</p></main><nav class="klg-toc">{toc}</nav></body></html>'
    )
    pages = [dict(file=f, title=t, show_doc=0, images=0, layout=True, n_pages=2, headings=2)
             for f, t in (('bare.html', 'Bare'), ('full.html', 'Full'))]
    (tmp_path / 'manifest.json').write_text(json.dumps(pages))
    res = check_site(tmp_path, tmp_path / 'shots')
    bad = ' | '.join(res['bare.html'])
    for s in ('sidebar links 0 of 2 pages', 'no search box', 'contents list 0 of 2 headings',
              'blank page', 'TeX shown raw'):
        assert s in bad, (s, bad)
    assert res['full.html'] == [], res['full.html']
