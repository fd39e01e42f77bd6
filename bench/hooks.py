"""Hook overhead: a 6-layer transformer with unattached HookPoints against the same model without them.

Run: python bench/hooks.py   (target: ratio <= 1.03)"""

import torch, torch.nn.functional as F
from torch import nn
from klas_lfa_glidr.core.hooks import HookPoint
from _common import interleaved, report


class Block(nn.Module):
    def __init__(self, d, h, hooked):
        super().__init__()
        self.h = h
        self.ln1, self.ln2, self.qkv, self.o = (
            nn.LayerNorm(d),
            nn.LayerNorm(d),
            nn.Linear(d, 3 * d),
            nn.Linear(d, d),
        )
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        names = ('q', 'k', 'v', 'pattern', 'z', 'attn_out', 'mlp_out', 'resid_mid', 'resid_post')
        for n in names:
            setattr(self, f'hook_{n}', HookPoint() if hooked else None)
        self.hooked = hooked

    def hp(self, n, x):
        return getattr(self, f'hook_{n}')(x) if self.hooked else x

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = (
            t.view(B, T, self.h, -1).transpose(1, 2) for t in self.qkv(self.ln1(x)).chunk(3, -1)
        )
        q, k, v = self.hp('q', q), self.hp('k', k), self.hp('v', v)
        a = (q @ k.transpose(-1, -2)) * q.shape[-1] ** -0.5
        a = a.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float('-inf'))
        z = self.hp('z', self.hp('pattern', a.softmax(-1)) @ v)
        x = self.hp(
            'resid_mid', x + self.hp('attn_out', self.o(z.transpose(1, 2).reshape(B, T, D)))
        )
        return self.hp('resid_post', x + self.hp('mlp_out', self.mlp(self.ln2(x))))


def model(hooked, d=128, h=4, n=6, vocab=512):
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Embedding(vocab, d), *[Block(d, h, hooked) for _ in range(n)], nn.Linear(d, vocab)
    )


def main(B=16, T=128, vocab=512):
    x = torch.randint(0, vocab, (B, T))
    with_h, without = model(True), model(False)

    def step(m):
        def f():
            loss = F.cross_entropy(m(x).flatten(0, 1), x.flatten())
            loss.backward()
            m.zero_grad(set_to_none=True)

        return f

    def fwd(m):
        def f():
            with torch.no_grad():
                m(x)

        return f

    t_h, t_0 = interleaved(step(with_h), step(without), rounds=15)
    f_h, f_0 = interleaved(fwd(with_h), fwd(without), rounds=25)
    report(
        'hooks',
        dict(
            model='6x128 transformer, B=16, T=128',
            hook_points=54,
            train_step_s=dict(with_hookpoints=t_h, without=t_0),
            train_ratio=t_h / t_0,
            forward_s=dict(with_hookpoints=f_h, without=f_0),
            forward_ratio=f_h / f_0,
            target=1.03,
        ),
    )


if __name__ == '__main__':
    main()
