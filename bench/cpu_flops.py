"""CPU efficiency: achieved training FLOP/s of a matmul-heavy model as a fraction of the torch.matmul
peak, same run.

Training FLOPs = 3 x forward MACs x 2 (forward, plus backward ~2x forward), with MACs from
core.metrics.count_macs.
Run: python bench/cpu_flops.py"""

import torch, torch.nn.functional as F
from torch import nn
from klas_lfa_glidr.core.metrics import count_macs
from _common import timeit, report
import statistics


def main(n=2048, B=512, d=1024):
    a, b = torch.randn(n, n), torch.randn(n, n)
    t_mm = statistics.median(timeit(lambda: a @ b, reps=10))
    peak = 2 * n**3 / t_mm
    torch.manual_seed(0)
    m = nn.Sequential(
        nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.GELU(), nn.Linear(d, 10)
    )
    opt = torch.optim.SGD(m.parameters(), lr=1e-3)
    x, y = torch.randn(B, d), torch.randint(0, 10, (B,))
    macs = count_macs(m, x)

    def step():
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    t_step = statistics.median(timeit(step, reps=10))
    achieved = 3 * 2 * macs / t_step
    report(
        'cpu_flops',
        dict(
            matmul=f'{n}x{n} fp32',
            matmul_peak_gflops=peak / 1e9,
            model=f'MLP {d}-{4 * d}-{d}-10, B={B}',
            fwd_macs=macs,
            train_step_s=t_step,
            achieved_gflops=achieved / 1e9,
            fraction_of_peak=achieved / peak,
        ),
    )


if __name__ == '__main__':
    main()
