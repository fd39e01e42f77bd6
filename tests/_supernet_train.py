"""Helper process for the KLAS supernet DDP and resume tests: fine-tune a two-anchor supernet on
digits, save weights and sample counts."""

import json, sys
from pathlib import Path
import torch, timm
import torch.nn.functional as F
from torch.utils.data import TensorDataset
from sklearn.datasets import load_digits
from klas_lfa_glidr.core.config import set_seed
from klas_lfa_glidr.core.data import DataLoaders
from _callbacks import Die
from klas_lfa_glidr.core.learner import Learner, LRSchedCB, CheckpointCB, is_main
from klas_lfa_glidr.klas.supernet import Supernet, SampleConfigCB

out, mode = Path(sys.argv[1]), sys.argv[2]  # mode: full | kill:K | resume
out.mkdir(parents=True, exist_ok=True)
d = load_digits()
X = F.interpolate(
    torch.tensor(d.images, dtype=torch.float32)[:, None].repeat(1, 3, 1, 1) / 16, size=16
)
Y = torch.tensor(d.target)
anchors = []
for w, h in ((16, 2), (32, 4)):
    torch.manual_seed(w)
    anchors.append(
        timm.create_model(
            'vit_tiny_patch16_224',
            pretrained=False,
            img_size=16,
            patch_size=4,
            depth=3,
            embed_dim=w,
            num_heads=h,
            num_classes=10,
        )
    )
net = Supernet(anchors, [(0, 1, 0, 0), (0, 1, 1, 1), (0, 1, 2, 0)], X[:200])

set_seed(0)
cb = SampleConfigCB('uniform', seed=0)
cbs = [cb, LRSchedCB('cos'), CheckpointCB(out / 'ckpt.pt', every=4)] + (
    [Die(int(mode.split(':')[1]))] if mode.startswith('kill:') else []
)
learn = Learner(
    net,
    DataLoaders(TensorDataset(X[:1400], Y[:1400]), bs=64, seed=0),
    lr=1e-3,
    cbs=cbs,
    device='cpu',
    opt_func=lambda ps, lr: torch.optim.AdamW(net.param_groups(lr, 1.0, 10.0)),
)
learn.fit(n_steps=12, resume=(mode == 'resume'))
if is_main():
    torch.save(net.state_dict(), out / 'final.pt')
    (out / 'final.json').write_text(
        json.dumps(
            dict(
                counts={str(k): v for k, v in cb.counts.items()}, step=learn.step, world=learn.world
            )
        )
    )
if torch.distributed.is_initialized():
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()
