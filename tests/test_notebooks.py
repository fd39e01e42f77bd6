"Run every notebook in nbs/ through nbdev's own test runner, one pytest test per notebook."
from pathlib import Path
import pytest, torch
from nbdev.test import test_nb as run_nb

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))

def test_found_notebooks(): assert len(NBS) >= 10, NBS

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, request):
    skip = ['notest']
    if not request.config.getoption('--runslow'): skip.append('slow')
    if not torch.cuda.is_available(): skip.append('cuda')
    ok, secs = run_nb(nb, skip_flags=skip, force_flags=[], do_print=False, basepath=nb.parent)
    assert ok, f'{nb.name} failed (see the traceback above)'
