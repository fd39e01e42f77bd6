"Timing helpers shared by the benchmarks: interleaved repeats, medians, JSON output."

import json, statistics, sys, time
from pathlib import Path
import torch


def timeit(fn, warmup=2, reps=7) -> list[float]:
    "Wall-clock seconds of `fn()` over `reps` runs after `warmup` runs."
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def interleaved(fa, fb, rounds=7, warmup=1, clock=time.perf_counter) -> tuple[float, float]:
    """Median seconds of `fa` and `fb`, run alternately so drift hits both alike (`clock`:
    `time.process_time` for CPU time on a busy machine)."""
    for _ in range(warmup):
        fa()
        fb()
    ta, tb = [], []
    for _ in range(rounds):
        t = clock()
        fa()
        ta.append(clock() - t)
        t = clock()
        fb()
        tb.append(clock() - t)
    return statistics.median(ta), statistics.median(tb)


def train_step(model, x, y, loss_fn, opt=None):
    "A closure running one step: forward, `loss_fn(model(x), y)`, backward, AdamW (or `opt`)."
    opt = opt or torch.optim.AdamW(model.parameters(), lr=1e-4)

    def f():
        loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return f


def report(name: str, res: dict):
    "Print `res` and write it to bench/out/<name>.json."
    res = dict(name=name, torch=torch.__version__, threads=torch.get_num_threads(), **res)
    out = Path(__file__).parent / 'out'
    out.mkdir(exist_ok=True)
    (out / f'{name}.json').write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


def fit_time(model, x, y, bs: int, steps: int, dev: str = 'cpu', cbs=(), opt=None) -> float:
    """Seconds for `steps` training steps through the core Learner on `dev` (after 3 warm-up steps;
    CUDA synchronised)."""
    from torch.utils.data import TensorDataset
    from klas_lfa_glidr.core.data import DataLoaders
    from klas_lfa_glidr.core.learner import Learner

    sync = torch.cuda.synchronize if dev != 'cpu' else (lambda: None)
    learn = Learner(
        model,
        DataLoaders(TensorDataset(x, y), bs=bs, seed=0),
        lr=1e-4,
        cbs=list(cbs),
        device=dev,
        opt_func=opt or torch.optim.AdamW,
        progress=False,
    )
    learn.fit(n_steps=3)
    sync()
    t = time.perf_counter()
    learn.fit(n_steps=3 + steps)
    sync()
    return time.perf_counter() - t
