"The klg-* console scripts and make_cli, run as a user would from a shell."

import json, os, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent
TOY = "from klas_lfa_glidr.core.checks import toy_main\ntoy_main()\n"


def _toy(tmp_path, *args):
    script = tmp_path / 'klg_toy.py'
    script.write_text(TOY)
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, cwd=tmp_path
    )


def test_klg_info():
    r = subprocess.run([str(BIN / 'klg-info')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for s in (
        'torch',
        'timm',
        'torch_geometric',
        'device:',
        'data dir:',
        'datasets in the data dir:',
    ):
        assert s in r.stdout
    if os.environ.get('KLG_DATA', '').endswith('shared/data'):
        assert 'kg' in r.stdout
    j = json.loads(
        subprocess.run([str(BIN / 'klg-info'), '--json-out'], capture_output=True, text=True).stdout
    )
    assert j['device'] in ('cpu', 'cuda', 'mps') and j['versions']['torch']


def test_klg_docs_help():
    r = subprocess.run([str(BIN / 'klg-docs'), '--help'], capture_output=True, text=True)
    assert r.returncode == 0 and '--check' in r.stdout and '--no-exec' in r.stdout


def test_make_cli_end_to_end(tmp_path):
    r = _toy(tmp_path, '--preset', 'small', '--out', 'run', '--set', 'epochs=2', 'lr=0.01')
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / 'run' / 'results.json').read_text())
    assert res['preset'] == 'small' and res['config']['epochs'] == 2 and res['config']['lr'] == 0.01
    assert res['metrics']['acc'] > 0.7 and res['timings']['total_s'] > 0
    assert (tmp_path / 'run' / 'curve.png').exists() and (tmp_path / 'run' / 'curve.svg').exists()


def test_bad_input(tmp_path):
    r = _toy(tmp_path, '--preset', 'huge')
    assert (
        r.returncode != 0
        and "--preset 'huge' is unknown; allowed values: small, cpu, paper" in r.stderr
    )
    r = _toy(tmp_path, '--set', 'epoch=2')
    assert (
        r.returncode != 0
        and "unknown config key 'epoch'" in r.stderr
        and "did you mean 'epochs'?" in r.stderr
    )
    r = _toy(tmp_path, '--set', 'lr=-1')
    assert r.returncode != 0 and 'lr=-1.0 is out of range' in r.stderr
    r = _toy(tmp_path, '--set', 'sched=linear')
    assert (
        r.returncode != 0
        and "allowed values: ('constant', 'cos', 'warmup_cos', 'onecycle')" in r.stderr
    )


def test_refuses_other_preset_dir(tmp_path):
    assert _toy(tmp_path, '--out', 'o', '--set', 'epochs=1').returncode == 0
    r = _toy(tmp_path, '--preset', 'cpu', '--out', 'o')
    assert (
        r.returncode != 0
        and 'holds results of toy --preset small' in r.stderr
        and '--force' in r.stderr
    )


def test_unusable_out(tmp_path):
    (tmp_path / 'afile').write_text(
        'x'
    )  # a file where a directory must go (root ignores chmod, so no 0o500 test)
    r = _toy(tmp_path, '--out', str(tmp_path / 'afile' / 'sub'), '--set', 'epochs=1')
    assert r.returncode != 0 and 'cannot create output directory' in r.stderr
    assert 'Traceback' not in r.stderr
