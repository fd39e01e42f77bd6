"""GLIDR and an embedding reference (DistMult, dropout on) trained briefly on the planted graph;
rank 0 writes the weights and valid metrics to OUT. Run directly or under torchrun (test_ddp.py)."""

import json, os, sys
from pathlib import Path
import torch
from klas_lfa_glidr.glidr.data import planted_kg
from klas_lfa_glidr.glidr.model import GLIDRConfig
from klas_lfa_glidr.glidr.training import fit_glidr
from klas_lfa_glidr.glidr.baselines import fit_embedding

out = Path(sys.argv[1])
torch.set_num_threads(1)
kg = planted_kg(('chain', 'branch', 'cycle'), n_ent=120, seed=0)
cfg = GLIDRConfig.small(device='cpu', epochs=1, emb_epochs=2, emb_lr_grid=(), emb_patience=0)
g = fit_glidr(kg, cfg, progress=False)
e = fit_embedding(kg, cfg, 'distmult', progress=False)
if int(os.environ.get('RANK', '0')) == 0:
    out.mkdir(parents=True, exist_ok=True)
    torch.save({'glidr': g.raw_model.state_dict(), 'emb': e.raw_model.state_dict()}, out / 'w.pt')
    (out / 'valid.json').write_text(json.dumps(dict(glidr=g.valid_metrics, emb=e.valid_metrics)))
if torch.distributed.is_initialized():  # no rank exits while another still writes
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()
