"Families import the core, never each other; the core stays light (no timm, no torch-geometric)."

import ast, subprocess, sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / 'klas_lfa_glidr'
FAMILIES = ('klas', 'lfa', 'glidr')


def _imports(f):
    for n in ast.walk(ast.parse(f.read_text())):
        if isinstance(n, ast.ImportFrom):
            yield ('.' * n.level) + (n.module or '')
        elif isinstance(n, ast.Import):
            yield from (a.name for a in n.names)


def test_import_direction():
    bad = []
    for f in PKG.rglob('*.py'):
        part = f.relative_to(PKG).parts[0]
        for m in _imports(f):
            tgt = m.replace('klas_lfa_glidr.', '').lstrip('.').split('.')[0]
            if part == 'core' and tgt in FAMILIES:
                bad.append((f.name, m))
            if part in FAMILIES and tgt in FAMILIES and tgt != part:
                bad.append((f.name, m))
    assert not bad, bad


def test_core_is_light():
    code = (
        "import sys, klas_lfa_glidr.core.config, klas_lfa_glidr.core.learner, "
        "klas_lfa_glidr.core.metrics, klas_lfa_glidr.core.hooks; print(sorted(m for m in "
        "('timm', 'torch_geometric') if m in sys.modules))"
    )
    assert (
        subprocess.run([sys.executable, '-c', code], capture_output=True, text=True).stdout.strip()
        == '[]'
    )
