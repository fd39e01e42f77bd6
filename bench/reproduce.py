"""klg-reproduce with two families side by side (--jobs 2: one worker process each, CPU threads split)
against one family at a time (--jobs 1).

Same preset and code, fresh output directories, the two arms alternated `rounds` times (medians
reported). On a 2-core machine --jobs 2 gives each family one thread, so its numbers differ slightly
from --jobs 1 (see the Reproduce page).
Run: python bench/reproduce.py [--preset small|cpu] [--rounds 2]   (small: about 2.5 min on 2 cores;
cpu: about 2.2 h)"""

import argparse, statistics, tempfile, time, warnings
from pathlib import Path
from klas_lfa_glidr.reproduce import reproduce
from _common import report


def main(preset='small', rounds=2):
    runs = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the one-thread warning of --jobs 2 on 2 cores
        for r in range(rounds):
            for jobs in (2, 1):
                t = time.perf_counter()
                rep = reproduce(preset, Path(d) / f'j{jobs}-r{r}', progress=False, jobs=jobs)
                runs[jobs].append(
                    dict(
                        wall_s=time.perf_counter() - t,
                        threads=rep['threads'],
                        families_s={k: round(v, 1) for k, v in rep['stages'].items()},
                    )
                )
    med = {j: statistics.median(x['wall_s'] for x in v) for j, v in runs.items()}
    report(
        f'reproduce_{preset}',
        dict(
            preset=preset,
            rounds=rounds,
            one_at_a_time=runs[1],
            side_by_side=runs[2],
            median_one_s=med[1],
            median_side_s=med[2],
            speedup=med[1] / med[2],
        ),
    )


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--preset', default='small')
    p.add_argument('--rounds', type=int, default=2)
    a = p.parse_args()
    main(a.preset, a.rounds)
