"""klg-reproduce with the families side by side (one worker process each, CPU threads split) against one family at a time.

Same preset, same code, fresh output directories; the one-at-a-time arm runs first, then the side-by-side arm.
Run: python bench/reproduce.py [--preset small|cpu]   (small: about 1.5 min on 2 cores; cpu: about 1.5 h)"""
import argparse, tempfile, time
from pathlib import Path
from klas_lfa_glidr.reproduce import reproduce
from _common import report

def main(preset='small'):
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name, jobs in (('one_at_a_time', 1), ('side_by_side', None)):
            t = time.perf_counter(); rep = reproduce(preset, Path(d)/name, progress=False, jobs=jobs)
            out[name] = dict(wall_s=time.perf_counter() - t, jobs=rep['jobs'], threads=rep['threads'], families_s={k: round(v, 1) for k, v in rep['stages'].items()})
    report(f'reproduce_{preset}', dict(preset=preset, **out, speedup=out['one_at_a_time']['wall_s'] / out['side_by_side']['wall_s']))

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--preset', default='small'); main(p.parse_args().preset)
