"""Readability measures of the library, the tests and the notebooks (issue 14's table).

- long lines: share of non-blank code lines over 100 characters, in `klas_lfa_glidr/` (generated
   `_modidx.py`
  left out) and in `tests/`;
- semicolons: `;` statement separators per 100 non-blank lines (Python tokens, so strings do not
   count);
- exported cells: lines of each `#| export` / `#| exporti` notebook cell (directives left out),
   median and p90;
- docments: share of the public parameters (of everything in each module's `__all__`, dataclass
   fields included)
  that carry a docments comment;
- config fields: fields per family config class.

Run: python bench/style.py [--json]   (seconds; imports the library)
"""

import argparse
import importlib
import inspect
import io
import json
import statistics
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / 'klas_lfa_glidr'
LIMIT = 100


def py_files(d: Path) -> list[Path]:
    "Python files under `d`, the generated `_modidx.py` left out."
    return sorted(p for p in d.rglob('*.py') if p.name != '_modidx.py' and '.venv' not in p.parts)


def line_stats(files: list[Path]) -> dict:
    "Non-blank lines, lines over `LIMIT` characters and `;` separators in `files`."
    n = long = semi = 0
    for p in files:
        text = p.read_text()
        lines = [ln for ln in text.splitlines() if ln.strip()]
        n += len(lines)
        long += sum(len(ln) > LIMIT for ln in lines)
        toks = tokenize.generate_tokens(io.StringIO(text).readline)
        semi += sum(t.type == tokenize.OP and t.string == ';' for t in toks)
    return dict(
        lines=n,
        long=long,
        long_pct=100 * long / max(n, 1),
        semicolons=semi,
        semicolons_per_100=100 * semi / max(n, 1),
    )


def long_lines(files: list[Path]) -> list[str]:
    "`path:line` of every line over `LIMIT` characters."
    return [
        f'{p.relative_to(ROOT)}:{i}'
        for p in files
        for i, ln in enumerate(p.read_text().splitlines(), 1)
        if len(ln) > LIMIT
    ]


def export_cells(nbs: Path = ROOT / 'nbs') -> list[int]:
    "Line counts of the exported code cells of every notebook (directive lines left out)."
    out = []
    for nb in sorted(nbs.glob('*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            src = ''.join(c['source']).splitlines()
            if c['cell_type'] != 'code' or not any(ln.startswith('#| export') for ln in src):
                continue
            out.append(sum(1 for ln in src if ln.strip() and not ln.startswith('#|')))
    return out


def _params(obj) -> list[str]:
    "Documentable parameters of a public function or class (self, *args, **kwargs left out)."
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [n for n, p in sig.parameters.items() if n != 'self' and p.kind not in skip]


def docments_stats() -> dict:
    "Public parameters with and without a docments comment, per module."
    from fastcore.docments import docments

    per, missing = {}, []
    for p in py_files(LIB):
        mod = importlib.import_module('.'.join(p.relative_to(ROOT).with_suffix('').parts))
        n = have = 0
        for name in getattr(mod, '__all__', []):
            obj = getattr(mod, name, None)
            if not callable(obj) or getattr(obj, '__module__', None) != mod.__name__:
                continue
            ps = _params(obj)
            try:
                docs = docments(obj)
            except Exception:
                docs = {}
            for q in ps:
                n += 1
                ok = bool(docs.get(q))
                have += ok
                if not ok:
                    missing.append(f'{mod.__name__}.{name}({q})')
        if n:
            per[mod.__name__] = dict(params=n, documented=have, pct=100 * have / n)
    tot = sum(v['params'] for v in per.values())
    doc = sum(v['documented'] for v in per.values())
    return dict(
        params=tot, documented=doc, pct=100 * doc / max(tot, 1), modules=per, missing=missing
    )


def config_fields() -> dict:
    "Dataclass fields per family config class."
    from dataclasses import fields

    out = {}
    for mod, cls in (('klas', 'KLASConfig'), ('lfa', 'LFAConfig'), ('glidr', 'GLIDRConfig')):
        for m in ('config', 'model', 'run'):
            try:
                C = getattr(importlib.import_module(f'klas_lfa_glidr.{mod}.{m}'), cls)
            except (ImportError, AttributeError):
                continue
            out[cls] = len(fields(C))
            break
    return out


def measure() -> dict:
    "All the measures."
    cells = sorted(export_cells())
    return dict(
        library=line_stats(py_files(LIB)),
        tests=line_stats(py_files(ROOT / 'tests')),
        cells=dict(
            n=len(cells),
            median=statistics.median(cells),
            p90=cells[int(0.9 * (len(cells) - 1))],
            max=cells[-1],
            over_25=sum(c > 25 for c in cells),
        ),
        docments=docments_stats(),
        config_fields=config_fields(),
    )


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--json', action='store_true', help='print every measure as JSON')
    a = p.parse_args()
    m = measure()
    if a.json:
        return print(json.dumps(m, indent=1))
    lib, tst, c, d = m['library'], m['tests'], m['cells'], m['docments']
    print(
        f"library: {lib['long_pct']:.1f} % of {lib['lines']} lines over {LIMIT}, "
        f"{lib['semicolons_per_100']:.1f} semicolons per 100 lines"
    )
    print(
        f"tests:   {tst['long_pct']:.1f} % of {tst['lines']} lines over {LIMIT}, "
        f"{tst['semicolons_per_100']:.1f} semicolons per 100 lines"
    )
    print(
        f"exported cells: {c['n']}, median {c['median']}, p90 {c['p90']}, max {c['max']}, "
        f"over 25 lines: {c['over_25']}"
    )
    print(f"docments: {d['documented']} of {d['params']} public parameters ({d['pct']:.0f} %)")
    print(f"config fields: {m['config_fields']}")


if __name__ == '__main__':
    sys.path.insert(0, str(ROOT))
    main()
