"""Device safety: every tensor a family model's forward reads follows `model.to(...)`.

A GPU is not needed to check this. Each model is deep-copied and moved to float64 with
`.to(torch.float64)`; a tensor that does not follow the module (a plain attribute, an object that is
not a submodule, a closure over the original model) stays float32, and the forward then fails with a
dtype mismatch or returns float32. The float64 output must also equal the float32 one.
"""

import copy

import pytest
import torch


def _check(model, *inputs, atol=2e-3):
    "Forward `model` in float32 and as a float64 copy; the outputs must agree and be float64."
    model.eval()
    with torch.no_grad():
        ref = model(*inputs)
        m64 = copy.deepcopy(model).to(torch.float64)
        x64 = [x.double() if x.is_floating_point() else x for x in inputs]
        out = m64(*x64)
    assert out.dtype == torch.float64, f'{type(model).__name__} returned {out.dtype}'
    torch.testing.assert_close(out.float(), ref, atol=atol, rtol=1e-2)
    return out


def _kg():
    from klas_lfa_glidr.glidr.data import planted_kg, queries

    kg = planted_kg(n_ent=40, seed=0)
    return kg, queries(kg, 'test')[:8]


@pytest.mark.parametrize('adjacency', ['dense', 'sparse', 'pyg'])
@pytest.mark.parametrize('message_form', ['mixture', 'fused'])
def test_glidr(adjacency, message_form):
    from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
    from klas_lfa_glidr.glidr.training import graphs_for

    kg, q = _kg()
    cfg = GLIDRConfig.small(adjacency=adjacency, message_form=message_form)
    model = GLIDR(cfg, kg.n_ent, kg.n_rel)
    model.graph, model.eval_graph = graphs_for(kg, cfg)
    _check(model, q)
    moved = copy.deepcopy(model).to(torch.float64)
    assert moved.graph.src.dtype == torch.long  # index buffers keep their dtype
    if adjacency == 'dense':
        assert moved.graph.dense is None or moved.graph.dense.dtype == torch.float64
    assert not any('graph' in k for k in model.state_dict())  # edges are not checkpointed


def test_glidr_training_graph():
    "In training mode the query edges are dropped from the graph; the copy follows the model too."
    from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
    from klas_lfa_glidr.glidr.training import graphs_for

    kg, q = _kg()
    cfg = GLIDRConfig.small()
    model = GLIDR(cfg, kg.n_ent, kg.n_rel)
    model.graph, model.eval_graph = graphs_for(kg, cfg)
    m64 = copy.deepcopy(model).to(torch.float64).train()
    assert m64(q).dtype == torch.float64


def test_perception_glidr():
    from klas_lfa_glidr.glidr.model import GLIDRConfig
    from klas_lfa_glidr.glidr.training import graphs_for
    from klas_lfa_glidr.glidr.e2e import PerceptionGLIDR, digits_kg

    kg, X, _ = digits_kg(seed=0)
    cfg = GLIDRConfig.small(n_free_max=1)
    model = PerceptionGLIDR(cfg, X, kg.n_rel)
    model.glidr.graph, model.glidr.eval_graph = graphs_for(kg, cfg.replace(self_loops=True))
    from klas_lfa_glidr.glidr.data import queries

    _check(model, queries(kg, 'test')[:8])


@pytest.mark.parametrize('kind', ['distmult', 'complex', 'rotate'])
def test_kg_embedding(kind):
    from klas_lfa_glidr.glidr.baselines import KGEmbedding

    kg, q = _kg()
    _check(KGEmbedding(kg.n_ent, kg.n_rel, dim=16, kind=kind), q)


@pytest.mark.parametrize('arm', ['std', 'dst', 'lfa', 'cfm'])
def test_lfa(arm):
    from klas_lfa_glidr.lfa.model import ARMS, LFAConfig, LFAModel

    assert arm in ARMS
    torch.manual_seed(0)
    model = LFAModel(LFAConfig.small().for_arm(arm), vocab_size=50)
    ids = torch.randint(0, 50, (2, 12))
    _check(model, ids)


def test_klas_supernet():
    timm = pytest.importorskip('timm')
    from klas_lfa_glidr.klas.supernet import Supernet

    torch.manual_seed(0)
    anchors = [
        timm.create_model(
            'vit_tiny_patch16_224', pretrained=False, img_size=16, patch_size=4, depth=3,
            embed_dim=w, num_heads=h, num_classes=10)
        for w, h in ((16, 2), (32, 4))
    ]
    x = torch.randn(40, 3, 16, 16)
    net = Supernet(anchors, [(0, 1, 0, 0), (0, 1, 1, 1)], x, n_ls=40)
    for c in net.configs:
        net.set_config(c)
        _check(net, x[:4])
