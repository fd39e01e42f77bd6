"""Readable code, enforced: lines of at most 100 characters in the library and the tests
(nbdev's own module docstring and `__all__` lines left out), no semicolon-joined statements,
no method assigned to a class after its definition. `python bench/style.py` prints these and
the other measures."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'bench'))
import style  # noqa: E402


def _files():
    return style.py_files(ROOT / 'klas_lfa_glidr') + style.py_files(ROOT / 'tests')


def test_line_length():
    assert not style.long_lines(_files())


def test_no_semicolons():
    s = style.line_stats(_files())
    assert s['semicolons'] == 0, s


def test_no_method_assignments():
    assert not style.method_assignments(style.py_files(ROOT / 'klas_lfa_glidr'))


def test_measures_can_fail(tmp_path):
    "The checks above find what they look for."
    p = tmp_path / 'bad.py'
    p.write_text('"""' + 'd' * 100 + '"""\nx = 1; y = 2\nclass A: pass\nA.f = len\n')
    style.ROOT = tmp_path
    try:
        assert style.long_lines([p]) == ['bad.py:1']  # not written by nbdev: counted
        assert style.line_stats([p])['semicolons'] == 1
        assert style.method_assignments([p]) == ['bad.py:4']
    finally:
        style.ROOT = ROOT
