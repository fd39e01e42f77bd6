"""LFA benchmarks: training tokens/s per arm against Std-T at matched parameters, hook-point overhead,
PDS time against one training epoch, and the memory of caching only attention patterns against
caching every hook point.

Run: python bench/lfa.py   (targets: arm/Std-T tokens/s >= 0.9; hooks <= 1.03)"""

import time
import torch
from klas_lfa_glidr.core.hooks import run_with_cache
from klas_lfa_glidr.lfa.model import LFAConfig, LFAModel, lm_loss, ARMS
from klas_lfa_glidr.lfa.data import corefworld_windows, corefworld_tokenizer
from klas_lfa_glidr.lfa.pds import model_pds
from _common import interleaved, report, train_step


def main():
    torch.set_num_threads(2)
    V = len(corefworld_tokenizer())
    cfg = LFAConfig.cpu(device='cpu')
    W = corefworld_windows(cfg.bs, cfg.n_ctx)
    x, y = W[:, :-1], W[:, 1:]
    models = {a: LFAModel(cfg.for_arm(a), V) for a in ARMS}
    opts = {a: torch.optim.AdamW(m.parameters()) for a, m in models.items()}

    step = lambda a: train_step(models[a], x, y, lm_loss, opts[a])

    tps, ratio = {}, {}
    for a in ('dst', 'lfa', 'cfm'):
        t_a, t_s = interleaved(step(a), step('std'), rounds=15, warmup=3)
        tps[a] = {a: cfg.bs * cfg.n_ctx / t_a, 'std (same rounds)': cfg.bs * cfg.n_ctx / t_s}
        ratio[a] = t_s / t_a
    hooked, plain = LFAModel(cfg, V), LFAModel(cfg, V, hookable=False)
    plain.load_state_dict(hooked.state_dict())
    oh, op = torch.optim.AdamW(hooked.parameters()), torch.optim.AdamW(plain.parameters())

    fh, fp = train_step(hooked, x, y, lm_loss, oh), train_step(plain, x, y, lm_loss, op)
    t_h, t_p = interleaved(fh, fp, rounds=15, warmup=3)

    def fw(m):
        def f():
            with torch.no_grad():
                m(x)

        return f

    f_h, f_p = interleaved(fw(hooked), fw(plain), rounds=25, warmup=3)
    # PDS: 256 sequences x all 36 heads of the 6x6 model, against one training epoch of the
    # cpu preset (n_train / bs steps)
    ids = corefworld_windows(256, cfg.n_ctx, seed=10_001)[:, : cfg.n_ctx]
    hooked.eval()
    t = time.perf_counter()
    model_pds(hooked, ids)
    t_pds = time.perf_counter() - t
    epoch_s = t_h * cfg.n_train / cfg.bs

    # memory of the cache: patterns only vs every hook point (batch 256)
    def cache_bytes(names):
        _, c = run_with_cache(hooked, ids, names=names)
        return sum(v.numel() * v.element_size() for v in c.values())

    b_pat, b_all = cache_bytes('*hook_pattern'), cache_bytes(None)
    out = dict(
        model='6x6, d_h 16, T 32, batch 32 (cpu preset), 2 threads',
        tokens_per_s=tps,
        ratio_vs_std=ratio,
        target_ratio=0.9,
        params={a: sum(p.numel() for p in m.parameters()) for a, m in models.items()},
        hooks=dict(
            train_step_s=dict(hooked=t_h, plain=t_p),
            train_ratio=t_h / t_p,
            forward_ratio=f_h / f_p,
            target=1.03,
        ),
        pds=dict(
            seconds_256_seqs_36_heads=t_pds,
            training_epoch_s=epoch_s,
            fraction_of_epoch=t_pds / epoch_s,
        ),
        cache=dict(
            patterns_only_MB=b_pat / 2**20,
            everything_MB=b_all / 2**20,
            ratio=b_pat / b_all,
            batch=256,
        ),
    )
    if torch.cuda.is_available():
        m = LFAModel(cfg, V).cuda()
        ids_c = ids.cuda()
        for names in ('*hook_pattern', None):
            torch.cuda.reset_peak_memory_stats()
            run_with_cache(m, ids_c, names=names)
            out['cache'][f'cuda_peak_MB_{names or "all"}'] = (
                torch.cuda.max_memory_allocated() / 2**20
            )
    report('lfa', out)


if __name__ == '__main__':
    main()
