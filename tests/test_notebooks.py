"""Run every notebook in nbs/ through nbdev's own test runner, one pytest test per notebook.

Each notebook runs as a copy in `_build/nbs` (a copy of the whole `nbs/` tree, so relative paths
resolve) and is saved there with its outputs; `docsite.mark_executed` records it, and the docs test
(`test_docs.py`, ordered after this file by `conftest.py`) renders those copies instead of executing
every notebook a second time."""

from pathlib import Path
import shutil
import pytest, torch
from nbdev.test import test_nb as run_nb
from klas_lfa_glidr.docsite import mark_executed

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT / 'nbs').glob('*.ipynb'))
BUILD = ROOT / '_build' / 'nbs'


@pytest.fixture(scope='session')
def build_dir():
    "A fresh copy of nbs/ to run the notebooks in."
    if BUILD.exists():
        shutil.rmtree(BUILD)
    shutil.copytree(
        ROOT / 'nbs', BUILD, ignore=shutil.ignore_patterns('.ipynb_checkpoints', '_*proc', '.*')
    )
    return BUILD


def test_found_notebooks():
    assert len(NBS) >= 10, NBS


@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, request, build_dir):
    skip = ['notest']
    if not request.config.getoption('--runslow'):
        skip.append('slow')
    if not torch.cuda.is_available():
        skip.append('cuda')
    copy = build_dir / nb.name
    shutil.copy(nb, copy)
    ok, secs = run_nb(
        copy, skip_flags=skip, force_flags=[], do_print=False, basepath=nb.parent, save=True
    )
    assert ok, f'{nb.name} failed (see the traceback above)'
    if set(skip) >= {'slow', 'cuda'}:
        mark_executed(nb, copy)  # the docs show the CPU-scale outputs
