"""Refactoring guard: every number of the small presets (and of one family's cpu preset) stays
bit-identical.

`record` runs `klg-klas`, `klg-lfa`, `klg-glidr` and `klg-reproduce` at `--preset small` (and, with
`--cpu FAMILY`, `klg-reproduce --preset cpu --families FAMILY`) in fresh directories, and writes
their metrics and claims, wall times left out, to a JSON file. `check` runs the same commands again
and compares every number with that file: exit 0 when all are equal, exit 1 with the first
differences listed otherwise. Equality is only expected on the same machine (CPU model, torch build)
and thread count; the file records both and `check` warns on a mismatch.

Run: python bench/identical.py record --to bench/identical_ref.json [--cpu glidr]
     python bench/identical.py check --ref bench/identical_ref.json [--cpu glidr]
(small presets: about 5 min on 2 cores; `--cpu glidr`: about 11 min more). `--convert-std` compares
a reference recorded before GLIDR's seed summaries took the sample SD (2026-12-02)."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
SHARED_DATA = Path(__file__).resolve().parents[2] / 'shared' / 'data'
FAMILIES = ('klas', 'lfa', 'glidr')
TIMINGS = ('timings', 'selection_fraction')  # wall-time figures, whatever their name


def numbers(x):
    """`x` without wall times (keys ending in `_s`, and `TIMINGS`), NaN as None, so that equal
    runs compare equal."""
    if isinstance(x, dict):
        return {k: numbers(v) for k, v in x.items() if not k.endswith('_s') and k not in TIMINGS}
    if isinstance(x, list):
        return [numbers(v) for v in x]
    return None if isinstance(x, float) and x != x else x


def map_sd(x, fn):
    "Every summary `{mean, std, n}` in `x` with its float `std` replaced by `fn(std, n)`."
    if isinstance(x, dict):
        if set(x) == {'mean', 'std', 'n'} and isinstance(x['std'], float):
            return dict(x, std=fn(x['std'], x['n']))
        return {k: map_sd(v, fn) for k, v in x.items()}
    if isinstance(x, list):
        return [map_sd(v, fn) for v in x]
    return x


def to_sample_sd(sd: float, n: int):
    "A population SD as the sample SD (None for n = 1), to 13 significant digits."
    return float(f'{sd * (n / (n - 1)) ** 0.5:.12e}') if n > 1 else None


def rounded(sd: float, n: int) -> float:
    "An SD to 13 significant digits, to compare with `to_sample_sd`."
    return float(f'{sd:.12e}')


def diffs(a, b, path='') -> list[str]:
    "Paths at which the JSON values `a` and `b` differ."
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f'{path}/{k}: only in one' for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            out += diffs(a[k], b[k], f'{path}/{k}')
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (u, v) in enumerate(zip(a, b)) for d in diffs(u, v, f'{path}[{i}]')]
    return [] if a == b else [f'{path}: {a!r} != {b!r}']


def _klg(cmd: str, cwd: Path, *args):
    "Run `klg-<cmd> *args` in `cwd` with 2 OpenMP threads; raise with its stderr tail if it fails."
    env = {
        **os.environ,
        'OMP_NUM_THREADS': '2',
        'HF_HUB_OFFLINE': '1',
        'KLG_OFFLINE': '1',
        'MPLBACKEND': 'Agg',
    }
    if SHARED_DATA.is_dir():
        env.setdefault('KLG_DATA', str(SHARED_DATA))
    r = subprocess.run(
        [str(BIN / f'klg-{cmd}'), *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if r.returncode:
        raise RuntimeError(f'klg-{cmd} {" ".join(args)} failed:\n{r.stderr[-3000:]}')


def _reproduce_numbers(res: dict) -> dict:
    "Metrics and claims of every family of a `klg-reproduce` results.json."
    return {
        f: dict(metrics=numbers(v['metrics']), claims=numbers(v['claims']))
        for f, v in res['families'].items()
    }


def collect(cpu: str | None = None) -> dict:
    "Run the commands in a temporary directory; their numbers keyed by command."
    import torch
    from klas_lfa_glidr.core.cli import env_info

    e = env_info()
    out = dict(env=dict(cpu=e.get('cpu'), torch=torch.__version__, threads=2), runs={})
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        for f in FAMILIES:
            _klg(f, d, '--preset', 'small', '--out', f)
            res = json.loads((d / f / 'results.json').read_text())
            out['runs'][f'klg-{f} --preset small'] = numbers(res['metrics'])
        _klg('reproduce', d, '--preset', 'small', '--out', 'rep')
        res = json.loads((d / 'rep' / 'results.json').read_text())
        out['runs']['klg-reproduce --preset small'] = _reproduce_numbers(res)
        if cpu:
            _klg('reproduce', d, '--preset', 'cpu', '--out', 'cpu', '--families', cpu)
            res = json.loads((d / 'cpu' / 'results.json').read_text())
            out['runs'][f'klg-reproduce --preset cpu --families {cpu}'] = _reproduce_numbers(res)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('mode', choices=('record', 'check'))
    p.add_argument('--to', default='bench/out/identical.json', help='record: file to write')
    p.add_argument('--ref', default='bench/identical_ref.json', help='check: recorded file')
    p.add_argument('--cpu', default=None, help='also run this family at --preset cpu')
    p.add_argument('--save', default=None, help='check: also write the numbers of this run here')
    p.add_argument('--convert-std', action='store_true',
                   help='check: read the recorded summary `std` (population SD, before 2026-12-02) as '
                   'the sample SD that seed_ci gives, within 1e-12')
    a = p.parse_args()
    now = collect(a.cpu)
    if a.mode == 'record':
        Path(a.to).parent.mkdir(parents=True, exist_ok=True)
        Path(a.to).write_text(json.dumps(now, indent=1, sort_keys=True))
        return print(f'recorded {len(now["runs"])} runs in {a.to}')
    if a.save:
        Path(a.save).write_text(json.dumps(now, indent=1, sort_keys=True))
    ref = json.loads(Path(a.ref).read_text())
    if a.convert_std:
        ref['runs'] = map_sd(ref['runs'], to_sample_sd)
        now['runs'] = map_sd(now['runs'], rounded)
    if ref['env'] != now['env']:
        print(f'warning: recorded on {ref["env"]}, checked on {now["env"]}', file=sys.stderr)
    runs = {k: numbers(v) for k, v in ref['runs'].items() if k in now['runs']}
    bad = diffs(runs, now['runs'])
    for k in runs:
        print(f'{k}: {"identical" if not diffs(runs[k], now["runs"][k]) else "DIFFERENT"}')
    if bad:
        print('\n'.join(bad[:40]), file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
