"""Training-loop overhead: Learner.fit (default callbacks: progress bar, metrics) against a bare
PyTorch loop.

Same model, data, optimizer, batch order and number of steps. Run: python bench/learner.py
(target: ratio <= 1.05)"""

import torch, torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset
from klas_lfa_glidr.core.data import DataLoaders
from klas_lfa_glidr.core.learner import Learner
from _common import interleaved, report


def setup(n=8192, d=256, bs=256):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=g)
    ds = TensorDataset(x, (x[:, :8].sum(1) > 0).long())
    mk = lambda: (
        torch.manual_seed(0),
        nn.Sequential(
            nn.Linear(d, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 2)
        ),
    )[1]
    return DataLoaders(ds, None, bs=bs), mk


def main(epochs=1):
    dls, mk = setup()

    def bare():
        m = mk()
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
        for e in range(epochs):
            for x, y in dls.train_dl(epoch=e):
                loss = F.cross_entropy(m(x), y)
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)

    def learner():
        Learner(mk(), dls, lr=1e-3, device='cpu').fit(n_epochs=epochs)

    t_l, t_b = interleaved(learner, bare, rounds=7)
    report(
        'learner',
        dict(
            model='MLP 256-1024-1024-2, bs=256, 32 steps',
            learner_s=t_l,
            bare_s=t_b,
            ratio=t_l / t_b,
            target=1.05,
        ),
    )


if __name__ == '__main__':
    main()
