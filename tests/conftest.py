"Shared pytest setup: offline, headless, the shared data mirror, and the slow/cuda markers."

import os
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / 'shared' / 'data'

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('KLG_OFFLINE', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')
if SHARED_DATA.is_dir():
    os.environ.setdefault('KLG_DATA', str(SHARED_DATA))


def pytest_addoption(parser):
    parser.addoption(
        '--runslow',
        action='store_true',
        default=False,
        help='also run slow tests and notebook cells flagged slow (and cuda where CUDA exists)',
    )


def pytest_configure(config):
    if config.getoption('--runslow'):
        os.environ['KLG_PAPER'] = '1'  # walkthroughs' paper cells opt in (see `paper_opt_in`)
    config.addinivalue_line('markers', 'slow: paper-scale or long test, run with --runslow')
    config.addinivalue_line('markers', 'cuda: needs a CUDA device')


def pytest_collection_modifyitems(config, items):
    import torch

    items.sort(
        key=lambda it: 'test_docs.py::test_site_in_browser' in it.nodeid
    )  # last: it renders the notebooks test_notebooks.py executed
    for it in items:
        if 'slow' in it.keywords and not config.getoption('--runslow'):
            it.add_marker(pytest.mark.skip(reason='needs --runslow'))
        if 'cuda' in it.keywords and not torch.cuda.is_available():
            it.add_marker(pytest.mark.skip(reason='needs CUDA'))


@pytest.fixture
def root():
    return ROOT
